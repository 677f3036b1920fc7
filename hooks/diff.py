"""Parse git's combined `--raw -z -p -U0` output into file changes.

The raw part names each file (NUL-separated, so any path survives); the
patch part, one `diff --git` section per raw record in the same order,
supplies the hunk headers. With zero lines of context every line on the new
side of a hunk is an added line, so only the headers are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from staged_secrets.hooks.errors import FatalError

HUNK_HEADER = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)
SECTION_START = re.compile(rb"^diff --git ", re.MULTILINE)
BINARY_MARKER = re.compile(rb"^(?:Binary files .* differ|GIT binary patch)$", re.MULTILINE)


@dataclass
class FileChange:
    """One file's change between two trees (or a tree and the index)."""

    status: str
    old_mode: str
    new_mode: str
    old_object: str
    new_object: str
    old_path: str
    new_path: str
    added_ranges: list[tuple[int, int]] = field(default_factory=list)
    git_says_binary: bool = False
    # A type change (for example a symlink replaced by a file) replaces the
    # whole content, so every line of the new side counts as added.
    whole_file: bool = False

    @property
    def is_deletion(self) -> bool:
        return self.status == "D"

    def added_lines(self) -> set[int]:
        """Return the 1-based numbers of the lines this change adds."""
        lines: set[int] = set()
        for start, count in self.added_ranges:
            lines.update(range(start, start + count))
        return lines


def _decode_path(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


RAW_RECORD = re.compile(
    rb":(?P<old_mode>[0-7]{6}) (?P<new_mode>[0-7]{6}) (?P<old_object>[0-9a-f]{40,64}) "
    rb"(?P<new_object>[0-9a-f]{40,64}) (?P<status>[ACDMRTU])\d{0,3}"
)
# git's line numbers fit in a C long, so a longer number means the output is not git's.
MAX_LINE_NUMBER_DIGITS = 19
# Statuses whose raw record carries two paths (source and destination).
TWO_PATH_STATUSES = "RC"
MALFORMED = "unexpected git diff output: run 'git status' and check the repository"


def parse_raw(raw: bytes) -> list[FileChange]:
    """Parse the NUL-separated `--raw -z` records.

    Malformed input raises FatalError; the message never quotes the input,
    which could hold file content.
    """
    fields = raw.split(b"\0")
    changes: list[FileChange] = []
    position = 0
    while position < len(fields):
        record = fields[position]
        if not record:
            position += 1
            continue
        match = RAW_RECORD.fullmatch(record)
        if match is None:
            raise FatalError(MALFORMED)

        letter = match.group("status").decode("ascii")
        path_count = 2 if letter in TWO_PATH_STATUSES else 1
        paths = fields[position + 1 : position + 1 + path_count]
        if len(paths) != path_count or not all(paths):
            raise FatalError(MALFORMED)
        position += 1 + path_count

        old_path = _decode_path(paths[0])
        new_path = _decode_path(paths[-1])
        changes.append(
            FileChange(
                letter,
                match.group("old_mode").decode("ascii"),
                match.group("new_mode").decode("ascii"),
                match.group("old_object").decode("ascii"),
                match.group("new_object").decode("ascii"),
                old_path,
                new_path,
            )
        )
    return changes


def parse(output: bytes) -> list[FileChange]:
    """Parse the combined raw and patch output of one diff command."""
    raw, separator, patch = output.partition(b"\0\0")
    if not separator:
        raw, patch = output, b""
    if raw.endswith(b"\0"):
        raw = raw[:-1]
    changes = parse_raw(raw + b"\0")

    starts = [match.start() for match in SECTION_START.finditer(patch)]
    # Unmerged paths get no section; a type change gets two (a deletion of
    # the old content and an addition of the new).
    expected = sum(_section_count(change) for change in changes)
    if len(starts) != expected:
        raise FatalError(
            f"git diff output has {len(starts)} patch sections for {expected} changed files; "
            "cannot pair them: run 'git status' and check the repository"
        )

    starts.append(len(patch))
    index = 0
    for change in changes:
        count = _section_count(change)
        if change.status == "T":
            change.whole_file = True
        elif count:
            _read_section(patch[starts[index] : starts[index + 1]], change)
        index += count
    return changes


def _section_count(change: FileChange) -> int:
    if change.status == "U":
        return 0
    if change.status == "T":
        return 2
    return 1


def _read_section(section: bytes, change: FileChange) -> None:
    # Hunk headers only appear after the extended header lines, and body
    # lines begin with '+', '-', ' ' or '\\', so '@@' at a line start is
    # always a header.
    for match in HUNK_HEADER.finditer(section):
        numbers = [number for number in match.groups() if number is not None]
        if any(len(number) > MAX_LINE_NUMBER_DIGITS for number in numbers):
            raise FatalError(MALFORMED)
        start = int(match.group(1))
        count = int(match.group(2)) if match.group(2) is not None else 1
        if count:
            change.added_ranges.append((start, count))

    if not change.added_ranges and BINARY_MARKER.search(section):
        change.git_says_binary = True
