"""Scan file changes: read the new blobs, find the added lines, run the engine.

Every file that a change touches is accounted for: it is scanned, or it is
listed in `ScanResult.skipped` with the reason, or it adds no content
(a deletion, a mode change, a pure rename, a submodule pointer).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from typing import NamedTuple

from staged_secrets.hooks import decode, engine, git, parallel
from staged_secrets.hooks.diff import FileChange
from staged_secrets.hooks.textlines import TextLines
from staged_secrets.hooks.words import plural


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
    # True when the file is too large to scan and so may hold a secret that
    # was not looked for. Such a skip fails the scan instead of passing it.
    blocking: bool = False


class FileNote(NamedTuple):
    """A file that was scanned differently from detect-secrets, and how."""

    filename: str
    message: str


class Limits(NamedTuple):
    """Size limits that keep one scan bounded in time and memory.

    detect-secrets 1.5.0 spends about 0.1 ms per line on short lines, and its
    keyword patterns take time that grows with the cube of a line's length
    (one 16,000-character line can take a minute). The figures are
    measured on a 2-core machine; content built to match those patterns over
    and over can still take minutes within the limits. Lines and characters are
    counted over the lines a change adds, or over the whole file for a
    whole-file scan.
    """

    # Short lines are cheap once the prefilter skips those no detector can
    # match: 300,000 of them took about 1.5 s and 180 MB on that machine.
    max_added_lines: int = 500_000
    # Characters in added lines longer than max_line_length, which are
    # scanned in pieces at about 2 s per million characters of minified code.
    max_long_line_characters: int = 2_000_000
    # Longer added lines are scanned in overlapping pieces of this length.
    # 1000 characters keep the worst case near 0.2 s per piece.
    max_line_length: int = 1_000
    # A secret up to this long always lies whole inside one piece.
    piece_overlap: int = 300
    # Above this many line pairs, the content comparison of a file that git
    # calls binary counts every differing line as added instead of aligning them.
    max_compared_line_pairs: int = 25_000_000


DEFAULT_LIMITS = Limits()

# Modes of index and tree entries that hold a file's content (regular,
# executable, symbolic link); others are trees (sparse index) or submodules.
CONTENT_MODES = frozenset({"100644", "100755", "120000"})

LINE_BREAK_KEPT = re.compile(r"(\r\n|\r|\n)")

EXCLUDED_REASON = "excluded by detect-secrets' file name filters"


@dataclass
class ScanResult:
    """Findings of one scan, with counts of what it scanned and skipped."""

    findings: list[Finding] = field(default_factory=list)
    files_scanned: int = 0
    lines_scanned: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    notes: list[FileNote] = field(default_factory=list)
    # Changed files (or files of a whole-file scan) that the scan considered,
    # including those that add no content.
    files_changed: int = 0

    def extend(self, other: ScanResult) -> None:
        self.findings.extend(other.findings)
        self.files_scanned += other.files_scanned
        self.lines_scanned += other.lines_scanned
        self.skipped.extend(other.skipped)
        self.notes.extend(other.notes)
        self.files_changed += other.files_changed


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
    if change.new_mode not in CONTENT_MODES:
        return False
    if change.whole_file:
        return True
    return bool(change.added_ranges) or change.git_says_binary


def _needs_content_diff(change: FileChange, text: decode.DecodedText) -> bool:
    # git printed no hunks (content it calls binary), or it counted lines at
    # 0x0A bytes, which in UTF-16 are not always line breaks.
    return change.git_says_binary or text.encoding == decode.UTF16


def _added_lines_by_content(old: str, new: str, limits: Limits) -> set[int]:
    old_lines = decode.split_lines(old)
    new_lines = decode.split_lines(new)

    prefix = 0
    shortest = min(len(old_lines), len(new_lines))
    while prefix < shortest and old_lines[prefix] == new_lines[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < shortest - prefix
        and old_lines[len(old_lines) - 1 - suffix] == new_lines[len(new_lines) - 1 - suffix]
    ):
        suffix += 1

    old_middle = old_lines[prefix : len(old_lines) - suffix]
    new_middle = new_lines[prefix : len(new_lines) - suffix]
    if len(old_middle) * len(new_middle) > limits.max_compared_line_pairs:
        # difflib can take quadratic time, so every line of the changed middle
        # counts as added instead. That may report more, never less.
        return set(range(prefix + 1, prefix + len(new_middle) + 1))

    matcher = difflib.SequenceMatcher(a=old_middle, b=new_middle, autojunk=False)
    added: set[int] = set()
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            added.update(range(prefix + start + 1, prefix + end + 1))
    return added


def _added_lines(
    change: FileChange, text: decode.DecodedText, old: decode.DecodedText | None, limits: Limits
) -> set[int] | None:
    """Return the added universal-newline line numbers, or None for the whole file."""
    if change.whole_file or (change.status in "AC" and not change.added_ranges):
        return None

    if _needs_content_diff(change, text):
        if old is None:
            return None
        return _added_lines_by_content(old.text, text.text, limits)

    git_lines = change.added_lines()
    # Without a CR git's and Python's line numbers agree; the test is much
    # cheaper than building the map on a large file.
    if "\r" not in text.text:
        return git_lines
    mapping = decode.line_number_map(text.text)
    if mapping is None:
        return git_lines
    return {line for git_line in git_lines for line in mapping.get(git_line, [git_line])}


def scan_changes(
    changes: Sequence[FileChange],
    commit: str | None = None,
    skip_paths: Iterable[str] = (),
    limits: Limits = DEFAULT_LIMITS,
    reader: git.BlobReader | None = None,
) -> ScanResult:
    """Scan the added lines of CHANGES, reading content from git objects only.

    READER, when given, is an open blob reader to use (a range scan shares
    one across all its commits); otherwise one is opened here.
    """
    if reader is None:
        with git.BlobReader() as own_reader:
            return scan_changes(changes, commit, skip_paths, limits, own_reader)

    skipped_paths = set(skip_paths)
    result = ScanResult(files_changed=len(changes))
    for change in changes:
        if not needs_scan(change):
            continue
        if change.new_path in skipped_paths:
            result.skipped.append(SkippedFile(change.new_path, "the baseline file"))
            continue
        result.extend(_scan_change(change, reader, commit, limits))
    return result


def _scan_change(
    change: FileChange, reader: git.BlobReader, commit: str | None, limits: Limits
) -> ScanResult:
    result = ScanResult()
    if engine.is_file_excluded(change.new_path):
        result.skipped.append(SkippedFile(change.new_path, EXCLUDED_REASON))
        return result

    text = _read_text(change.new_path, change.new_object, reader, result)
    if text is None:
        return result

    old = None
    has_old = change.status != "A" and not git.is_null_object(change.old_object)
    if _needs_content_diff(change, text) and has_old:
        # An old blob over the size limit reads as empty: every line counts as added.
        old = decode.decode_blob(reader.read(change.old_object).data or b"")

    added = _added_lines(change, text, old, limits)
    old_filename = change.old_path if change.old_path != change.new_path else None
    result.extend(_scan_text(change.new_path, text.text, added, limits, commit, old_filename))
    return result


def oversized_skip(path: str, blob: git.Blob, max_bytes: int) -> SkippedFile:
    """Describe a blob too large to read: binary content passes, text blocks the scan."""
    if decode.looks_binary(blob.head):
        return SkippedFile(path, f"binary content ({blob.size} bytes)")
    return SkippedFile(path, f"{blob.size} bytes, over the limit of {max_bytes} bytes", True)


def _read_text(
    path: str, object_name: str, reader: git.BlobReader, result: ScanResult
) -> decode.DecodedText | None:
    blob = reader.read(object_name)
    if blob.data is None:
        result.skipped.append(oversized_skip(path, blob, reader.max_bytes))
        return None
    text = decode.decode_blob(blob.data)
    if text is None:
        result.skipped.append(SkippedFile(path, "binary content"))
    return text


def _scan_text(
    filename: str,
    text: str,
    added: Set[int] | None,
    limits: Limits,
    commit: str | None = None,
    old_filename: str | None = None,
) -> ScanResult:
    """Scan TEXT's ADDED lines (all when None) within LIMITS."""
    result = ScanResult()
    lines = _line_view(text, lazy=added is not None and len(added) <= engine.LAZY_LINES_LIMIT)
    if added is None:
        targets = list(range(1, len(lines) + 1))
    else:
        targets = sorted(number for number in added if 1 <= number <= len(lines))

    lengths = {number: _line_length(lines, number) for number in targets}
    characters = sum(length for length in lengths.values() if length > limits.max_line_length)
    reason = _over_limit(len(targets), characters, limits)
    if reason:
        result.skipped.append(SkippedFile(filename, reason, blocking=True))
        return result

    result.files_scanned = 1
    result.lines_scanned = len(targets)
    if not targets:
        return result

    secrets = _scan_lines(filename, text, lines, added, targets, limits, result)
    for secret in secrets:
        result.findings.append(
            Finding(
                filename=filename,
                line_number=secret.line_number,
                type=secret.type,
                hashed_secret=secret.hashed_secret,
                preview=mask(secret.secret),
                commit=commit,
                old_filename=old_filename,
            )
        )
    return result


def _over_limit(line_count: int, characters: int, limits: Limits) -> str | None:
    if line_count > limits.max_added_lines:
        return f"{line_count} lines to scan, over the limit of {limits.max_added_lines} per file"
    if characters > limits.max_long_line_characters:
        return (
            f"{characters} characters in lines longer than {limits.max_line_length}, "
            f"over the limit of {limits.max_long_line_characters} per file"
        )
    return None


def _line_view(text: str, lazy: bool) -> Sequence[str]:
    # Splitting a large file costs more than scanning a small change to it,
    # so for a small change, text with LF line breaks only is split where it
    # is read.
    if lazy and "\r" not in text:
        return TextLines(text)
    return decode.split_lines(text)


def _line_length(lines: Sequence[str], number: int) -> int:
    return len(lines[number - 1].rstrip("\n"))


def _scan_lines(
    filename: str,
    text: str,
    lines: Sequence[str],
    added: Set[int] | None,
    targets: list[int],
    limits: Limits,
    result: ScanResult,
) -> list[engine.RawSecret]:
    small_change = added is not None and len(targets) <= engine.LAZY_LINES_LIMIT
    if small_change and all(
        _line_length(lines, number) <= limits.max_line_length for number in targets
    ):
        # NOTE: a long unchanged line is then left as it is. The engine reads
        # unchanged lines only to place a secret found on an added line (or
        # for the eager .env pass), so it is rarely scanned, but when it is,
        # detect-secrets' keyword patterns can take seconds on it.
        return engine.scan_text(filename, text, added)

    long_lines = {
        number
        for number in range(1, len(lines) + 1)
        if _line_length(lines, number) > limits.max_line_length
    }
    if not long_lines:
        return engine.scan_text(filename, text, added)

    # Long lines are blanked in the text given to the engine, so that no pass
    # reads them whole, and their added ones are scanned piece by piece.
    blanked = _blank_lines(text, long_lines)
    short_added = None if added is None else set(added) - long_lines
    secrets = engine.scan_text(filename, blanked, short_added)

    long_targets = [number for number in targets if number in long_lines]
    for number in long_targets:
        secrets.extend(_scan_pieces(filename, lines[number - 1].rstrip("\n"), number, limits))
    if long_targets:
        result.notes.append(
            FileNote(
                filename,
                f"{plural(len(long_targets), 'line')} longer than "
                f"{limits.max_line_length} characters "
                f"(first: line {long_targets[0]}) scanned in overlapping pieces",
            )
        )
    return _first_per_identity(secrets)


def _blank_lines(text: str, numbers: Set[int]) -> str:
    parts = LINE_BREAK_KEPT.split(text)
    # parts alternates line content and line break: line N is parts[2 * (N - 1)].
    for number in numbers:
        parts[2 * (number - 1)] = ""
    return "".join(parts)


def _scan_pieces(
    filename: str, line: str, line_number: int, limits: Limits
) -> list[engine.RawSecret]:
    step = limits.max_line_length - limits.piece_overlap
    pieces = []
    for start in range(0, len(line), step):
        pieces.append(line[start : start + limits.max_line_length])
        if start + limits.max_line_length >= len(line):
            break
    found = engine.scan_text(filename, "\n".join(pieces) + "\n", None)
    return [secret._replace(line_number=line_number) for secret in found]


def _first_per_identity(secrets: list[engine.RawSecret]) -> list[engine.RawSecret]:
    first: dict[tuple[str, str], engine.RawSecret] = {}
    for secret in sorted(secrets):
        first.setdefault((secret.type, secret.hashed_secret), secret)
    return sorted(first.values())


def scan_blob(path: str, blob: bytes, limits: Limits = DEFAULT_LIMITS) -> ScanResult:
    """Scan the whole content BLOB of the file at PATH."""
    result = ScanResult()
    text = decode.decode_blob(blob)
    if text is None:
        result.skipped.append(SkippedFile(path, "binary content"))
        return result
    result.extend(_scan_text(path, text.text, None, limits))
    return result


def scan_whole_files(
    paths_and_objects: Sequence[tuple[str, str, str]],
    progress: parallel.Progress | None = None,
) -> ScanResult:
    """Scan whole blobs, given (path, mode, object name) triples.

    Large inputs are spread over worker processes; the result is the same,
    in the same order, as a scan in this process.
    """
    result = ScanResult(files_changed=len(paths_and_objects))
    items: list[tuple[str, bytes]] = []
    wanted: list[tuple[str, str]] = []
    for path, mode, name in paths_and_objects:
        if mode not in CONTENT_MODES:
            continue
        if engine.is_file_excluded(path):
            result.skipped.append(SkippedFile(path, EXCLUDED_REASON))
            continue
        wanted.append((path, name))

    with git.BlobReader() as reader:
        for index, blob in enumerate(reader.read_many([name for _, name in wanted])):
            path = wanted[index][0]
            if blob.data is None:
                result.skipped.append(oversized_skip(path, blob, reader.max_bytes))
                continue
            items.append((path, blob.data))
    result.extend(parallel.scan_blobs(items, progress))
    return result
