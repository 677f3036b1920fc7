"""Scan every commit of a range, each against its parents, from git objects only.

The commits are listed by one `git rev-list`; their diffs come from one
`git diff-tree --stdin` stream and their blobs from one `git cat-file
--batch` process per batch of commits, so the number of git processes does
not grow with the number of commits. A merge commit reports only the lines
that none of its parents has.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from staged_secrets.baseline.model import Identity
from staged_secrets.hooks import diff, git
from staged_secrets.hooks.changes import ScanResult, scan_changes
from staged_secrets.hooks.diff import FileChange
from staged_secrets.hooks.errors import FatalError

# Commits whose diffs and blobs are held in memory at once.
COMMITS_PER_BATCH = 200


class RangeRequest(NamedTuple):
    """The commits to scan: FROM..TO, or TO's commits that no remote has yet.

    `pushing` marks a pre-push run. Commits that a remote-tracking branch
    already contains were pushed before, so they are left out.
    """

    from_ref: str | None
    to_ref: str | None
    pushing: bool = False


class RangeScan(NamedTuple):
    """A range scan's findings, with the baseline entries each scanned commit carries."""

    result: ScanResult
    description: str
    commit_baselines: Mapping[str, frozenset[Identity]]


def request_from_environment(environ: Mapping[str, str]) -> RangeRequest | None:
    """Return the range that pre-commit requests through its environment, if any.

    pre-commit 4.7 sets PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF for
    `run --from-ref/--to-ref` and for most pushes, and PRE_COMMIT_REMOTE_NAME
    and PRE_COMMIT_LOCAL_BRANCH only for pushes. When the oldest commit a
    push adds is a root commit (a first push, or a branch with unrelated
    history), pre-commit runs the hooks as `--all-files` without the two
    refs, so the local ref being pushed is scanned instead.
    """
    pushing = bool(environ.get("PRE_COMMIT_REMOTE_NAME"))
    to_ref = environ.get("PRE_COMMIT_TO_REF")
    if to_ref:
        return RangeRequest(environ.get("PRE_COMMIT_FROM_REF") or None, to_ref, pushing)

    local_ref = environ.get("PRE_COMMIT_LOCAL_BRANCH")
    if pushing and local_ref:
        return RangeRequest(None, local_ref, pushing=True)
    return None


def _require_commit(ref: str, option: str) -> str:
    commit = git.resolve_commit(ref)
    if commit is None:
        raise FatalError(
            f"{option} {ref!r} is not a commit in this repository: fetch it, or name another"
        )
    return commit


def is_deletion(request: RangeRequest) -> bool:
    """Return whether REQUEST pushes a branch deletion (TO is all zeros)."""
    return bool(request.to_ref) and git.is_null_object(request.to_ref or "")


def range_commits(request: RangeRequest) -> list[git.CommitParents]:
    """List the commits to scan, oldest first, with their parents.

    A FROM of all zeros (git's name for a branch the remote does not have)
    or no FROM at all selects TO's commits that no remote-tracking branch
    contains.
    """
    if request.to_ref is None:
        raise FatalError("--from-ref needs --to-ref: name the last commit to scan")
    if is_deletion(request):
        return []

    revisions = [_require_commit(request.to_ref, "--to-ref"), "--not"]
    from_ref = request.from_ref
    new_branch = from_ref is None or git.is_null_object(from_ref)
    if from_ref is not None and not new_branch:
        revisions.append(_require_commit(from_ref, "--from-ref"))
    if new_branch or request.pushing:
        revisions.append("--remotes")
    records = git.commits_with_parents(revisions)
    check_not_shallow(records)
    return records


SHALLOW_MESSAGE = (
    "the repository is a shallow clone: fetch the full history "
    "(git fetch --unshallow, or fetch-depth: 0 in actions/checkout)"
)


def check_not_shallow(records: Sequence[git.CommitParents]) -> None:
    """Raise FatalError when a commit to scan is a shallow clone's cut-off.

    git lists such a commit without parents, so it would be scanned as a
    root commit and its whole tree reported as added.
    """
    boundary = shallow_commits()
    if any(record.commit in boundary for record in records):
        raise FatalError(SHALLOW_MESSAGE)


def shallow_commits() -> set[str]:
    """Return the commits whose parents a shallow clone did not fetch (git's `shallow` file)."""
    path = git.git_dir_path("shallow")
    try:
        with open(path, encoding="ascii") as shallow:
            return set(shallow.read().split())
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as error:
        raise FatalError(f"{path} could not be read ({error}): check the repository") from error


def describe(request: RangeRequest, commit_count: int) -> str:
    """Return the scope line of the report for REQUEST."""
    if is_deletion(request):
        return "branch deletion, nothing to scan"
    commits = "commit" if commit_count == 1 else "commits"
    new_branch = request.from_ref is None or git.is_null_object(request.from_ref)
    if new_branch:
        return f"{commit_count} {commits} not on any remote-tracking branch"
    if request.pushing:
        return f"{commit_count} pushed {commits} not on any remote-tracking branch"
    return f"{commit_count} {commits}"


def split_sections(output: bytes, commits: Sequence[str]) -> list[bytes]:
    """Cut a `diff-tree --stdin --always -z` stream into one section per input line.

    Each section starts with the header `COMMIT` NUL, then the raw records
    (which start with ':' and end with an extra NUL), then the patch. The
    raw records are skipped by their NUL structure, because paths may hold
    any byte. The patch ends where a line starts with the next header: no
    patch line can, since patch lines start with a diff marker, a space or
    an extended header word, and git quotes paths that contain a newline.
    """
    sections: list[bytes] = []
    position = 0
    for index, commit in enumerate(commits):
        header = commit.encode("ascii") + b"\0"
        if not output.startswith(header, position):
            raise FatalError(f"git diff-tree output for commit {commit} could not be parsed")
        start = position + len(header)
        next_header = (
            commits[index + 1].encode("ascii") + b"\0" if index + 1 < len(commits) else None
        )
        end = _section_end(output, start, next_header, commit)
        sections.append(output[start:end])
        position = end

    if position != len(output):
        raise FatalError("git diff-tree output has more sections than commits requested")
    return sections


def _section_end(output: bytes, start: int, next_header: bytes | None, commit: str) -> int:
    if not output.startswith(b":", start):
        return start

    raw_end = output.find(b"\0\0", start)
    if raw_end < 0:
        raise FatalError(f"git diff-tree output for commit {commit} has no patch")
    patch_start = raw_end + 2
    if next_header is None:
        return len(output)
    if output.startswith(next_header, patch_start):
        return patch_start
    found = output.find(b"\n" + next_header, patch_start)
    if found < 0:
        raise FatalError(f"git diff-tree output after commit {commit} could not be parsed")
    return found + 1


def merge_changes(per_parent: Sequence[Sequence[FileChange]]) -> list[FileChange]:
    """Combine a merge result's diffs against each parent: keep only lines no parent has.

    A line is new when the diff against every parent adds it, so a file
    that equals some parent's version adds nothing. The first parent's
    change supplies the status, objects and old path of the result.
    """
    first, *others = per_parent
    other_maps = [
        {change.new_path: change for change in changes if not change.is_deletion}
        for changes in others
    ]
    merged: list[FileChange] = []
    for change in first:
        if change.is_deletion or change.new_mode == git.SUBMODULE_MODE:
            continue
        counterparts = [mapping.get(change.new_path) for mapping in other_maps]
        present = [counterpart for counterpart in counterparts if counterpart is not None]
        if len(present) < len(counterparts):
            continue
        combined = _intersect_added_lines([change, *present])
        if combined is not None:
            merged.append(combined)
    return merged


def _intersect_added_lines(changes: Sequence[FileChange]) -> FileChange | None:
    first = changes[0]
    if first.git_says_binary:
        # NOTE: git prints no hunks for content it calls binary (such as
        # UTF-16), so such a file is compared with the first parent only.
        return first

    # A type change replaces the whole file, and a parent whose version git
    # calls binary shares no text lines with it, so neither rules out a line.
    line_sets = [
        change.added_lines()
        for change in changes
        if not change.whole_file and not change.git_says_binary
    ]
    if not line_sets:
        return first

    added = set.intersection(*line_sets)
    if not added:
        return None
    combined = FileChange(
        first.status,
        first.old_mode,
        first.new_mode,
        first.old_object,
        first.new_object,
        first.old_path,
        first.new_path,
        added_ranges=[(line, 1) for line in sorted(added)],
    )
    return combined


def read_commit_changes(records: Sequence[git.CommitParents]) -> dict[str, list[FileChange]]:
    """Return each commit's changes against its parents, from one diff-tree process."""
    pairs: list[tuple[str, str | None]] = []
    for record in records:
        if record.parents:
            pairs.extend((record.commit, parent) for parent in record.parents)
        else:
            pairs.append((record.commit, None))
    if not pairs:
        return {}

    sections = split_sections(git.diff_tree_pairs(pairs), [commit for commit, _ in pairs])
    per_pair = [diff.parse(section) for section in sections]

    changes: dict[str, list[FileChange]] = {}
    index = 0
    for record in records:
        count = max(1, len(record.parents))
        group = per_pair[index : index + count]
        index += count
        changes[record.commit] = list(group[0]) if count == 1 else merge_changes(group)
    return changes


def _batches(records: Sequence[git.CommitParents], size: int) -> Iterator[list[git.CommitParents]]:
    for start in range(0, len(records), size):
        yield list(records[start : start + size])


def _selected(path: str, selection: Sequence[str]) -> bool:
    return any(
        chosen in ("", path) or path.startswith(chosen.rstrip("/") + "/") for chosen in selection
    )


def scan_range(
    request: RangeRequest, baseline_path: str | None, paths: Sequence[str] = ()
) -> RangeScan:
    """Scan each commit of REQUEST's range; each finding names its commit.

    PATHS, when given, limit the scan to those files and folders. The
    baseline file itself is never scanned.
    """
    if is_deletion(request):
        return RangeScan(ScanResult(), describe(request, 0), {})

    records = range_commits(request)
    skip = [baseline_path] if baseline_path else []
    result = ScanResult()
    with git.BlobReader() as reader:
        for batch in _batches(records, COMMITS_PER_BATCH):
            changes = read_commit_changes(batch)
            if paths:
                changes = {
                    commit: [c for c in commit_changes if _selected(c.new_path, paths)]
                    for commit, commit_changes in changes.items()
                }
            for record in batch:
                result.extend(
                    scan_changes(changes[record.commit], record.commit, skip, reader=reader)
                )

    with_findings = sorted({finding.commit for finding in result.findings if finding.commit})
    baselines = commit_baselines(with_findings, baseline_path) if baseline_path else {}
    return RangeScan(result, describe(request, len(records)), baselines)


def commit_baselines(commits: Sequence[str], baseline_path: str) -> dict[str, frozenset[Identity]]:
    """Return the identities listed in each commit's own copy of the baseline file.

    A finding that the baseline stored in its own commit covers was
    accepted when that commit was made, even if a later commit dropped the
    entry together with the secret. A copy that cannot be read as a baseline
    covers nothing, so it can only add findings, never hide one.
    """
    blob_names = git.blob_names_at(commits, baseline_path)
    blobs = git.read_blobs(blob_names.values())
    parsed = {name: _identities_in(content) for name, content in blobs.items()}
    return {commit: parsed[name] for commit, name in blob_names.items()}


def _identities_in(content: bytes) -> frozenset[Identity]:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return frozenset()
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict):
        return frozenset()

    identities = set()
    for filename, items in results.items():
        if not isinstance(items, list):
            continue
        for item in items:
            if not isinstance(item, dict):
                continue
            secret_type = item.get("type")
            hashed_secret = item.get("hashed_secret")
            if isinstance(secret_type, str) and isinstance(hashed_secret, str):
                identities.add(Identity(filename, secret_type, hashed_secret))
    return frozenset(identities)
