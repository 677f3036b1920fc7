"""Carry a baseline's entries over to a new scan of the index.

An entry is kept when the scan finds the same (filename, type,
hashed_secret) again, and it keeps every recorded field: its label
(`is_secret`), `is_verified` and any field this tool does not interpret. An
entry follows its file across a rename, either one that git detects between
HEAD and the index or, for a file that left the index earlier, any vanished
file with a finding of the same type and hash.

Line numbers are refreshed from the scan. They are only hints, but the
audit and `detect-secrets audit` open the file at that line, and
`detect-secrets-hook` rewrites a baseline whose line numbers are stale. The
cost is that an edit above a secret changes its entry's `line_number`. Two
branches that both edit a file above the same secret then conflict on that
line in a plain `git merge`, which the merge driver resolves. A slim
baseline (no line numbers) stays slim.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Mapping, Sequence, Set
from typing import NamedTuple

from staged_secrets.baseline.model import BaselineEntry, Identity
from staged_secrets.hooks.changes import Finding


class Moved(NamedTuple):
    """An entry that followed its secret to a new file name."""

    before: BaselineEntry
    after: BaselineEntry


class UpdateOutcome(NamedTuple):
    """The new entries and how each relates to the old baseline."""

    entries: list[BaselineEntry]
    added: list[BaselineEntry]
    kept: list[BaselineEntry]
    moved: list[Moved]
    removed: list[BaselineEntry]

    @property
    def labels_kept(self) -> int:
        carried = [*self.kept, *(move.after for move in self.moved)]
        return sum(1 for entry in carried if entry.is_secret is not None)

    @property
    def labels_dropped(self) -> list[BaselineEntry]:
        return [entry for entry in self.removed if entry.is_secret is not None]


def _vanished_by_secret(
    previous: Sequence[BaselineEntry], indexed: Set[str]
) -> dict[tuple[str, str], list[BaselineEntry]]:
    vanished: dict[tuple[str, str], list[BaselineEntry]] = {}
    for entry in sorted(previous, key=lambda entry: entry.sort_key()):
        if entry.filename not in indexed:
            vanished.setdefault((entry.type, entry.hashed_secret), []).append(entry)
    return vanished


def _follow_rename(
    finding: Finding,
    previous: Mapping[Identity, BaselineEntry],
    renamed_from: Mapping[str, str],
    vanished: Mapping[tuple[str, str], list[BaselineEntry]],
) -> BaselineEntry | None:
    old_name = renamed_from.get(finding.filename)
    if old_name is not None:
        entry = previous.get(Identity(old_name, finding.type, finding.hashed_secret))
        if entry is not None:
            return entry

    candidates = vanished.get((finding.type, finding.hashed_secret), [])
    if not candidates:
        return None
    # A file moved to another folder usually keeps its base name.
    base_name = posixpath.basename(finding.filename)
    for candidate in candidates:
        if posixpath.basename(candidate.filename) == base_name:
            return candidate
    return candidates[0]


def reconcile(
    previous: Sequence[BaselineEntry],
    findings: Sequence[Finding],
    renamed_from: Mapping[str, str],
    indexed: Set[str],
    slim: bool,
) -> UpdateOutcome:
    """Build the updated entries from PREVIOUS entries and the FINDINGS of a new scan.

    RENAMED_FROM maps a file's new name to its name in HEAD, and INDEXED
    contains every path in the index.
    """
    by_identity = {entry.identity: entry for entry in previous}
    vanished = _vanished_by_secret(previous, indexed)
    outcome = UpdateOutcome([], [], [], [], [])
    used: set[Identity] = set()

    for finding in findings:
        identity = Identity(finding.filename, finding.type, finding.hashed_secret)
        line_number = None if slim else finding.line_number
        earlier = by_identity.get(identity)
        if earlier is not None:
            entry = dataclasses.replace(earlier, line_number=line_number)
            outcome.kept.append(entry)
        else:
            earlier = _follow_rename(finding, by_identity, renamed_from, vanished)
            if earlier is not None:
                entry = dataclasses.replace(
                    earlier, filename=finding.filename, line_number=line_number
                )
                outcome.moved.append(Moved(earlier, entry))
            else:
                entry = BaselineEntry(
                    finding.filename, finding.type, finding.hashed_secret, line_number
                )
                outcome.added.append(entry)
        if earlier is not None:
            used.add(earlier.identity)
        outcome.entries.append(entry)

    outcome.removed.extend(
        entry
        for entry in sorted(previous, key=lambda entry: entry.sort_key())
        if entry.identity not in used
    )
    return outcome
