"""The `baseline` sub-commands: create and update."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from staged_secrets.baseline import write
from staged_secrets.baseline.load import load_baseline
from staged_secrets.baseline.model import FORMAT_VERSION, Baseline, BaselineEntry
from staged_secrets.hooks import detectors, git
from staged_secrets.hooks.changes import Finding
from staged_secrets.hooks.scan import DEFAULT_BASELINE, BaselineChoice, baseline_repository_path


def add_create_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline", default=None, help=f"file to write (default: {DEFAULT_BASELINE})"
    )


def add_update_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline", default=None, help=f"file to update (default: {DEFAULT_BASELINE})"
    )
    parser.add_argument(
        "--allow-custom-plugins",
        action="store_true",
        help="trust plugin and filter code paths named in the baseline (they run as code)",
    )


def _target(given: str | None, root: str) -> str:
    return given if given is not None else os.path.join(root, DEFAULT_BASELINE)


def _scan_index(baseline_file: str, root: str) -> list[Finding]:
    from staged_secrets.hooks.scan import scan_all_files

    repository_path = baseline_repository_path(BaselineChoice(baseline_file, None), root)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return scan_all_files(repository_path).findings
    finally:
        os.chdir(cwd)


def _entries(findings: list[Finding]) -> list[BaselineEntry]:
    return [
        BaselineEntry(
            filename=finding.filename,
            type=finding.type,
            hashed_secret=finding.hashed_secret,
            line_number=finding.line_number,
        )
        for finding in findings
    ]


def run_create(args: argparse.Namespace) -> int:
    root = git.top_level()
    path = _target(args.baseline, root)
    settings: dict[str, Any] = detectors.default_settings_json()
    detectors.configure(settings)
    findings = _scan_index(path, root)

    baseline = Baseline(
        version=FORMAT_VERSION,
        plugins_used=settings["plugins_used"],
        filters_used=settings["filters_used"],
        entries=_entries(findings),
    )
    write.save(path, baseline)
    files = len({entry.filename for entry in baseline.entries})
    sys.stdout.write(
        f"Wrote {path}: {len(baseline.entries)} entries in {files} files. "
        f"Stage it with 'git add {os.path.relpath(path)}', then label entries with "
        "'staged-secrets audit'.\n"
    )
    return 0


def run_update(args: argparse.Namespace) -> int:
    root = git.top_level()
    path = _target(args.baseline, root)
    old = load_baseline(path, allow_custom_plugins=args.allow_custom_plugins, repository_root=root)
    detectors.configure(old.settings_json())
    findings = _scan_index(path, root)

    previous = old.entry_map()
    entries: list[BaselineEntry] = []
    kept = labels_kept = 0
    for entry in _entries(findings):
        earlier = previous.get(entry.identity)
        if earlier is not None:
            kept += 1
            if earlier.is_secret is not None:
                labels_kept += 1
            entry.is_secret = earlier.is_secret
            entry.is_verified = earlier.is_verified
            entry.extra = dict(earlier.extra)
        entries.append(entry)

    current = {entry.identity for entry in entries}
    removed = [identity for identity in previous if identity not in current]
    added = len(entries) - kept
    old.entries = entries
    write.save(path, old)
    sys.stdout.write(
        f"Updated {path}: {added} added, {len(removed)} removed, {kept} kept "
        f"({labels_kept} with labels).\n"
    )
    return 0
