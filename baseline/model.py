"""The baseline's records: settings and entries, in detect-secrets' vocabulary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

# detect-secrets 1.5.0's baseline format version, written by this tool.
FORMAT_VERSION = "1.5.0"


class Identity(NamedTuple):
    """What makes two baseline entries the same; line numbers are only hints."""

    filename: str
    type: str
    hashed_secret: str


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
        for key, value in self.extra.items():
            output.setdefault(key, value)
        return output


@dataclass
class Baseline:
    """A whole baseline file: format version, scanner settings and entries."""

    version: str
    plugins_used: list[dict[str, Any]]
    filters_used: list[dict[str, Any]]
    entries: list[BaselineEntry]
    # Top-level keys this tool does not interpret (for example
    # `generated_at` from detect-secrets), kept on rewrite.
    extra: dict[str, Any] = field(default_factory=dict)

    def identities(self) -> set[Identity]:
        return {entry.identity for entry in self.entries}

    def settings_json(self) -> dict[str, Any]:
        return {"plugins_used": self.plugins_used, "filters_used": self.filters_used}

    def entry_map(self) -> dict[Identity, BaselineEntry]:
        return {entry.identity: entry for entry in self.entries}
