"""Turn a blob's bytes into text the way the scanner needs it.

detect-secrets silently skips files that are not UTF-8. Here UTF-16 with a
byte order mark is decoded as UTF-16, and so is UTF-16 without one when every
other byte of the start is NUL. Other non-UTF-8 text is decoded as Latin-1 so
that every ASCII character (and so every ASCII secret) survives. Only content
that looks binary to git (a NUL byte in the first 8000 bytes) and is neither
UTF-8 nor UTF-16 is skipped, and the caller reports the skip.
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


# Universal newlines, as Python's open() (and so detect-secrets) reads text.
# str.splitlines() would also break at form feeds, NEL and other characters.

UTF16 = "utf-16"


def decode_blob(data: bytes) -> DecodedText | None:
    """Decode DATA, or return None when it is binary."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return DecodedText(data.decode("utf-16"), UTF16)
        except UnicodeDecodeError:
            pass

    probe = data[:GIT_BINARY_PROBE_BYTES]
    has_nul = b"\0" in probe
    if has_nul:
        # ASCII text in UTF-16 is also valid UTF-8 (with a NUL after every
        # character), so UTF-16 must be recognised before UTF-8 is tried.
        text = _decode_utf16_without_bom(data, probe)
        if text is not None:
            return DecodedText(text, UTF16)

    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass

    if has_nul:
        return None
    return DecodedText(data.decode("latin-1"), "latin-1")


def _decode_utf16_without_bom(data: bytes, probe: bytes) -> str | None:
    if len(data) % 2 or len(probe) < 2:
        return None
    even_nuls = probe[0::2].count(0)
    odd_nuls = probe[1::2].count(0)
    half = len(probe) // 2
    # Mostly-ASCII UTF-16 has a NUL in (nearly) every high byte and none in
    # the low bytes; binary formats rarely keep that pattern for 8000 bytes.
    if even_nuls == 0 and odd_nuls * 10 >= half * 9:
        encoding = "utf-16-le"
    elif odd_nuls == 0 and even_nuls * 10 >= half * 9:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return None if "\0" in text else text


def looks_binary(head: bytes) -> bool:
    """Return whether a blob starting with HEAD is binary (and not UTF-16 text)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return (
        b"\0" in head[:GIT_BINARY_PROBE_BYTES]
        and _decode_utf16_without_bom(
            head[: len(head) - len(head) % 2], head[:GIT_BINARY_PROBE_BYTES]
        )
        is None
    )


def split_lines(text: str) -> list[str]:
    """Split TEXT into lines, without their endings, as detect-secrets numbers them.

    Only LF, CR and CRLF end a line (universal newlines), unlike
    str.splitlines(), which also breaks at form feeds and U+2028.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
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
