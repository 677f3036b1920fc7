"""Every git call the product makes.

The calls use plumbing commands with NUL-separated output and explicit
options, so that the user's git configuration (prefixes, colour, external
diff drivers, textconv, rename settings, path quoting) cannot change what the
scanner sees. The environment is passed through unchanged because git's
temporary index arrives as `GIT_INDEX_FILE` during `git commit -a` and
`git commit PATH`. No call here writes the index.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterable, Sequence

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

# The same options without the patch, for listing changed files only.
RAW_DIFF_OPTIONS = tuple(option for option in DIFF_OPTIONS if option not in ("-p", "-U0"))

SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"
NULL_SHA_CHARS = frozenset("0")


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    # Read-only commands must not take the index lock or refresh the index.
    environment["GIT_OPTIONAL_LOCKS"] = "0"
    environment.pop("GIT_EXTERNAL_DIFF", None)
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
    """Return the raw and patch output of the index against tree-ish BASE.

    The staged blobs start loading (see `read_blobs`) while git computes the
    patch, which for a large file takes as long as reading the blob.
    """
    global _prefetch
    raw = run(["diff-index", "--cached", *RAW_DIFF_OPTIONS, *RENAME_OPTIONS, base, "--"])
    names = _new_blob_names(raw)
    _prefetch = _BlobPrefetch(names) if names else None
    return run(["diff-index", "--cached", *DIFF_OPTIONS, *RENAME_OPTIONS, base, "--"])


def _new_blob_names(raw: bytes) -> list[str]:
    from staged_secrets.hooks.diff import parse_raw

    return [
        change.new_object
        for change in parse_raw(raw)
        if change.status not in "DU"
        and change.new_mode != SUBMODULE_MODE
        and not is_null_object(change.new_object)
    ]


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


class _BlobPrefetch:
    """Blobs read by a `git cat-file --batch` process in a background thread."""

    def __init__(self, object_names: list[str]) -> None:
        self.object_names = frozenset(object_names)
        self._blobs: dict[str, bytes] | None = None
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        # A failure leaves _blobs unset; read_blobs then reads again in the
        # calling thread, where the error is raised.
        with contextlib.suppress(Exception):
            self._blobs = _read_blobs_now(sorted(self.object_names))

    def take(self, object_names: set[str]) -> dict[str, bytes] | None:
        """Return the blobs OBJECT_NAMES when this prefetch read them all, else None."""
        if not object_names <= self.object_names:
            return None
        self._thread.join()
        if self._blobs is None:
            return None
        return {name: self._blobs[name] for name in object_names}


# Started by diff_index for the staged blobs, taken by the next read_blobs.
_prefetch: _BlobPrefetch | None = None


def read_blobs(object_names: Iterable[str]) -> dict[str, bytes]:
    """Read blobs through one `git cat-file --batch` process.

    A missing object is a FatalError: the scan must not pass over content it
    could not read.
    """
    global _prefetch
    wanted = set(object_names)
    if not wanted:
        return {}
    if _prefetch is not None:
        prefetched = _prefetch.take(wanted)
        _prefetch = None
        if prefetched is not None:
            return prefetched
    return _read_blobs_now(sorted(wanted))


def _read_blobs_now(wanted: list[str]) -> dict[str, bytes]:
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


# Parents of the commits that commits_in_range listed, so that a range scan
# does not start one more git process per commit. The keys are full commit
# names, and a commit's parents never change.
_known_parents: dict[str, list[str]] = {}


def commits_in_range(from_ref: str, to_ref: str) -> list[str]:
    """List the commits in FROM..TO, oldest first."""
    output = run(
        ["rev-list", "--reverse", "--topo-order", "--parents", f"{from_ref}..{to_ref}", "--"]
    )
    commits: list[str] = []
    for line in output.decode("ascii").splitlines():
        commit, *commit_parents = line.split()
        _known_parents[commit] = commit_parents
        commits.append(commit)
    return commits


def parents(commit: str) -> list[str]:
    """Return the parent commits of COMMIT, first parent first."""
    known = _known_parents.get(commit)
    if known is not None:
        return list(known)
    output = run(["rev-list", "--parents", "-n", "1", commit, "--"]).decode("ascii").split()
    return output[1:]


def git_dir_path(name: str) -> str:
    """Return the path of file NAME inside the repository's git folder."""
    return run(["rev-parse", "--git-path", name]).decode("utf-8", "surrogateescape").strip()


def is_null_object(object_name: str) -> bool:
    return set(object_name) <= NULL_SHA_CHARS
