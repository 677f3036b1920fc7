"""The background read of staged blobs returns what git stores, and only that."""

from __future__ import annotations

import pytest
from staged_secrets.hooks import git
from staged_secrets.hooks.errors import FatalError

from tests.conftest import Repo


def test_prefetched_blobs_match_git(repo: Repo) -> None:
    repo.commit_files({"a.txt": "one\n"})
    repo.write("a.txt", "one\ntwo\n")
    repo.write("b.txt", "three\n")
    repo.stage("a.txt", "b.txt")
    names = [repo.git("rev-parse", f":{name}").strip() for name in ("a.txt", "b.txt")]

    git.diff_index(repo.git("rev-parse", "HEAD").strip())
    with git.BlobReader() as reader:
        blobs = [reader.read(name) for name in names]

    assert [blob.data for blob in blobs] == [b"one\ntwo\n", b"three\n"]


def test_blob_outside_prefetch_is_read(repo: Repo) -> None:
    repo.commit_files({"a.txt": "one\n"})
    repo.write("a.txt", "two\n")
    repo.stage("a.txt")
    committed = repo.git("rev-parse", "HEAD:a.txt").strip()

    git.diff_index(repo.git("rev-parse", "HEAD").strip())
    with git.BlobReader() as reader:
        blob = reader.read(committed)

    assert blob.data == b"one\n"


def test_missing_blob_still_fails_closed(repo: Repo) -> None:
    repo.commit_files({"a.txt": "one\n"})
    # Built at run time: a literal 40-digit hex string is a scan finding.
    missing = "0123456789abcdef" * 2 + "01234567"

    with git.BlobReader() as reader, pytest.raises(FatalError, match="could not be read"):
        reader.read(missing)
