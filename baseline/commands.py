"""The `baseline create` and `baseline update` commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from staged_secrets.baseline import write
from staged_secrets.baseline.load import REGEX_FILTERS, check_pattern, load_baseline, read_text
from staged_secrets.baseline.model import FORMAT_VERSION, Baseline, BaselineEntry, describe_label
from staged_secrets.baseline.update import UpdateOutcome, reconcile
from staged_secrets.hooks import detectors, diff, git
from staged_secrets.hooks.changes import ScanResult
from staged_secrets.hooks.errors import FatalError
from staged_secrets.hooks.parallel import Progress
from staged_secrets.hooks.scan import (
    DEFAULT_BASELINE,
    BaselineChoice,
    baseline_repository_path,
    scan_all_files,
    staged_base,
)
from staged_secrets.hooks.words import plural


def _add_common_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        default=None,
        help=f"baseline file to {verb}, relative to the current folder "
        f"(default: {DEFAULT_BASELINE} at the top of the repository)",
    )
    for kind, what in (("files", "file names"), ("lines", "lines"), ("secrets", "secrets")):
        parser.add_argument(
            f"--exclude-{kind}",
            metavar="REGEX",
            action="append",
            default=[],
            help=f"ignore {what} that match this Python regular expression "
            "(repeatable; stored in the baseline)",
        )


def add_create_arguments(parser: argparse.ArgumentParser) -> None:
    _add_common_arguments(parser, "write")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace an existing baseline even if its entries carry audit labels",
    )


def add_update_arguments(parser: argparse.ArgumentParser) -> None:
    _add_common_arguments(parser, "update")
    parser.add_argument(
        "--allow-custom-plugins",
        action="store_true",
        help="trust plugin and filter code paths named in the baseline (they run as code)",
    )


def _target(given: str | None, root: str) -> str:
    return given if given is not None else os.path.join(root, DEFAULT_BASELINE)


def _exclusions(args: argparse.Namespace) -> dict[str, list[str]]:
    """Return the --exclude-* patterns by kind, each checked to compile."""
    exclusions: dict[str, list[str]] = {}
    for kind in REGEX_FILTERS:
        patterns: list[str] = getattr(args, f"exclude_{kind}")
        for pattern in patterns:
            check_pattern(pattern, f"--exclude-{kind}")
        if patterns:
            exclusions[kind] = patterns
    return exclusions


def add_exclusions(
    filters_used: Sequence[dict[str, Any]], exclusions: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """Return FILTERS_USED with EXCLUSIONS added to the regex filters' `pattern` lists.

    detect-secrets 1.5.0 stores `--exclude-files` and its siblings this way,
    so `detect-secrets audit` and `detect-secrets-hook` apply them too.
    """
    filters = [dict(config) for config in filters_used]
    for kind, patterns in exclusions.items():
        path = REGEX_FILTERS[kind]
        config = next((config for config in filters if config.get("path") == path), None)
        if config is None:
            config = {"path": path, "pattern": []}
            filters.append(config)
        merged = list(config.get("pattern", []))
        merged.extend(pattern for pattern in patterns if pattern not in merged)
        config["pattern"] = merged
    return filters


@contextmanager
def progress_bar(stream: TextIO) -> Iterator[Progress | None]:
    """Show a progress bar on STREAM when it is a terminal; yield None otherwise."""
    if not stream.isatty():
        yield None
        return

    from tqdm import tqdm

    # tqdm's monitor thread would be running when the scan forks its workers.
    tqdm.monitor_interval = 0
    with tqdm(file=stream, unit="file", desc="Scanning the index") as bar:

        def advance(done: int, total: int) -> None:
            if bar.total != total:
                bar.reset(total=total)
            bar.update(done - bar.n)

        yield advance


@contextmanager
def _in_folder(folder: str) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def scan_index(baseline_file: str, root: str) -> ScanResult:
    """Scan every file in the index except the baseline, with the configured detectors."""
    repository_path = baseline_repository_path(BaselineChoice(baseline_file, None), root)
    with _in_folder(root), progress_bar(sys.stderr) as progress:
        return scan_all_files(repository_path, progress)


def _entries(result: ScanResult) -> list[BaselineEntry]:
    return [
        BaselineEntry(finding.filename, finding.type, finding.hashed_secret, finding.line_number)
        for finding in result.findings
    ]


def _count_labels(path: str) -> int:
    """Count labelled results in the file at PATH; a file that does not parse has none."""
    try:
        data = json.loads(read_text(path))
    except (FatalError, ValueError):
        return 0
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict):
        return 0
    return sum(
        1
        for items in results.values()
        if isinstance(items, list)
        for item in items
        if isinstance(item, dict) and item.get("is_secret") is not None
    )


def _scan_summary(result: ScanResult) -> str:
    summary = f"{plural(result.files_scanned, 'file')} scanned"
    if result.skipped:
        summary += f", {len(result.skipped)} skipped as binary"
    return summary


def run_create(args: argparse.Namespace) -> int:
    root = git.top_level()
    path = _target(args.baseline, root)
    exclusions = _exclusions(args)
    labels = 0 if args.force else _count_labels(path)
    if labels:
        raise FatalError(
            f"baseline {path} already has {labels} labelled entries, which 'baseline create' "
            "would drop: run 'staged-secrets baseline update' to keep them, or pass --force"
        )

    settings: dict[str, Any] = detectors.default_settings_json()
    settings["filters_used"] = add_exclusions(settings["filters_used"], exclusions)
    detectors.configure(settings)
    result = scan_index(path, root)

    baseline = Baseline(
        version=FORMAT_VERSION,
        plugins_used=settings["plugins_used"],
        filters_used=settings["filters_used"],
        entries=_entries(result),
    )
    write.save(path, baseline)
    files = len({entry.filename for entry in baseline.entries})
    sys.stdout.write(
        f"Wrote {os.path.relpath(path)}: {plural(len(baseline.entries), 'entry', 'entries')} "
        f"in {plural(files, 'file')} "
        f"({_scan_summary(result)}).\n"
        f"Stage it with 'git add {os.path.relpath(path)}', then label the entries with "
        "'staged-secrets audit'.\n"
    )
    return 0


def staged_renames(root: str) -> dict[str, str]:
    """Map each file renamed between HEAD and the index to its name in HEAD."""
    with _in_folder(root):
        if git.resolve_commit("HEAD") is None:
            return {}
        changes = diff.parse(git.diff_index(staged_base()))
    return {change.new_path: change.old_path for change in changes if change.status == "R"}


def _indexed_paths(root: str) -> set[str]:
    with _in_folder(root):
        return {entry.path for entry in git.index_entries()}


def _write_update_report(path: str, outcome: UpdateOutcome, written: bool) -> None:
    shown = os.path.relpath(path)
    counts = (
        f"{len(outcome.added)} added, {len(outcome.removed)} removed, "
        f"{len(outcome.kept)} kept, {len(outcome.moved)} followed a renamed file; "
        f"{plural(outcome.labels_kept, 'label')} kept, {len(outcome.labels_dropped)} dropped"
    )
    verb = "Updated" if written else "No change to"
    lines = [f"{verb} {shown}: {counts}."]
    for move in outcome.moved:
        lines.append(
            f"  moved: {move.before.filename} -> {move.after.describe()}, "
            f"{describe_label(move.after.is_secret)}"
        )
    for entry in outcome.removed:
        if entry.is_secret is not None:
            lines.append(
                f"  label dropped with its finding: {entry.describe()}, was "
                f"{describe_label(entry.is_secret)}"
            )
    if outcome.added:
        lines.append(
            f"Label the {plural(len(outcome.added), 'new entry', 'new entries')} with "
            "'staged-secrets audit', "
            f"then stage {shown}."
        )
    elif written:
        lines.append(f"Stage {shown} to commit the change.")
    sys.stdout.write("\n".join(lines) + "\n")


def run_update(args: argparse.Namespace) -> int:
    root = git.top_level()
    path = _target(args.baseline, root)
    exclusions = _exclusions(args)
    old = load_baseline(path, allow_custom_plugins=args.allow_custom_plugins, repository_root=root)
    filters = add_exclusions(old.filters_used, exclusions)
    detectors.configure({"plugins_used": old.plugins_used, "filters_used": filters})
    result = scan_index(path, root)

    outcome = reconcile(
        old.entries,
        result.findings,
        renamed_from=staged_renames(root),
        indexed=_indexed_paths(root),
        slim=old.slim,
    )
    updated = Baseline(
        version=FORMAT_VERSION,
        plugins_used=old.plugins_used,
        filters_used=filters,
        entries=outcome.entries,
        extra=old.extra,
        slim=old.slim,
    )
    written = write.save(path, updated)
    _write_update_report(path, outcome, written)
    return 0
