"""Scan file changes: read the new blobs, find the added lines, run the engine."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from staged_secrets.hooks import decode, engine, git
from staged_secrets.hooks.diff import FileChange


class Finding(NamedTuple):
    """A secret on an added line. `preview` is masked; the secret itself is not kept."""

    filename: str
    line_number: int
    type: str
    hashed_secret: str
    preview: str
    commit: str | None = None
    # For a renamed file, the path before the rename: baseline entries under
    # that path still cover the finding.
    old_filename: str | None = None


class SkippedFile(NamedTuple):
    """A file with added content that was not scanned, and why."""

    filename: str
    reason: str


@dataclass
class ScanResult:
    """What one scan found and how much it looked at."""

    findings: list[Finding] = field(default_factory=list)
    files_scanned: int = 0
    lines_scanned: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)

    def extend(self, other: ScanResult) -> None:
        self.findings.extend(other.findings)
        self.files_scanned += other.files_scanned
        self.lines_scanned += other.lines_scanned
        self.skipped.extend(other.skipped)


def mask(secret: str) -> str:
    """Return a preview of SECRET that shows at most 4 leading characters.

    Short secrets show fewer: never more than a quarter of the secret.
    """
    shown = min(4, len(secret) // 4)
    return f"{secret[:shown]}{'*' * 8} ({len(secret)} chars)"


def needs_scan(change: FileChange) -> bool:
    """Return whether CHANGE can add content worth scanning."""
    if change.is_deletion or change.status == "U":
        return False
    if change.new_mode == git.SUBMODULE_MODE:
        return False
    if change.whole_file:
        return True
    return bool(change.added_ranges) or change.git_says_binary


def _added_lines_by_content(old: str, new: str) -> set[int]:
    # Used only where git printed no hunks (content git calls binary, such as
    # UTF-16), so the decoded lines are compared here instead.
    old_lines = old.splitlines()
    new_lines = new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    added: set[int] = set()
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            added.update(range(start + 1, end + 1))
    return added


def _added_lines(
    change: FileChange, text: decode.DecodedText, blobs: dict[str, bytes]
) -> set[int] | None:
    """Return the added universal-newline line numbers, or None for the whole file."""
    if change.whole_file or (change.status in "AC" and not change.added_ranges):
        return None

    if change.git_says_binary:
        if git.is_null_object(change.old_object) or change.status == "A":
            return None
        old = decode.decode_blob(blobs.get(change.old_object, b""))
        if old is None:
            return None
        return _added_lines_by_content(old.text, text.text)

    git_lines = change.added_lines()
    # Without a CR git's and Python's line numbers agree; the test is much
    # cheaper than building the map on a large file.
    if "\r" not in text.text or text.encoding == "utf-16":
        return git_lines
    mapping = decode.line_number_map(text.text)
    if mapping is None:
        return git_lines
    return {line for git_line in git_lines for line in mapping.get(git_line, [git_line])}


def scan_changes(
    changes: Sequence[FileChange],
    commit: str | None = None,
    skip_paths: Iterable[str] = (),
) -> ScanResult:
    """Scan the added lines of CHANGES, reading content from git objects only."""
    skipped_paths = set(skip_paths)
    wanted = [c for c in changes if needs_scan(c) and c.new_path not in skipped_paths]
    object_names = [c.new_object for c in wanted]
    object_names += [
        c.old_object for c in wanted if c.git_says_binary and not git.is_null_object(c.old_object)
    ]
    blobs = git.read_blobs(object_names)

    result = ScanResult()
    for change in wanted:
        result.extend(_scan_one(change, blobs, commit))
    return result


def _scan_one(change: FileChange, blobs: dict[str, bytes], commit: str | None) -> ScanResult:
    result = ScanResult()
    text = decode.decode_blob(blobs[change.new_object])
    if text is None:
        result.skipped.append(SkippedFile(change.new_path, "binary content"))
        return result

    added = _added_lines(change, text, blobs)
    result.files_scanned = 1
    result.lines_scanned = len(added) if added is not None else _count_lines(text.text)
    if added is not None and not added:
        return result

    old_filename = change.old_path if change.old_path != change.new_path else None
    for secret in engine.scan_text(change.new_path, text.text, added):
        result.findings.append(
            Finding(
                filename=change.new_path,
                line_number=secret.line_number,
                type=secret.type,
                hashed_secret=secret.hashed_secret,
                preview=mask(secret.secret),
                commit=commit,
                old_filename=old_filename,
            )
        )
    return result


def _count_lines(text: str) -> int:
    return len(text.splitlines())


def scan_whole_files(paths_and_objects: Sequence[tuple[str, str, str]]) -> ScanResult:
    """Scan whole blobs, given (path, mode, object name) triples."""
    scannable = [
        (path, mode, name) for path, mode, name in paths_and_objects if mode != git.SUBMODULE_MODE
    ]
    blobs = git.read_blobs(name for _, _, name in scannable)
    result = ScanResult()
    for path, _, name in scannable:
        text = decode.decode_blob(blobs[name])
        if text is None:
            result.skipped.append(SkippedFile(path, "binary content"))
            continue
        result.files_scanned += 1
        result.lines_scanned += _count_lines(text.text)
        for secret in engine.scan_text(path, text.text, None):
            result.findings.append(
                Finding(
                    path, secret.line_number, secret.type, secret.hashed_secret, mask(secret.secret)
                )
            )
    return result
