"""Commit parents from the range listing equal git's own answer."""

from __future__ import annotations

from staged_secrets.hooks import git

from tests.conftest import Repo


def test_parents_from_range_listing(repo: Repo) -> None:
    base = repo.commit_files({"a.txt": "a\n"}, "base")
    repo.commit_files({"b.txt": "b\n"}, "main one")
    repo.git("checkout", "-q", "-b", "side", base)
    repo.commit_files({"c.txt": "c\n"}, "side one")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-edit", "side")
    head = repo.git("rev-parse", "HEAD").strip()

    commits = git.commits_in_range(base, head)

    assert len(commits) == 3
    assert commits[-1] == head
    for commit in commits:
        expected = repo.git("rev-list", "--parents", "-n", "1", commit).split()[1:]
        assert git.parents(commit) == expected
    assert len(git.parents(head)) == 2
