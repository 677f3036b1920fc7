"""Blobs read ahead of the staged diff are the blobs read_blobs returns."""

from __future__ import annotations

import pytest
from staged_secrets.hooks import git
from staged_secrets.hooks.errors import FatalError

from tests.conftest import Repo


def _staged_object(repo: Repo, path: str) -> str:
    return repo.git("ls-files", "--stage", "--", path).split()[1]


def test_prefetched_blobs_match_git(repo: Repo) -> None:
    repo.commit_files({"a.txt": "one\n", "b.txt": "two\n"})
    repo.write("a.txt", "one\nmore\n")
    repo.write("c.txt", "three\n")
    repo.stage("a.txt", "c.txt")
    head = repo.git("rev-parse", "HEAD").strip()

    git.diff_index(head)
    names = {_staged_object(repo, "a.txt"), _staged_object(repo, "c.txt")}
    blobs = git.read_blobs(names)

    assert blobs[_staged_object(repo, "a.txt")] == b"one\nmore\n"
    assert blobs[_staged_object(repo, "c.txt")] == b"three\n"


def test_names_outside_prefetch_are_read(repo: Repo) -> None:
    repo.commit_files({"a.txt": "one\n", "b.txt": "two\n"})
    repo.write("a.txt", "changed\n")
    repo.stage("a.txt")
    head = repo.git("rev-parse", "HEAD").strip()

    git.diff_index(head)
    unchanged = _staged_object(repo, "b.txt")
    blobs = git.read_blobs({unchanged, _staged_object(repo, "a.txt")})

    assert blobs[unchanged] == b"two\n"
    assert blobs[_staged_object(repo, "a.txt")] == b"changed\n"


def test_missing_object_still_fails(repo: Repo) -> None:
    repo.commit_files({"a.txt": "one\n"})
    repo.write("a.txt", "two\n")
    repo.stage("a.txt")
    head = repo.git("rev-parse", "HEAD").strip()

    git.diff_index(head)
    missing = "0123456789abcdef0123456789abcdef01234567"
    with pytest.raises(FatalError):
        git.read_blobs({missing})
