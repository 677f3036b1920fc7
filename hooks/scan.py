"""The `scan` command: staged changes, a range of commits, or every indexed file."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from staged_secrets.baseline.load import load_baseline
from staged_secrets.baseline.model import Baseline, Identity
from staged_secrets.hooks import detectors, diff, git, report
from staged_secrets.hooks.changes import Finding, ScanResult, scan_changes, scan_whole_files
from staged_secrets.hooks.errors import FatalError

DEFAULT_BASELINE = ".secrets.baseline"
FORMATS = ("text", "json", "sarif")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline",
        help=f"baseline file, relative to the current folder (default: {DEFAULT_BASELINE}; "
        "a missing default baseline counts as empty)",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.add_argument("--from-ref", help="scan the commits after this ref (with --to-ref)")
    parser.add_argument("--to-ref", help="scan the commits up to this ref (with --from-ref)")
    parser.add_argument(
        "--all-files", action="store_true", help="scan the whole staged content of every file"
    )
    parser.add_argument(
        "--allow-custom-plugins",
        action="store_true",
        help="trust plugin and filter code paths named in the baseline (they run as code)",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="limit the scan to these paths")


class BaselineChoice:
    """The baseline in force for a command, or the fact that there is none."""

    def __init__(self, path: str, baseline: Baseline | None) -> None:
        self.path = path
        self.baseline = baseline

    @property
    def found(self) -> bool:
        return self.baseline is not None

    def identities(self) -> set[Identity]:
        return self.baseline.identities() if self.baseline else set()


def open_baseline(
    given: str | None, root: str, allow_custom_plugins: bool, missing_ok: bool = True
) -> BaselineChoice:
    """Load the baseline named on the command line, or the default one.

    A missing default baseline counts as empty; a missing baseline that the
    user named is an error. Detectors are configured from its settings.
    """
    path = given if given is not None else os.path.join(root, DEFAULT_BASELINE)
    if given is None and missing_ok and not os.path.exists(path):
        detectors.configure(detectors.default_settings_json())
        return BaselineChoice(os.path.relpath(path), None)

    baseline = load_baseline(path, allow_custom_plugins=allow_custom_plugins, repository_root=root)
    detectors.configure(baseline.settings_json())
    return BaselineChoice(path, baseline)


def relative_to_root(paths: Sequence[str], root: str) -> list[str]:
    """Turn PATHs given relative to the current folder into repository paths."""
    converted = []
    for path in paths:
        # Only the folder is resolved: a PATH that is itself a symbolic link
        # names the link, which is what the index holds.
        folder, name = os.path.split(os.path.abspath(path))
        absolute = os.path.join(os.path.realpath(folder), name)
        relative = os.path.relpath(absolute, os.path.realpath(root))
        if relative == os.curdir:
            relative = ""
        if relative.startswith(os.pardir + os.sep) or relative == os.pardir:
            raise FatalError(f"path {path} is outside the repository at {root}")
        converted.append(relative.replace(os.sep, "/"))
    return converted


def _selected(path: str, selection: Sequence[str]) -> bool:
    return any(
        chosen in ("", path) or path.startswith(chosen.rstrip("/") + "/") for chosen in selection
    )


def baseline_repository_path(choice: BaselineChoice, root: str) -> str | None:
    absolute = os.path.realpath(os.path.abspath(choice.path))
    relative = os.path.relpath(absolute, os.path.realpath(root))
    if relative.startswith(os.pardir):
        return None
    return relative.replace(os.sep, "/")


def new_findings(result: ScanResult, known: set[Identity]) -> list[Finding]:
    """Return the findings no baseline entry covers (a renamed file keeps its entries)."""
    new = []
    for finding in result.findings:
        identity = Identity(finding.filename, finding.type, finding.hashed_secret)
        if identity in known:
            continue
        if finding.old_filename and identity._replace(filename=finding.old_filename) in known:
            continue
        new.append(finding)
    return new


def staged_base() -> str:
    """Return what the index is compared with: HEAD, or the empty tree before the first commit."""
    return git.head_commit() or git.empty_tree()


def scan_staged(paths: Sequence[str], baseline_path: str | None) -> ScanResult:
    """Scan the added lines of the staged changes, optionally limited to PATHS.

    PATHS that have no staged change are scanned whole, which is what
    `pre-commit run --files` and `--all-files` ask for.
    """
    changes = diff.parse(git.diff_index(staged_base()))
    skip = [baseline_path] if baseline_path else []
    if not paths:
        return scan_changes(changes, skip_paths=skip)

    chosen = [c for c in changes if _selected(c.new_path, paths)]
    result = scan_changes(chosen, skip_paths=skip)

    changed = {c.new_path for c in changes}
    unchanged = [
        (entry.path, entry.mode, entry.object_name)
        for entry in git.index_entries()
        if entry.path not in changed and entry.path not in skip and entry.path in set(paths)
    ]
    result.extend(scan_whole_files(unchanged))
    return result


def scan_all_files(baseline_path: str | None) -> ScanResult:
    entries = [
        (entry.path, entry.mode, entry.object_name)
        for entry in git.index_entries()
        if entry.path != baseline_path
    ]
    return scan_whole_files(entries)


def run(args: argparse.Namespace) -> int:
    root = git.top_level()
    paths = relative_to_root(args.paths, root)
    choice = open_baseline(args.baseline, root, args.allow_custom_plugins)
    baseline_path = baseline_repository_path(choice, root)
    os.chdir(root)

    from_ref = args.from_ref or None
    to_ref = args.to_ref or None
    if from_ref is None and to_ref is None and os.environ.get("PRE_COMMIT_TO_REF"):
        from_ref = os.environ.get("PRE_COMMIT_FROM_REF") or None
        to_ref = os.environ["PRE_COMMIT_TO_REF"]
        if not args.all_files:
            paths = []

    range_description = None
    if to_ref is not None or from_ref is not None:
        from staged_secrets.hooks import commit_range

        result, range_description = commit_range.scan_range(from_ref, to_ref, baseline_path)
        if paths:
            result.findings = [f for f in result.findings if _selected(f.filename, paths)]
    elif args.all_files:
        result = scan_all_files(baseline_path)
        range_description = "all files in the index"
    else:
        result = scan_staged(paths, baseline_path)

    new = new_findings(result, choice.identities())
    context = report.ReportContext(choice.path, choice.found, range_description)
    if args.format == "json":
        report.write_json(sys.stdout, result, new, context)
    elif args.format == "sarif":
        from staged_secrets.hooks import sarif

        sarif.write_sarif(sys.stdout, new)
    else:
        report.write_text(sys.stdout, result, new, context)
    return 1 if new else 0
