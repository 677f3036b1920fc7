"""Turn a blob's bytes into text the way the scanner needs it.

detect-secrets silently skips files that are not UTF-8. Here UTF-16 with a
byte order mark is decoded as UTF-16, and other non-UTF-8 text is decoded as
Latin-1 so that every ASCII character (and so every ASCII secret) survives.
Only content that looks binary to git (a NUL byte in the first 8000 bytes) and
is neither UTF-8 nor UTF-16 is skipped, and the caller reports the skip.
"""

from __future__ import annotations

import codecs
from typing import NamedTuple

# git reads this many leading bytes when it decides whether a blob is binary.
GIT_BINARY_PROBE_BYTES = 8000


class DecodedText(NamedTuple):
    """A blob's text and the encoding it was decoded with."""

    text: str
    encoding: str


def decode_blob(data: bytes) -> DecodedText | None:
    """Decode DATA, or return None when it is binary."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return DecodedText(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            pass

    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass

    if b"\0" in data[:GIT_BINARY_PROBE_BYTES]:
        return None
    return DecodedText(data.decode("latin-1"), "latin-1")


def split_lines(text: str) -> list[str]:
    """Split TEXT into lines the way detect-secrets reads a file (universal newlines).

    Unlike str.splitlines(), only LF, CR and CRLF end a line: form feeds,
    U+2028 and the like stay inside it.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def line_number_map(text: str) -> dict[int, list[int]] | None:
    """Map git's line numbers to universal-newline line numbers, when they differ.

    git counts lines by LF only; Python (and so detect-secrets) also ends a
    line at a lone CR. Returns None when the two numberings agree.
    """
    if "\r" not in text.replace("\r\n", ""):
        return None

    mapping: dict[int, list[int]] = {}
    python_line = 1
    for git_line, chunk in enumerate(text.split("\n"), start=1):
        # A CR right before the LF belongs to a CRLF pair; every other CR ends a line.
        pieces = chunk[:-1].count("\r") if chunk.endswith("\r") else chunk.count("\r")
        mapping[git_line] = list(range(python_line, python_line + pieces + 1))
        python_line += pieces + 1
    return mapping
