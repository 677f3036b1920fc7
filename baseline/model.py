"""The baseline's records: settings and entries, in detect-secrets' vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

# detect-secrets 1.5.0's baseline format version, written by this tool.
FORMAT_VERSION = "1.5.0"


class Identity(NamedTuple):
    """Key that makes two baseline entries the same. Line numbers are only hints."""

    filename: str
    type: str
    hashed_secret: str


def describe_label(is_secret: bool | None) -> str:
    """Return the words for an `is_secret` value, as the audit shows it."""
    if is_secret is None:
        return "unlabelled"
    return "real secret" if is_secret else "false positive"


@dataclass
class BaselineEntry:
    """One result of the baseline, with every field it was stored with."""

    filename: str
    type: str
    hashed_secret: str
    line_number: int | None = None
    is_secret: bool | None = None
    is_verified: bool = False
    # Fields this tool does not interpret, kept so that a rewrite loses nothing.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> Identity:
        return Identity(self.filename, self.type, self.hashed_secret)

    def sort_key(self) -> tuple[str, int, str, str]:
        """Order of detect-secrets 1.5.0: file, then line, hash and type."""
        return (self.filename, self.line_number or 0, self.hashed_secret, self.type)

    def describe(self) -> str:
        """Name the entry for messages: location, type and a short hash, never the secret."""
        location = (
            self.filename if self.line_number is None else f"{self.filename}:{self.line_number}"
        )
        return f"{location}: {self.type} (hashed_secret {self.hashed_secret[:12]})"

    def to_json(self) -> dict[str, Any]:
        """Return the entry as detect-secrets writes it inside `results[filename]`."""
        output: dict[str, Any] = {
            "type": self.type,
            "filename": self.filename,
            "hashed_secret": self.hashed_secret,
            "is_verified": self.is_verified,
        }
        if self.line_number:
            output["line_number"] = self.line_number
        if self.is_secret is not None:
            output["is_secret"] = self.is_secret
        for key in sorted(self.extra):
            output.setdefault(key, self.extra[key])
        return output


@dataclass
class Baseline:
    """A whole baseline file: format version, scanner settings and entries."""

    version: str
    plugins_used: list[dict[str, Any]]
    filters_used: list[dict[str, Any]]
    entries: list[BaselineEntry]
    # Top-level keys this tool does not interpret, kept on rewrite (except
    # detect-secrets' `generated_at` timestamp, which the writer drops).
    extra: dict[str, Any] = field(default_factory=dict)
    # A baseline written by `detect-secrets scan --slim` stores no line
    # numbers; updates keep it that way.
    slim: bool = False

    def identities(self) -> set[Identity]:
        return {entry.identity for entry in self.entries}

    def settings_json(self) -> dict[str, Any]:
        return {"plugins_used": self.plugins_used, "filters_used": self.filters_used}

    def entry_map(self) -> dict[Identity, BaselineEntry]:
        return {entry.identity: entry for entry in self.entries}
