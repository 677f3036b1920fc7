"""Every git call the product makes.

The calls use plumbing commands with NUL-separated output and explicit
options, so that the user's git configuration (prefixes, colour, external
diff drivers, textconv, rename settings, path quoting) cannot change what the
scanner sees. The environment is passed through unchanged because git's
temporary index arrives as `GIT_INDEX_FILE` during `git commit -a` and
`git commit PATH`. No call here writes the index.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from staged_secrets.hooks.errors import FatalError

# Options that pin how diffs are computed and printed, whatever the user's
# configuration says (diff.noprefix, diff.mnemonicPrefix, color.ui,
# diff.external, textconv attributes, diff.algorithm, diff.orderFile,
# diff.renames, diff.relative).
DIFF_OPTIONS = (
    "-z",
    "--raw",
    "-p",
    "-U0",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--diff-algorithm=myers",
    "--no-indent-heuristic",
    "--no-relative",
    "--ignore-submodules=none",
    "-O/dev/null",
)

RENAME_OPTIONS = ("-M", "-l0")

SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"
NULL_SHA_CHARS = frozenset("0")


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    # Read-only commands must not take the index lock or refresh the index.
    environment["GIT_OPTIONAL_LOCKS"] = "0"
    environment.pop("GIT_EXTERNAL_DIFF", None)
    # GIT_DIFF_OPTS=--unified=N overrides -U0 and would add context lines to hunks.
    environment.pop("GIT_DIFF_OPTS", None)
    environment["GIT_LITERAL_PATHSPECS"] = "1"
    return environment


def run(args: Sequence[str], stdin: bytes | None = None) -> bytes:
    """Run `git ARGS` and return its standard output.

    Raises FatalError with git's first line of error output when git fails.
    """
    command = ["git", "-c", "core.quotePath=false", *args]
    try:
        completed = subprocess.run(
            command,
            input=stdin,
            capture_output=True,
            env=_environment(),
            check=False,
        )
    except OSError as error:
        raise FatalError(f"could not run git: {error.strerror}") from error

    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[-1] if message else f"exit code {completed.returncode}"
        raise FatalError(f"git {args[0]} failed: {reason}")

    return completed.stdout


def succeeds(args: Sequence[str]) -> bool:
    """Return whether `git ARGS` exits 0, discarding its output."""
    completed = subprocess.run(
        ["git", *args],
        capture_output=True,
        env=_environment(),
        check=False,
    )
    return completed.returncode == 0


def top_level() -> str:
    """Return the absolute path of the work tree's top folder."""
    output = run(["rev-parse", "--show-toplevel"]).decode("utf-8", "surrogateescape")
    path = output.rstrip("\n")
    if not path:
        raise FatalError("not inside a git work tree: run this command in a repository")
    return path


def resolve_commit(ref: str) -> str | None:
    """Return the full object name of commit REF, or None when it does not exist."""
    completed = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
        capture_output=True,
        env=_environment(),
        check=False,
    )
    if completed.returncode != 0:
        return None
    return completed.stdout.decode("ascii").strip()


def empty_tree() -> str:
    """Return the object name of the empty tree in this repository's hash format."""
    return run(["hash-object", "-t", "tree", "--stdin"], stdin=b"").decode("ascii").strip()


def diff_index(base: str) -> bytes:
    """Return the raw and patch output of the index against tree-ish BASE."""
    return run(["diff-index", "--cached", *DIFF_OPTIONS, *RENAME_OPTIONS, base, "--"])


def diff_trees(old: str, new: str) -> bytes:
    """Return the raw and patch output of tree-ish NEW against tree-ish OLD."""
    return run(["diff-tree", "-r", *DIFF_OPTIONS, *RENAME_OPTIONS, old, new, "--"])


class IndexEntry:
    """One stage-0 entry of the index: its mode, blob name and path."""

    __slots__ = ("mode", "object_name", "path")

    def __init__(self, mode: str, object_name: str, path: str) -> None:
        self.mode = mode
        self.object_name = object_name
        self.path = path


def index_entries() -> list[IndexEntry]:
    """List the index's entries; conflicted paths (stages 1 to 3) are an error."""
    output = run(["ls-files", "--stage", "-z"])
    entries: list[IndexEntry] = []
    for record in output.split(b"\0"):
        if not record:
            continue
        info, _, raw_path = record.partition(b"\t")
        mode, object_name, stage = info.decode("ascii").split(" ")
        path = raw_path.decode("utf-8", "surrogateescape")
        if stage != "0":
            raise FatalError(f"{path} has unresolved merge conflicts: resolve them and stage it")
        entries.append(IndexEntry(mode, object_name, path))
    return entries


def read_blobs(object_names: Iterable[str]) -> dict[str, bytes]:
    """Read blobs through one `git cat-file --batch` process.

    A missing object is a FatalError: the scan must not pass over content it
    could not read.
    """
    wanted = sorted(set(object_names))
    if not wanted:
        return {}

    output = run(["cat-file", "--batch"], stdin="".join(f"{name}\n" for name in wanted).encode())
    blobs: dict[str, bytes] = {}
    position = 0
    for name in wanted:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].decode("ascii", "replace").split(" ")
        if len(header) != 3:
            raise FatalError(f"git object {name} could not be read: {' '.join(header[1:])}")
        size = int(header[2])
        start = header_end + 1
        blobs[name] = output[start : start + size]
        position = start + size + 1
    return blobs


def commits_in_range(from_ref: str, to_ref: str) -> list[str]:
    """List the commits in FROM..TO, oldest first."""
    output = run(["rev-list", "--reverse", "--topo-order", f"{from_ref}..{to_ref}", "--"])
    return output.decode("ascii").split()


def parents(commit: str) -> list[str]:
    """Return the parent commits of COMMIT, first parent first."""
    output = run(["rev-list", "--parents", "-n", "1", commit, "--"]).decode("ascii").split()
    return output[1:]


class CommitParents(NamedTuple):
    """A commit and its parents, first parent first (none for a root commit)."""

    commit: str
    parents: tuple[str, ...]


def commits_with_parents(revisions: Sequence[str]) -> list[CommitParents]:
    """List the commits that `git rev-list REVISIONS` selects, oldest first, with their parents.

    REVISIONS are full object names and rev-list options such as `--not`
    and `--remotes`; one process lists the whole range.
    """
    output = run(["rev-list", "--parents", "--reverse", "--topo-order", *revisions, "--"])
    records = []
    for line in output.decode("ascii").splitlines():
        commit, *commit_parents = line.split()
        records.append(CommitParents(commit, tuple(commit_parents)))
    return records


def diff_tree_pairs(pairs: Sequence[tuple[str, str | None]]) -> bytes:
    """Return one `git diff-tree --stdin` stream for many (commit, parent) pairs.

    Each pair is one input line, `COMMIT PARENT`, or `COMMIT` alone for a
    root commit (compared with the empty tree). With `--always` git writes
    the header `COMMIT` NUL for every line, even when the diff is empty, so
    the output contains exactly one section per pair, in input order.
    """
    lines = [f"{commit} {parent}\n" if parent else f"{commit}\n" for commit, parent in pairs]
    return run(
        ["diff-tree", "--stdin", "--always", "--root", "-r", *DIFF_OPTIONS, *RENAME_OPTIONS, "--"],
        stdin="".join(lines).encode("ascii"),
    )


def blob_names_at(commits: Sequence[str], path: str) -> dict[str, str]:
    """Return the blob name of PATH in each commit's tree, for the commits that have one.

    One `git cat-file --batch-check` process looks up every commit. A PATH
    that contains a newline cannot be looked up this way, so the result is
    then empty.
    """
    if not commits or "\n" in path:
        return {}
    request = "".join(f"{commit}:{path}\n" for commit in commits)
    output = run(
        ["cat-file", "--batch-check=%(objectname) %(objecttype)"],
        stdin=request.encode("utf-8", "surrogateescape"),
    )
    found: dict[str, str] = {}
    for commit, line in zip(commits, output.decode("utf-8", "replace").splitlines()):
        fields = line.split(" ")
        # A missing entry is echoed back as `COMMIT:PATH missing`.
        if len(fields) == 2 and fields[1] == "blob":
            found[commit] = fields[0]
    return found


def merge_heads() -> list[str]:
    """Return the commits being merged into HEAD (MERGE_HEAD), or an empty list.

    MERGE_HEAD names one commit per line: more than one for an octopus merge.
    """
    path = git_dir_path("MERGE_HEAD")
    try:
        with open(path, encoding="ascii") as merge_head:
            names = merge_head.read().split()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise FatalError(
            f"{path} could not be read ({error}): finish or abort the merge"
        ) from error

    commits = []
    for name in names:
        commit = resolve_commit(name)
        if commit is None:
            raise FatalError(f"{path} names {name!r}, which is not a commit: abort the merge")
        commits.append(commit)
    return commits


def git_dir_path(name: str) -> str:
    """Return the path of file NAME inside the repository's git folder."""
    return run(["rev-parse", "--git-path", name]).decode("utf-8", "surrogateescape").strip()


def is_null_object(object_name: str) -> bool:
    return set(object_name) <= NULL_SHA_CHARS
