"""Counted nouns for messages: "1 file", "2 files"."""

from __future__ import annotations


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """Return COUNT followed by NOUN, or by its plural (NOUN + "s" unless given) when not 1."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural_noun or noun + 's'}"
