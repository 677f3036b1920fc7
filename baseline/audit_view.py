"""The text of one audit screen: header, masked context, secret line, keys and help.

The screen shows lines of the staged file around the entry. Every secret the
engine finds in that file is masked in those lines. The entry's own secret is
shown in full only after the user presses the reveal key, until it is pressed
again. A line that
holds a secret in a form the masking cannot locate (for example after
detect-secrets' YAML transformer rewrote it) is hidden as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from staged_secrets.baseline.audit_report import label_of
from staged_secrets.baseline.locate import Location, StagedFile, Status
from staged_secrets.baseline.model import BaselineEntry

# A fragment is a (style, text) pair, as prompt_toolkit's formatted text uses.
Fragments = list[tuple[str, str]]

CONTEXT_LINES = 3
GUTTER_MARK = "> "
ELLIPSIS = "…"
# Characters that continue a token next to a detected secret. "=" only
# extends a token to the right (base64 padding), so "key=" stays readable.
TOKEN_CHARACTER = re.compile(r"[A-Za-z0-9_\-+/.~]")


class Key(NamedTuple):
    """One single-key answer or command."""

    key: str
    name: str
    help: str


REAL = Key("r", "real secret", "a real secret: writes is_secret: true")
FALSE_POSITIVE = Key("f", "false positive", "not a secret: writes is_secret: false")
SKIP = Key("s", "skip", "leave this entry as it is and go to the next one")
BACK = Key("b", "back", "show the previous entry again; its label can be changed")
REVEAL = Key("v", "reveal", "show or hide the secret on this screen (never written anywhere)")
REMOVE = Key("d", "remove entry", "delete this entry from the baseline")
QUIT = Key("q", "quit", "stop here; answers are saved already and the next run resumes here")
HELP = Key("?", "help", "show or hide this help")

KEYS_IN_INDEX = (REAL, FALSE_POSITIVE, SKIP, BACK, REVEAL, QUIT, HELP)
KEYS_FILE_MISSING = (REMOVE, SKIP, BACK, QUIT, HELP)
KEYS_SECRET_MISSING = (REAL, FALSE_POSITIVE, REMOVE, SKIP, BACK, QUIT, HELP)

STYLE_RULES = {
    "header": "bold",
    "path": "bold fg:ansicyan",
    "type": "fg:ansimagenta",
    "label.real": "bold fg:ansired",
    "label.false": "fg:ansigreen",
    "label.unaudited": "fg:ansiyellow",
    "gutter": "fg:ansibrightblack",
    "current": "bold",
    "masked": "fg:ansiyellow",
    "secret.masked": "bold fg:ansiyellow",
    "secret.revealed": "reverse bold fg:ansired",
    "hidden": "italic fg:ansibrightblack",
    "warning": "bold fg:ansiyellow",
    "key": "bold fg:ansicyan",
    "message": "bold fg:ansiyellow",
    "help": "",
}

LABEL_STYLES = {
    "real": "class:label.real",
    "false positive": "class:label.false",
    "unaudited": "class:label.unaudited",
}


def keys_for(status: Status) -> tuple[Key, ...]:
    if status.in_index:
        return KEYS_IN_INDEX
    if status is Status.FILE_MISSING:
        return KEYS_FILE_MISSING
    return KEYS_SECRET_MISSING


def masked(secret: str) -> str:
    """Return SECRET's inline mask: the leading characters `changes.mask` shows, then stars."""
    shown = min(4, len(secret) // 4)
    return secret[:shown] + "*" * 8


@dataclass
class Card:
    """The content of one audit screen and the toggles the user can flip on it."""

    position: int
    total: int
    entry: BaselineEntry
    location: Location = field(repr=False)
    revealed: bool = False
    show_help: bool = False
    message: str = ""

    @property
    def keys(self) -> tuple[Key, ...]:
        return keys_for(self.location.status)


def render(card: Card, width: int) -> Fragments:
    """Return the fragments of CARD for a terminal WIDTH columns wide."""
    fragments = _header(card)
    fragments += _body(card, width)
    fragments += _key_bar(card.keys)
    if card.message:
        fragments += [("class:message", card.message), ("", "\n")]
    if card.show_help:
        fragments += _help(card.keys)
    return fragments


def _header(card: Card) -> Fragments:
    entry = card.entry
    label = label_of(entry)
    location = card.location
    line_number = location.line_number or entry.line_number
    where = f"{entry.filename}:{line_number}" if line_number else entry.filename
    fragments: Fragments = [
        ("class:header", f"Entry {card.position} of {card.total}"),
        ("", "   label: "),
        (LABEL_STYLES[label], label),
        ("", "\n"),
        ("class:path", where),
        ("", "   "),
        ("class:type", entry.type),
    ]
    if location.status is Status.MOVED and entry.line_number:
        fragments.append(("class:warning", f"   (moved from line {entry.line_number})"))
    fragments.append(("", "\n"))
    return fragments


def _body(card: Card, width: int) -> Fragments:
    location = card.location
    entry = card.entry
    if location.status is Status.FILE_MISSING:
        return [
            ("class:warning", f"{entry.filename} is not in the index"),
            ("", " (deleted or renamed), so there is nothing to show.\n"),
            ("", "Remove the entry from the baseline, or skip to keep it.\n"),
        ]
    if location.status is Status.NOT_TEXT:
        return [
            ("class:warning", f"The staged {entry.filename} is binary or a submodule"),
            ("", ", so the secret cannot be found or shown.\n"),
        ]
    if location.status is Status.SECRET_MISSING:
        return [
            ("class:warning", f"The staged {entry.filename} no longer contains this secret"),
            ("", ".\nLabel it anyway (it may remain in the git history), or remove the entry.\n"),
        ]

    assert location.staged_file is not None and location.secret is not None
    assert location.line_number is not None
    staged = location.staged_file
    fragments = _context(staged, location.line_number, location.secret, card, width)
    fragments += _secret_line(
        _whole_token(staged, location.line_number, location.secret), card.revealed
    )
    return fragments


def _whole_token(staged: StagedFile, line_number: int, secret: str) -> str:
    """Return SECRET with the token characters around it on its line, as the screen marks it."""
    line = staged.lines[line_number - 1] if line_number <= len(staged.lines) else ""
    start = line.find(secret)
    if start < 0:
        return secret
    start, end = _token_span(line, start, start + len(secret), 0)
    return line[start:end]


def _secret_line(secret: str, revealed: bool) -> Fragments:
    if revealed:
        return [
            ("", "Secret: "),
            ("class:secret.revealed", secret),
            ("", "   (press v to hide it)\n"),
        ]
    return [
        ("", "Secret: "),
        ("class:secret.masked", masked(secret)),
        ("", f" ({len(secret)} characters), hidden: press v to reveal it\n"),
    ]


def _context(
    staged: StagedFile, line_number: int, secret: str, card: Card, width: int
) -> Fragments:
    first = max(1, line_number - CONTEXT_LINES)
    last = min(len(staged.lines), line_number + CONTEXT_LINES)
    number_width = len(str(last))
    gutter_width = len(GUTTER_MARK) + number_width + 3
    room = max(20, width - gutter_width - 1)
    hidden = _lines_hiding_a_secret(staged)
    pattern = _secret_pattern(staged)

    fragments: Fragments = []
    for number in range(first, last + 1):
        is_current = number == line_number
        mark = GUTTER_MARK if is_current else " " * len(GUTTER_MARK)
        fragments.append(("class:gutter", f"{mark}{number:>{number_width}} | "))
        text = staged.lines[number - 1]
        causes = hidden.get(number, set())
        if causes and not (card.revealed and causes == {secret}):
            fragments.append(("class:hidden", "(line hidden: it contains a secret)"))
        else:
            segments = _masked_segments(text, pattern, secret, card.revealed)
            if is_current:
                segments = [(f"{style} class:current".strip(), part) for style, part in segments]
            fragments += _clip(segments, room)
        fragments.append(("", "\n"))
    return fragments


def _lines_hiding_a_secret(staged: StagedFile) -> dict[int, set[str]]:
    """Map line numbers to the secrets reported there but not written there literally.

    NOTE: only the reported line is hidden. A secret split over several lines
    (a YAML block scalar, string concatenation) leaves its pieces visible on
    the other lines, because no piece matches the secret text.
    """
    hidden: dict[int, set[str]] = {}
    for found in staged.secrets:
        if not found.secret:
            continue
        line = staged.lines[found.line_number - 1] if found.line_number <= len(staged.lines) else ""
        if found.secret not in line:
            hidden.setdefault(found.line_number, set()).add(found.secret)
    return hidden


def _secret_pattern(staged: StagedFile) -> re.Pattern[str] | None:
    # Sorted by decreasing length, so that a secret containing another one is masked whole.
    secrets = sorted({found.secret for found in staged.secrets if found.secret}, key=len)
    if not secrets:
        return None
    return re.compile("|".join(re.escape(secret) for secret in reversed(secrets)))


def _masked_segments(
    text: str, pattern: re.Pattern[str] | None, current: str, revealed: bool
) -> Fragments:
    """Split TEXT into plain and secret parts, masking every secret except a revealed CURRENT.

    A secret part covers the whole token around the detected value, because
    some detectors report only part of it (detect-secrets 1.5.0's GitHub
    token detector reports just the `ghp` prefix).
    """
    segments: Fragments = []
    plain_start = 0
    for match in pattern.finditer(text) if pattern else ():
        if match.start() < plain_start:
            continue
        found = match.group()
        start, end = _token_span(text, match.start(), match.end(), plain_start)
        if found == current and revealed:
            style, display = "class:secret.revealed", text[start:end]
        else:
            style = "class:secret.masked" if found == current else "class:masked"
            display = masked(text[start:end])
        if plain_start < start:
            segments.append(("", text[plain_start:start]))
        segments.append((style, display))
        plain_start = end
    if plain_start < len(text):
        segments.append(("", text[plain_start:]))
    return [(style, part.replace("\t", "    ")) for style, part in segments]


def _token_span(text: str, start: int, end: int, floor: int) -> tuple[int, int]:
    while start > floor and TOKEN_CHARACTER.match(text[start - 1]):
        start -= 1
    while end < len(text) and (TOKEN_CHARACTER.match(text[end]) or text[end] == "="):
        end += 1
    return start, end


def _clip(segments: Fragments, room: int) -> Fragments:
    """Cut SEGMENTS to ROOM characters, keeping the first secret part in view."""
    total = sum(len(part) for _, part in segments)
    if total <= room:
        return segments

    focus = 0
    offset = 0
    for style, part in segments:
        if "secret" in style:
            focus = offset
            break
        offset += len(part)
    start = 0 if focus < room // 2 else focus - room // 3
    end = start + room - 2

    clipped: Fragments = [("class:gutter", ELLIPSIS)] if start else []
    offset = 0
    for style, part in segments:
        part_start, part_end = offset, offset + len(part)
        offset = part_end
        if part_end <= start or part_start >= end:
            continue
        clipped.append((style, part[max(0, start - part_start) : end - part_start]))
    if end < total:
        clipped.append(("class:gutter", ELLIPSIS))
    return clipped


def _key_bar(keys: Sequence[Key]) -> Fragments:
    fragments: Fragments = []
    for key in keys:
        fragments += [("class:key", key.key), ("", f" {key.name}   ")]
    fragments.append(("", "\n"))
    return fragments


def _help(keys: Sequence[Key]) -> Fragments:
    fragments: Fragments = []
    for key in keys:
        fragments += [("class:key", f"  {key.key}  "), ("class:help", key.help + "\n")]
    fragments.append(("class:help", "  Every answer is saved to the baseline at once.\n"))
    return fragments
