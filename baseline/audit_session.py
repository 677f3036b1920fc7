"""The interactive audit: walk the entries, save every decision at once, resume later.

Each decision is applied to a fresh read of the baseline file and written back
atomically before the next entry is shown, so quitting, Ctrl-C or a closed
terminal loses no decision, and a change another command made to the file in
the meantime is kept. The entry on screen is recorded in the git folder, so
the next run starts where this one stopped.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from staged_secrets.baseline import audit_view as view
from staged_secrets.baseline import write
from staged_secrets.baseline.audit_report import FALSE_POSITIVE, REAL, sort_key
from staged_secrets.baseline.audit_view import Card, Fragments
from staged_secrets.baseline.load import load_baseline
from staged_secrets.baseline.locate import IndexReader, Location
from staged_secrets.baseline.model import Baseline, BaselineEntry, Identity
from staged_secrets.hooks import git
from staged_secrets.hooks.errors import FatalError
from staged_secrets.hooks.words import plural

POSITION_FILE = "staged-secrets-audit.json"


class AuditScreen(Protocol):
    """The surface that shows cards and reads the user's keys (a terminal in practice)."""

    def ask(self, card: Card) -> str: ...

    def say(self, fragments: Fragments) -> None: ...


class ResumePosition:
    """The entry on screen when the audit stopped, stored in the git folder.

    It contains the entry's identity and the baseline's path, never a secret.
    """

    def __init__(self, baseline_path: str) -> None:
        self.path = os.path.abspath(git.git_dir_path(POSITION_FILE))
        self.baseline_path = os.path.realpath(baseline_path)

    def read(self) -> Identity | None:
        try:
            with open(self.path, encoding="utf-8") as stream:
                data = json.load(stream)
        except (OSError, ValueError):
            # A missing or damaged position file only costs the resume point.
            return None
        if not isinstance(data, dict) or data.get("baseline") != self.baseline_path:
            return None
        try:
            return Identity(str(data["filename"]), str(data["type"]), str(data["hashed_secret"]))
        except KeyError:
            return None

    def write(self, identity: Identity) -> None:
        content = json.dumps({"baseline": self.baseline_path, **identity._asdict()})
        folder = os.path.dirname(self.path)
        try:
            handle, temporary = tempfile.mkstemp(prefix=".staged-secrets-", dir=folder)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(content)
            os.replace(temporary, self.path)
        except OSError as error:
            raise FatalError(
                f"could not record the audit position in {self.path}: {error.strerror}"
            ) from error

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def walk_order(
    baseline: Baseline, include_labelled: bool, resume_at: Identity | None
) -> list[Identity]:
    """Return the entries to show: unlabelled ones first, starting at RESUME_AT.

    The unlabelled entries before RESUME_AT (those skipped last time) come
    after the rest of the unlabelled ones; labelled entries follow when
    INCLUDE_LABELLED is set.
    """
    entries = sorted(baseline.entries, key=sort_key)
    unlabelled = [entry.identity for entry in entries if entry.is_secret is None]
    labelled = [entry.identity for entry in entries if entry.is_secret is not None]
    if resume_at in unlabelled:
        start = unlabelled.index(resume_at)
        unlabelled = unlabelled[start:] + unlabelled[:start]
    return unlabelled + (labelled if include_labelled else [])


@dataclass
class Tally:
    """Counts of the changes this run made, for the closing summary."""

    labels: dict[Identity, bool] = field(default_factory=dict)
    removed: int = 0
    skipped: int = 0

    @property
    def real(self) -> int:
        return sum(1 for is_secret in self.labels.values() if is_secret)

    @property
    def false_positive(self) -> int:
        return sum(1 for is_secret in self.labels.values() if not is_secret)


@dataclass
class AuditSession:
    """One interactive run over a baseline file."""

    baseline_path: str
    repository_root: str
    allow_custom_plugins: bool
    baseline: Baseline
    reader: IndexReader
    screen: AuditScreen
    position: ResumePosition
    tally: Tally = field(default_factory=Tally)

    def run(self, order: list[Identity]) -> bool:
        """Walk ORDER; return True when every entry was shown, False after quit."""
        index = 0
        message = ""
        while index < len(order):
            entry = self.baseline.entry_map().get(order[index])
            if entry is None:
                # Removed here or by another command since the walk began.
                del order[index]
                continue

            location = self.reader.locate(entry)
            self.position.write(entry.identity)
            card = Card(index + 1, len(order), entry, location, message=message)
            message = ""
            action = self.screen.ask(card)

            if action == view.QUIT.key:
                return False
            if action == view.BACK.key:
                if index == 0:
                    message = "This is the first entry."
                else:
                    index -= 1
                continue
            if self._apply(action, entry, location):
                index += 1
            else:
                # The next entry moves up to this place in the walk.
                del order[index]
        return True

    def _apply(self, action: str, entry: BaselineEntry, location: Location) -> bool:
        """Save ACTION's change; return False when the entry is no longer in the baseline."""
        new_line = location.line_number
        moved = new_line is not None and new_line != entry.line_number

        if action in (view.REAL.key, view.FALSE_POSITIVE.key):
            is_secret = action == view.REAL.key

            def label(current: BaselineEntry) -> None:
                current.is_secret = is_secret
                if moved:
                    current.line_number = new_line

            if not self._save(entry.identity, label):
                return False
            self.tally.labels[entry.identity] = is_secret
            self._record(entry, new_line, REAL if is_secret else FALSE_POSITIVE)
        elif action == view.REMOVE.key:
            if not self._save(entry.identity, None):
                return False
            self.tally.labels.pop(entry.identity, None)
            self.tally.removed += 1
            self._record(entry, None, "entry removed from the baseline")
            return False
        elif action == view.SKIP.key:
            if moved and not self._save(entry.identity, _set_line(new_line)):
                return False
            self.tally.skipped += 1
            self._record(entry, new_line, "skipped")
        return True

    def _save(self, identity: Identity, change: Callable[[BaselineEntry], None] | None) -> bool:
        """Apply CHANGE (None removes the entry) to the file as it is now, and write it."""
        current = load_baseline(
            self.baseline_path,
            allow_custom_plugins=self.allow_custom_plugins,
            repository_root=self.repository_root,
        )
        target = current.entry_map().get(identity)
        if target is None:
            self.screen.say([("class:warning", "That entry is no longer in the baseline.")])
            self.baseline = current
            return False
        if change is None:
            current.entries = [entry for entry in current.entries if entry.identity != identity]
        else:
            change(target)
        write.save(self.baseline_path, current)
        self.baseline = current
        return True

    def _record(self, entry: BaselineEntry, line_number: int | None, outcome: str) -> None:
        line = line_number or entry.line_number
        where = f"{entry.filename}:{line}" if line else entry.filename
        self.screen.say(
            [("class:path", where), ("", f"  {entry.type}: "), ("class:header", outcome)]
        )


def _set_line(line_number: int | None) -> Callable[[BaselineEntry], None]:
    def change(entry: BaselineEntry) -> None:
        entry.line_number = line_number

    return change


def summary(tally: Tally, baseline: Baseline, finished: bool, baseline_path: str) -> Fragments:
    """Return the closing lines: what changed, what is left, and what to do next."""
    left = sum(1 for entry in baseline.entries if entry.is_secret is None)
    relative = os.path.relpath(baseline_path)
    lines = [
        f"Labelled {tally.real} real and {tally.false_positive} false positive, "
        f"skipped {tally.skipped}, removed {tally.removed}; "
        f"{plural(left, 'entry', 'entries')} {'remains' if left == 1 else 'remain'} unaudited.",
    ]
    if not finished:
        lines.append("Every answer is saved. Run 'staged-secrets audit' again to resume here.")
    if tally.real or tally.false_positive or tally.removed:
        lines.append(f"Stage the baseline: git add {relative}")
    if tally.real:
        lines.append(
            "Remove each real secret from its file and rotate it; "
            "'staged-secrets audit --report' lists them."
        )
    return [("", "\n".join(lines))]


def order_summary(order: Sequence[Identity], baseline: Baseline) -> str:
    unlabelled = sum(1 for entry in baseline.entries if entry.is_secret is None)
    entries = plural(len(order), "entry", "entries")
    return f"{entries} to review ({unlabelled} unaudited). Press ? for help."
