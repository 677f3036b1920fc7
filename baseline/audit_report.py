"""Non-interactive audit output: the report, the per-type counts and the CI gates.

Nothing here prints a secret: entries carry only their hash, and the
locations are computed from the index without keeping the secret text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple, TextIO

from staged_secrets.baseline.locate import STATUS_TEXT, IndexReader, Location, Status
from staged_secrets.baseline.model import Baseline, BaselineEntry
from staged_secrets.hooks.words import plural

REAL = "real"
FALSE_POSITIVE = "false positive"
UNAUDITED = "unaudited"
LABELS = (REAL, FALSE_POSITIVE, UNAUDITED)

# JSON keys of the per-type counts, in LABELS order.
COUNT_KEYS = ("real", "false_positive", "unaudited")


def label_of(entry: BaselineEntry) -> str:
    """Return the label that detect-secrets' `is_secret` field encodes."""
    if entry.is_secret is None:
        return UNAUDITED
    return REAL if entry.is_secret else FALSE_POSITIVE


def sort_key(entry: BaselineEntry) -> tuple[str, int, str, str]:
    return (entry.filename, entry.line_number or 0, entry.type, entry.hashed_secret)


class ReportRow(NamedTuple):
    """One baseline entry and the status of its secret in the index now."""

    entry: BaselineEntry
    status: Status
    # The line the secret is on now, or the stored line when it is gone.
    line_number: int | None

    @property
    def moved_from(self) -> int | None:
        return self.entry.line_number if self.status is Status.MOVED else None


def build_rows(baseline: Baseline, reader: IndexReader) -> list[ReportRow]:
    """Locate every entry of BASELINE in the index, reading each staged file once."""
    entries = sorted(baseline.entries, key=sort_key)
    reader.preload(entry.filename for entry in entries)
    rows = []
    for entry in entries:
        location: Location = reader.locate(entry)
        line_number = location.line_number if location.line_number else entry.line_number
        rows.append(ReportRow(entry, location.status, line_number))
    return rows


def _where(row: ReportRow) -> str:
    return f"{row.entry.filename}:{row.line_number}" if row.line_number else row.entry.filename


def _status_text(row: ReportRow) -> str:
    text = STATUS_TEXT[row.status]
    if row.moved_from is not None:
        text += f" from line {row.moved_from}"
    return text


def _table(rows: Sequence[Sequence[str]], numeric_from: int | None = None) -> list[str]:
    """Align ROWS in columns; columns from NUMERIC_FROM on are right-aligned."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width)
            if numeric_from is not None and column >= numeric_from
            else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths))
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def count_labels(entries: Sequence[BaselineEntry]) -> dict[str, int]:
    counts = dict.fromkeys(LABELS, 0)
    for entry in entries:
        counts[label_of(entry)] += 1
    return counts


def _summary(baseline_path: str, entries: Sequence[BaselineEntry]) -> str:
    counts = count_labels(entries)
    return (
        f"Baseline {baseline_path}: {plural(len(entries), 'entry', 'entries')}: "
        f"{counts[REAL]} real, "
        f"{counts[FALSE_POSITIVE]} false positive, {counts[UNAUDITED]} unaudited"
    )


def write_text_report(stream: TextIO, baseline_path: str, rows: Sequence[ReportRow]) -> None:
    stream.write(_summary(baseline_path, [row.entry for row in rows]) + "\n")
    if not rows:
        return
    table: list[tuple[str, ...]] = [("location", "type", "label", "in the index")]
    table += [(_where(row), row.entry.type, label_of(row.entry), _status_text(row)) for row in rows]
    for line in _table(table):
        stream.write(line + "\n")


def row_json(row: ReportRow) -> dict[str, Any]:
    return {
        "filename": row.entry.filename,
        "line_number": row.line_number,
        "stored_line_number": row.entry.line_number,
        "type": row.entry.type,
        "hashed_secret": row.entry.hashed_secret,
        "label": label_of(row.entry),
        "is_secret": row.entry.is_secret,
        "in_index": row.status.in_index,
        "status": row.status.value,
    }


def write_json_report(stream: TextIO, baseline_path: str, rows: Sequence[ReportRow]) -> None:
    counts = count_labels([row.entry for row in rows])
    document = {
        "baseline": baseline_path,
        "entries": [row_json(row) for row in rows],
        "totals": {key: counts[label] for key, label in zip(COUNT_KEYS, LABELS)},
    }
    json.dump(document, stream, indent=2)
    stream.write("\n")


def stats_by_type(entries: Sequence[BaselineEntry]) -> dict[str, dict[str, int]]:
    """Count the labels of ENTRIES per detector type, types in name order."""
    by_type: dict[str, dict[str, int]] = {}
    for entry in sorted(entries, key=lambda e: e.type):
        counts = by_type.setdefault(entry.type, dict.fromkeys(LABELS, 0))
        counts[label_of(entry)] += 1
    return by_type


def write_text_stats(stream: TextIO, baseline_path: str, entries: Sequence[BaselineEntry]) -> None:
    stream.write(_summary(baseline_path, entries) + "\n")
    if not entries:
        return
    table: list[tuple[str, ...]] = [("type", *LABELS)]
    for secret_type, counts in stats_by_type(entries).items():
        table.append((secret_type, *(str(counts[label]) for label in LABELS)))
    totals = count_labels(entries)
    table.append(("total", *(str(totals[label]) for label in LABELS)))
    for line in _table(table, numeric_from=1):
        stream.write(line + "\n")


def write_json_stats(stream: TextIO, baseline_path: str, entries: Sequence[BaselineEntry]) -> None:
    def keyed(counts: dict[str, int]) -> dict[str, int]:
        return {key: counts[label] for key, label in zip(COUNT_KEYS, LABELS)}

    document = {
        "baseline": baseline_path,
        "types": {name: keyed(counts) for name, counts in stats_by_type(entries).items()},
        "totals": keyed(count_labels(entries)),
    }
    json.dump(document, stream, indent=2)
    stream.write("\n")


class GateFailure(NamedTuple):
    """Entries that make one CI gate fail."""

    option: str
    description: str
    entries: list[BaselineEntry]


def check_gates(
    entries: Sequence[BaselineEntry], fail_on_unaudited: bool, fail_on_secret: bool
) -> list[GateFailure]:
    """Return the gates that fail, each with the entries that fail it."""
    ordered = sorted(entries, key=sort_key)
    failures = []
    if fail_on_unaudited:
        unaudited = [entry for entry in ordered if entry.is_secret is None]
        if unaudited:
            failures.append(GateFailure("--fail-on-unaudited", "unaudited", unaudited))
    if fail_on_secret:
        real = [entry for entry in ordered if entry.is_secret is True]
        if real:
            failures.append(GateFailure("--fail-on-secret", "labelled real", real))
    return failures


def write_gate_failures(stream: TextIO, failures: Sequence[GateFailure]) -> None:
    for failure in failures:
        stream.write(
            f"audit gate {failure.option} failed: {len(failure.entries)} "
            f"{'entry' if len(failure.entries) == 1 else 'entries'} {failure.description}:\n"
        )
        for entry in failure.entries:
            where = f"{entry.filename}:{entry.line_number}" if entry.line_number else entry.filename
            stream.write(f"  {where}: {entry.type}\n")
    if any(failure.option == "--fail-on-unaudited" for failure in failures):
        stream.write("Label the unaudited entries with 'staged-secrets audit'.\n")
    if any(failure.option == "--fail-on-secret" for failure in failures):
        stream.write(
            "Remove each real secret from the files, rotate it, then run "
            "'staged-secrets baseline update'.\n"
        )
