"""Every git call the product makes.

The calls use plumbing commands with NUL-separated output and explicit
options, so that the user's git configuration (prefixes, colour, external
diff drivers, textconv, rename settings, path quoting) cannot change what the
scanner reads. The environment is passed through, except for the variables
listed in UNSET_VARIABLES, because git's temporary index arrives as
`GIT_INDEX_FILE` during `git commit -a` and `git commit PATH`. No call here
writes the index.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, NamedTuple

from staged_secrets.hooks.errors import FatalError

# Blobs larger than this are neither diffed nor read: git treats them as
# binary (core.bigFileThreshold is pinned to it) and the scanner reports
# them as skipped. Reading stays bounded in memory.
MAX_BLOB_BYTES = 32 * 1024 * 1024

# Configuration pinned on every call, overriding the user's and the
# repository's configuration.
PINNED_CONFIG = (
    "core.quotePath=false",
    f"core.bigFileThreshold={MAX_BLOB_BYTES}",
)

# Options that pin how diffs are computed and printed, overriding the user's
# configuration (diff.noprefix, diff.mnemonicPrefix, color.ui,
# diff.external, textconv attributes, diff.algorithm, diff.orderFile,
# diff.renames, diff.relative, diff.interHunkContext, core.abbrev).
DIFF_OPTIONS = (
    "-z",
    "--raw",
    "-p",
    "-U0",
    "--inter-hunk-context=0",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--diff-algorithm=myers",
    "--no-indent-heuristic",
    "--no-relative",
    "--ignore-submodules=none",
    "--full-index",
    "--no-abbrev",
    # An entry added with `git add -N` has no staged content, and `git commit`
    # leaves it out of the commit. `git commit -a` stages its content in the
    # temporary index, where it is an ordinary new file.
    "--ita-invisible-in-index",
    "-O/dev/null",
)

# Environment variables that would change what git prints or which objects
# it reads: GIT_DIFF_OPTS overrides -U, replace refs would show other
# content than the commit holds, and pathspec magic would reinterpret paths.
UNSET_VARIABLES = (
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_GLOB_PATHSPECS",
    "GIT_NOGLOB_PATHSPECS",
    "GIT_ICASE_PATHSPECS",
    "GIT_REPLACE_REF_BASE",
)

RENAME_OPTIONS = ("-M", "-l0")

# The same options without the patch, for listing the changed files only.
RAW_DIFF_OPTIONS = tuple(option for option in DIFF_OPTIONS if option not in ("-p", "-U0"))

# The background read of staged blobs stops after this many bytes, so that
# a commit of many large files does not hold them all in memory at once.
PREFETCH_MAX_BYTES = 64 * 1024 * 1024

SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"
NULL_SHA_CHARS = frozenset("0")


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    # Read-only commands must not take the index lock or refresh the index.
    environment["GIT_OPTIONAL_LOCKS"] = "0"
    for name in UNSET_VARIABLES:
        environment.pop(name, None)
    environment["GIT_LITERAL_PATHSPECS"] = "1"
    environment["GIT_NO_REPLACE_OBJECTS"] = "1"
    return environment


def _command(args: Sequence[str]) -> list[str]:
    pinned = [part for setting in PINNED_CONFIG for part in ("-c", setting)]
    return ["git", *pinned, *args]


def _completed(
    args: Sequence[str], stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            _command(args),
            input=stdin,
            capture_output=True,
            env=_environment(),
            check=False,
        )
    except OSError as error:
        raise FatalError(f"could not run git: {error.strerror}") from error


def run(args: Sequence[str], stdin: bytes | None = None) -> bytes:
    """Run `git ARGS` and return its standard output.

    Raises FatalError with the last line of git's error output when git fails.
    """
    completed = _completed(args, stdin)
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[-1] if message else f"exit code {completed.returncode}"
        raise FatalError(f"git {args[0]} failed: {reason}")
    return completed.stdout


def top_level() -> str:
    """Return the absolute path of the work tree's top folder."""
    output = run(["rev-parse", "--show-toplevel"]).decode("utf-8", "surrogateescape")
    path = output.rstrip("\n")
    if not path:
        raise FatalError("not inside a git work tree: run this command in a repository")
    return path


def resolve_commit(ref: str) -> str | None:
    """Return the full object name of commit REF, or None when it does not exist."""
    completed = _completed(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"]
    )
    if completed.returncode != 0:
        return None
    return completed.stdout.decode("ascii").strip()


def head_commit() -> str | None:
    """Return the commit HEAD names, or None on a branch with no commit yet.

    A HEAD that names an object git cannot read is a FatalError, not an
    empty history: comparing with the empty tree would hide the damage.
    """
    commit = resolve_commit("HEAD")
    if commit is not None:
        return commit
    named = _completed(["rev-parse", "--quiet", "HEAD", "--"])
    if named.returncode == 0:
        raise FatalError(
            "HEAD names a commit that cannot be read: run 'git fsck' to check the repository"
        )
    return None


def empty_tree() -> str:
    """Return the object name of the empty tree in this repository's hash format."""
    return run(["hash-object", "-t", "tree", "--stdin"], stdin=b"").decode("ascii").strip()


def diff_index(base: str) -> bytes:
    """Return the raw and patch output of the index against tree-ish BASE.

    The staged blobs start loading in the background (see `_BlobPrefetch`)
    while git computes the patch, which for a large file takes about as long
    as reading and decoding the blob.
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
        and change.new_mode in ("100644", "100755", SYMLINK_MODE)
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
        fields = info.decode("ascii", "replace").split(" ")
        if len(fields) != 3 or not raw_path:
            raise FatalError("unexpected output from git ls-files: the index may be damaged")
        mode, object_name, stage = fields
        path = raw_path.decode("utf-8", "surrogateescape")
        if stage != "0":
            raise FatalError(f"{path} has unresolved merge conflicts: resolve them and stage it")
        entries.append(IndexEntry(mode, object_name, path))
    return entries


class Blob(NamedTuple):
    """A blob's size and content; `data` is None when the blob exceeds the size limit."""

    size: int
    data: bytes | None
    # The first bytes of a blob over the limit, enough to tell binary content
    # the way git does.
    head: bytes = b""


OBJECT_NAME = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
READ_BLOCK_BYTES = 1024 * 1024


# git reads this many leading bytes when it decides whether a blob is binary.
HEAD_BYTES = 8000


def _check_object_name(object_name: str) -> None:
    if not OBJECT_NAME.fullmatch(object_name):
        raise FatalError(f"invalid git object name {object_name!r}")


class BlobReader:
    """Read blobs one at a time through one `git cat-file --batch` process.

    Only one blob is held in memory at a time, and a blob larger than
    MAX_BYTES is discarded as it streams past. A missing object is a
    FatalError: the scan must not pass over content it could not read.
    """

    def __init__(self, max_bytes: int = MAX_BLOB_BYTES, use_prefetch: bool = True) -> None:
        self.max_bytes = max_bytes
        self.use_prefetch = use_prefetch
        self._errors: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BlobReader:
        self._errors = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(
                _command(["cat-file", "--batch"]),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._errors,
                env=_environment(),
            )
        except OSError as error:
            self._errors.close()
            raise FatalError(f"could not run git: {error.strerror}") from error
        return self

    def __exit__(self, *exc_info: object) -> None:
        process = self._process
        if process is not None:
            assert process.stdin is not None and process.stdout is not None
            # git may have exited already, closing its end of the pipe.
            with contextlib.suppress(OSError):
                process.stdin.close()
            if exc_info[0] is not None:
                process.kill()
            process.wait()
            process.stdout.close()
        if self._errors is not None:
            self._errors.close()

    def read(self, object_name: str) -> Blob:
        """Return the blob OBJECT_NAME."""
        if self.use_prefetch and _prefetch is not None:
            prefetched = _prefetch.take(object_name)
            if prefetched is not None and (
                prefetched.data is not None or prefetched.size > self.max_bytes
            ):
                return prefetched
        process = self._process
        assert process is not None and process.stdin is not None
        _check_object_name(object_name)
        try:
            process.stdin.write(f"{object_name}\n".encode("ascii"))
            process.stdin.flush()
        except OSError as error:
            raise self._failure() from error
        return self._read_response(object_name)

    def read_many(self, object_names: Sequence[str]) -> Iterator[Blob]:
        """Yield the blobs OBJECT_NAMES in order.

        A thread writes the requests ahead, so git does not wait for one round
        trip per blob, which dominated the time of reading many small files.
        """
        process = self._process
        assert process is not None and process.stdin is not None
        for object_name in object_names:
            _check_object_name(object_name)
        requests = "".join(f"{name}\n" for name in object_names).encode("ascii")
        stdin = process.stdin

        def write_requests() -> None:
            # If the scan stops early, the process is killed on exit and this
            # write ends with a broken pipe.
            with contextlib.suppress(OSError, ValueError):
                stdin.write(requests)
                stdin.flush()

        writer = threading.Thread(target=write_requests, daemon=True)
        writer.start()
        for object_name in object_names:
            yield self._read_response(object_name)
        writer.join()

    def _read_response(self, object_name: str) -> Blob:
        process = self._process
        assert process is not None and process.stdout is not None
        header = process.stdout.readline()
        if not header.endswith(b"\n"):
            raise self._failure()
        parts = header.decode("ascii", "replace").split()
        if len(parts) != 3:
            raise FatalError(
                f"git object {object_name} could not be read ({' '.join(parts[1:])}): "
                "the repository is missing objects; run 'git fsck' to check it"
            )
        if parts[1] != "blob" or not parts[2].isdigit():
            raise FatalError(f"git object {object_name} is a {parts[1]}, not a file's content")

        size = int(parts[2])
        if size > self.max_bytes:
            head = process.stdout.read(min(size, HEAD_BYTES))
            if len(head) != min(size, HEAD_BYTES):
                raise self._failure()
            self._discard(size + 1 - len(head))
            return Blob(size, None, head)
        data = process.stdout.read(size + 1)
        if len(data) != size + 1:
            raise self._failure()
        return Blob(size, data[:size])

    def _discard(self, count: int) -> None:
        assert self._process is not None and self._process.stdout is not None
        while count > 0:
            block = self._process.stdout.read(min(count, READ_BLOCK_BYTES))
            if not block:
                raise self._failure()
            count -= len(block)

    def _failure(self) -> FatalError:
        reason = "it stopped unexpectedly"
        if self._errors is not None:
            self._errors.seek(0)
            lines = self._errors.read().decode("utf-8", "replace").strip().splitlines()
            if lines:
                reason = lines[-1]
        return FatalError(f"git cat-file failed: {reason}")


class _BlobPrefetch:
    """Staged blobs read by a second `git cat-file --batch` process in a thread."""

    def __init__(self, object_names: list[str]) -> None:
        self._blobs: dict[str, Blob] = {}
        self._thread = threading.Thread(target=self._read, args=(object_names,), daemon=True)
        self._thread.start()

    def _read(self, object_names: list[str]) -> None:
        # Any failure only ends the prefetch: the scan then reads the blob
        # itself, where the error is raised and reported.
        with contextlib.suppress(Exception), BlobReader(use_prefetch=False) as reader:
            total = 0
            for name in object_names:
                blob = reader.read(name)
                self._blobs[name] = blob
                total += blob.size
                if total > PREFETCH_MAX_BYTES:
                    break

    def take(self, object_name: str) -> Blob | None:
        """Return the blob OBJECT_NAME if the prefetch read it, once."""
        self._thread.join()
        return self._blobs.pop(object_name, None)


# Started by diff_index for the staged blobs, consulted by BlobReader.read.
_prefetch: _BlobPrefetch | None = None


def read_blobs(object_names: Iterable[str]) -> dict[str, bytes]:
    """Read every blob of OBJECT_NAMES whole, whatever its size, through one process."""
    blobs: dict[str, bytes] = {}
    with BlobReader(max_bytes=sys.maxsize) as reader:
        for name in sorted(set(object_names)):
            blobs[name] = reader.read(name).data or b""
    return blobs


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


def config_value(name: str, folder: str) -> str | None:
    """Return git configuration value NAME as seen from FOLDER, or None when it is unset."""
    completed = _completed(["-C", folder, "config", "--get", name])
    if completed.returncode != 0:
        return None
    return completed.stdout.decode("utf-8", "replace").strip()


def inside_work_tree() -> bool:
    """Return whether the current folder is inside a work tree (False in a bare repository)."""
    completed = _completed(["rev-parse", "--is-inside-work-tree"])
    return completed.returncode == 0 and completed.stdout.strip() == b"true"
