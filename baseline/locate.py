"""Find each baseline entry's secret again in the staged files.

The audit reads content from the index (the staged blobs), never the working
tree, and finds an entry by rescanning its whole staged file with the engine
and matching `type` and `hashed_secret`. The stored `line_number` is only a
hint, so an entry whose line moved is still found, at its new line.
"""

from __future__ import annotations

import enum
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from staged_secrets.baseline.model import BaselineEntry
from staged_secrets.hooks import decode, engine, git
from staged_secrets.hooks.engine import RawSecret


class Status(enum.Enum):
    """Status of an entry's secret in the index. The value is the JSON spelling."""

    PRESENT = "present"
    MOVED = "moved"
    FILE_MISSING = "file_missing"
    SECRET_MISSING = "secret_missing"
    NOT_TEXT = "not_text"

    @property
    def in_index(self) -> bool:
        return self in (Status.PRESENT, Status.MOVED)


STATUS_TEXT = {
    Status.PRESENT: "in the index",
    Status.MOVED: "in the index, moved",
    Status.FILE_MISSING: "gone: file not in the index",
    Status.SECRET_MISSING: "gone: secret not found in the staged file",
    Status.NOT_TEXT: "gone: staged file is binary or a submodule",
}


@dataclass(frozen=True)
class StagedFile:
    """A staged file's lines and every secret the engine finds in it.

    The plain secrets stay in memory: they are needed to mask the context
    shown by the audit and to reveal one secret on request.
    """

    path: str
    lines: list[str] = field(repr=False)
    secrets: list[RawSecret] = field(repr=False)


@dataclass(frozen=True)
class Location:
    """The result of looking for one entry in the index."""

    status: Status
    # The line where the engine reports the secret now; None when it is gone.
    line_number: int | None = None
    secret: str | None = field(default=None, repr=False)
    staged_file: StagedFile | None = field(default=None, repr=False)


def split_lines(text: str) -> list[str]:
    """Split TEXT at universal newlines, as detect-secrets numbers lines."""
    return [line.rstrip("\r\n") for line in io.StringIO(text, newline=None).readlines()]


class IndexReader:
    """Reads staged files from the index and scans each one once.

    The engine must already be configured with the baseline's settings
    (`hooks.detectors.configure`).
    """

    def __init__(self) -> None:
        self._index = {entry.path: entry for entry in git.index_entries()}
        self._files: dict[str, StagedFile | None] = {}

    def has_file(self, path: str) -> bool:
        return path in self._index

    def preload(self, paths: Iterable[str]) -> None:
        """Read the blobs of PATHS through one git process."""
        to_read = []
        for path in sorted(set(paths)):
            if path in self._files or path not in self._index:
                continue
            if self._index[path].mode == git.SUBMODULE_MODE:
                self._files[path] = None
            else:
                to_read.append(path)

        blobs = git.read_blobs(self._index[path].object_name for path in to_read)
        for path in to_read:
            self._files[path] = _scan_blob(path, blobs[self._index[path].object_name])

    def staged_file(self, path: str) -> StagedFile | None:
        """Return PATH's staged lines and secrets, or None for a binary file or submodule."""
        if path not in self._files:
            self.preload([path])
        return self._files.get(path)

    def locate(self, entry: BaselineEntry) -> Location:
        if entry.filename not in self._index:
            return Location(Status.FILE_MISSING)

        staged = self.staged_file(entry.filename)
        if staged is None:
            return Location(Status.NOT_TEXT)

        for secret in staged.secrets:
            if secret.type == entry.type and secret.hashed_secret == entry.hashed_secret:
                status = Status.PRESENT if secret.line_number == entry.line_number else Status.MOVED
                return Location(status, secret.line_number, secret.secret, staged)
        return Location(Status.SECRET_MISSING, staged_file=staged)


def _scan_blob(path: str, data: bytes) -> StagedFile | None:
    text = decode.decode_blob(data)
    if text is None:
        return None
    return StagedFile(path, split_lines(text.text), engine.scan_text(path, text.text, None))
