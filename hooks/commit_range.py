"""Scan every commit of a range, each against its parents, from git objects only."""

from __future__ import annotations

from staged_secrets.hooks import diff, git
from staged_secrets.hooks.changes import ScanResult, scan_changes
from staged_secrets.hooks.diff import FileChange
from staged_secrets.hooks.errors import FatalError


def _require_commit(ref: str) -> str:
    commit = git.resolve_commit(ref)
    if commit is None:
        raise FatalError(f"{ref!r} is not a commit in this repository")
    return commit


def commit_changes(commit: str) -> list[FileChange]:
    """Return COMMIT's changes; for a merge, only lines added relative to every parent."""
    parents = git.parents(commit)
    if not parents:
        return diff.parse(git.diff_trees(git.empty_tree(), commit))
    if len(parents) == 1:
        return diff.parse(git.diff_trees(parents[0], commit))

    per_parent = [diff.parse(git.diff_trees(parent, commit)) for parent in parents]
    return merge_changes(per_parent)


def merge_changes(per_parent: list[list[FileChange]]) -> list[FileChange]:
    """Keep the lines of a merge result that appear in no parent.

    A line counts as new only when the diff against each parent adds it; a
    file unchanged against some parent adds nothing.
    """
    first, *others = per_parent
    other_maps = [{change.new_path: change for change in changes} for changes in others]
    merged: list[FileChange] = []
    for change in first:
        if change.is_deletion or change.new_mode == git.SUBMODULE_MODE:
            continue
        counterparts = [mapping.get(change.new_path) for mapping in other_maps]
        if any(c is None or c.is_deletion for c in counterparts):
            continue
        if change.git_says_binary or change.whole_file:
            merged.append(change)
            continue
        added = change.added_lines()
        for counterpart in counterparts:
            assert counterpart is not None
            if counterpart.git_says_binary or counterpart.whole_file:
                continue
            added &= counterpart.added_lines()
        change.added_ranges = [(line, 1) for line in sorted(added)]
        merged.append(change)
    return merged


def range_commits(from_ref: str | None, to_ref: str | None) -> list[str]:
    """List the commits to scan, oldest first.

    Without FROM_REF (a branch new to the remote), the commits of TO_REF
    that no remote-tracking branch contains are scanned.
    """
    if to_ref is None:
        raise FatalError("--from-ref needs --to-ref")
    to_commit = _require_commit(to_ref)
    if from_ref is None or git.is_null_object(from_ref):
        output = git.run(["rev-list", "--reverse", "--topo-order", to_commit, "--not", "--remotes"])
        return output.decode("ascii").split()
    from_commit = _require_commit(from_ref)
    return git.commits_in_range(from_commit, to_commit)


def scan_range(
    from_ref: str | None, to_ref: str | None, baseline_path: str | None
) -> tuple[ScanResult, str]:
    """Scan each commit in FROM..TO; each finding names its commit."""
    if to_ref is not None and git.is_null_object(to_ref):
        return ScanResult(), "branch deletion, nothing to scan"

    commits = range_commits(from_ref, to_ref)
    skip = [baseline_path] if baseline_path else []
    result = ScanResult()
    for commit in commits:
        result.extend(scan_changes(commit_changes(commit), commit=commit, skip_paths=skip))
    return result, f"{len(commits)} commits"
