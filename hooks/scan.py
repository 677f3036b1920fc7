"""The `scan` command: staged changes, a range of commits, or every indexed file."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence

from staged_secrets.baseline.load import load_baseline
from staged_secrets.baseline.model import Baseline, Identity
from staged_secrets.hooks import commit_range, detectors, diff, git, report
from staged_secrets.hooks.changes import (
    Finding,
    ScanResult,
    SkippedFile,
    scan_changes,
    scan_whole_files,
)
from staged_secrets.hooks.diff import FileChange
from staged_secrets.hooks.errors import FatalError
from staged_secrets.hooks.parallel import Progress
from staged_secrets.hooks.words import plural

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

    def __init__(self, path: str, baseline: Baseline | None, given: str | None = None) -> None:
        self.path = path
        self.baseline = baseline
        self.given = given

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
    # Reports show the path relative to the current folder, where the user
    # runs the commands they suggest.
    shown = os.path.relpath(path)
    if given is None and missing_ok and not os.path.exists(path):
        detectors.configure(detectors.default_settings_json())
        return BaselineChoice(shown, None, given)

    baseline = load_baseline(path, allow_custom_plugins=allow_custom_plugins, repository_root=root)
    detectors.configure(baseline.settings_json())
    return BaselineChoice(shown, baseline, given)


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


def new_findings(
    result: ScanResult,
    known: set[Identity],
    commit_baselines: Mapping[str, frozenset[Identity]] | None = None,
) -> list[Finding]:
    """Return the findings no baseline entry covers (a renamed file keeps its entries).

    For a range scan, COMMIT_BASELINES maps a commit to the entries of the
    baseline stored in that commit; they cover that commit's findings too.
    """
    new = []
    for finding in result.findings:
        covering = known
        if finding.commit and commit_baselines and finding.commit in commit_baselines:
            covering = known | commit_baselines[finding.commit]
        identity = Identity(finding.filename, finding.type, finding.hashed_secret)
        if identity in covering:
            continue
        if finding.old_filename and identity._replace(filename=finding.old_filename) in covering:
            continue
        new.append(finding)
    return new


def staged_base() -> str:
    """Return what the index is compared with: HEAD, or the empty tree before the first commit."""
    return git.head_commit() or git.empty_tree()


def staged_changes() -> tuple[list[FileChange], set[str]]:
    """Return the staged changes to scan, and every path that differs from a base.

    While a merge is being committed (MERGE_HEAD exists), the index is
    compared with HEAD and with each merged commit, and only lines that no
    parent has count as added. So a secret already on either branch is not
    reported again, while a secret typed while resolving a conflict is.
    """
    bases = [staged_base(), *git.merge_heads()]
    per_base = [diff.parse(git.diff_index(base)) for base in bases]
    changed = {change.new_path for changes in per_base for change in changes}
    if len(per_base) == 1:
        return per_base[0], changed
    return commit_range.merge_changes(per_base), changed


def scan_staged(paths: Sequence[str], baseline_path: str | None) -> tuple[ScanResult, str | None]:
    """Scan the added lines of the staged changes, optionally limited to PATHS.

    When PATHS name a file that differs from no base, the paths were not
    taken from the staged change: `pre-commit run --all-files` and
    `--files` pass them so. Every named file is then scanned whole, as
    staged, and the second value describes that scope.
    """
    changes, changed = staged_changes()
    skip = [baseline_path] if baseline_path else []
    if not paths:
        return scan_changes(changes, skip_paths=skip), None

    entries = git.index_entries()
    check_paths_exist(paths, [entry.path for entry in entries], changed)
    named = set(paths)
    if any(entry.path in named and entry.path not in changed for entry in entries):
        chosen = [
            (entry.path, entry.mode, entry.object_name)
            for entry in entries
            if _selected(entry.path, paths) and entry.path not in skip
        ]
        return scan_whole_files(chosen), "whole staged content of the named files"

    selected = [change for change in changes if _selected(change.new_path, paths)]
    return scan_changes(selected, skip_paths=skip), None


def check_paths_exist(paths: Sequence[str], indexed: Sequence[str], changed: set[str]) -> None:
    """Raise FatalError for a PATH that is in neither the index, the work tree nor a change.

    A path that exists but has no staged change is valid: pre-commit passes
    such paths for `run --files` and `run --all-files`. Paths are relative
    to the top of the work tree, which must be the current folder.
    """
    known: set[str] | None = None
    for path in paths:
        if path == "" or os.path.lexists(path):
            continue
        if known is None:
            known = _paths_and_folders([*indexed, *changed])
        if path.rstrip("/") not in known:
            raise FatalError(
                f"path not found: {path!r} is neither in the index nor in the work tree"
            )


def _paths_and_folders(paths: Sequence[str]) -> set[str]:
    found = set(paths)
    for path in paths:
        parts = path.split("/")
        found.update("/".join(parts[:depth]) for depth in range(1, len(parts)))
    return found


def scan_all_files(
    baseline_path: str | None, progress: Progress | None = None, paths: Sequence[str] = ()
) -> ScanResult:
    """Scan the staged content of every file in the index except the baseline.

    PATHS, when given, limit the scan to those files and folders. Runs git in
    the current folder, which must be the top of the work tree because
    `git ls-files` prints paths relative to it.
    """
    indexed = git.index_entries()
    if paths:
        check_paths_exist(paths, [entry.path for entry in indexed], set())
    entries = [
        (entry.path, entry.mode, entry.object_name)
        for entry in indexed
        if entry.path != baseline_path and (not paths or _selected(entry.path, paths))
    ]
    return scan_whole_files(entries, progress)


def range_request(args: argparse.Namespace) -> tuple[commit_range.RangeRequest | None, bool]:
    """Return the range to scan, if any, and whether PATHs apply to it.

    --from-ref/--to-ref on the command line win over pre-commit's
    environment. Under pre-commit, the file names it passes are ignored: it
    lists the files that differ between the two refs, which leaves out a
    file added and removed again inside the range.
    """
    if args.from_ref or args.to_ref:
        return commit_range.RangeRequest(args.from_ref or None, args.to_ref or None), True
    return commit_range.request_from_environment(os.environ), False


def check_options(args: argparse.Namespace) -> None:
    """Reject option combinations that would silently ignore one of the options."""
    if args.all_files and (args.from_ref or args.to_ref):
        raise FatalError(
            "--all-files cannot be combined with --from-ref/--to-ref: a range scan reads "
            "the commits' changes; drop one of them"
        )


def run(args: argparse.Namespace) -> int:
    check_options(args)
    request, paths_apply = range_request(args)
    # A range scan reads only git objects, so it also runs in a bare
    # repository, where paths are taken relative to the current folder.
    if request is not None and not git.inside_work_tree():
        git.run(["rev-parse", "--git-dir"])
        root = os.getcwd()
    else:
        root = git.top_level()
    paths = relative_to_root(args.paths, root)
    choice = open_baseline(args.baseline, root, args.allow_custom_plugins)
    baseline_path = baseline_repository_path(choice, root)
    os.chdir(root)

    commit_baselines: Mapping[str, frozenset[Identity]] = {}
    scope: str | None
    if request is not None:
        scanned = commit_range.scan_range(request, baseline_path, paths if paths_apply else ())
        result, scope, commit_baselines = scanned
    elif args.all_files:
        result = scan_all_files(baseline_path, paths=paths)
        scope = "files in the index under the named paths" if paths else "all files in the index"
    else:
        result, scope = scan_staged(paths, baseline_path)

    new = new_findings(result, choice.identities(), commit_baselines)
    whole_files = request is None and (args.all_files or scope is not None)
    context = report.ReportContext(
        choice.path, choice.found, scope, choice.given is not None, whole_files
    )
    if args.format == "json":
        report.write_json(sys.stdout, result, new, context)
    elif args.format == "sarif":
        from staged_secrets.hooks import sarif

        sarif.write_sarif(sys.stdout, new)
    else:
        report.write_text(sys.stdout, result, new, context)

    unscanned = [skipped for skipped in result.skipped if skipped.blocking]
    if unscanned:
        raise FatalError(unscanned_message(unscanned))
    return 1 if new else 0


def unscanned_message(unscanned: Sequence[SkippedFile]) -> str:
    """Explain why files too large to scan block the commit, and the ways forward."""
    first = unscanned[0]
    others = f" and {plural(len(unscanned) - 1, 'more file')}" if len(unscanned) > 1 else ""
    return (
        f"{report.display_path(first.filename)} ({first.reason}){others} could not be scanned "
        "and may hold a secret: split the file, exclude it with "
        "'staged-secrets baseline update --exclude-files REGEX', or, once you have checked it, "
        "commit with SKIP=staged-secrets"
    )
