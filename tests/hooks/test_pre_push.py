"""Real `git push` to a local bare remote through `pre-commit install -t pre-push`.

pre-commit 4 turns git's pre-push input into PRE_COMMIT_FROM_REF and
PRE_COMMIT_TO_REF, except for a branch deletion (no hook runs) and a push
whose oldest new commit is a root commit (hooks run as `--all-files`, with
the pushed ref in PRE_COMMIT_LOCAL_BRANCH). These tests push each case.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import Repo, assert_no_secret, fake_aws_key, fake_github_token, fake_password


class Remote(NamedTuple):
    """The bare repository pushed to, and the environment pre-commit needs."""

    path: Path
    environment: dict[str, str]

    def commit_of(self, branch: str) -> str | None:
        completed = subprocess.run(
            ["git", "--git-dir", str(self.path), "rev-parse", "--verify", "--quiet", branch],
            capture_output=True,
            text=True,
            check=False,
        )
        return completed.stdout.strip() or None


class Outcome(NamedTuple):
    exit_code: int
    output: str


@pytest.fixture
def remote(repo: Repo, tmp_path: Path, hook_source: str, pre_commit_home: str) -> Remote:
    """A repository with this project's hook installed for pushes and commits."""
    revision = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_source, capture_output=True, text=True, check=True
    ).stdout.strip()
    # The hex revision reads as a high-entropy string to detect-secrets.
    # `verbose` makes pre-commit print the report of a passing run too.
    repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n- repo: {hook_source}\n  rev: {revision}  # pragma: allowlist secret\n"
        "  hooks:\n  - id: staged-secrets\n    verbose: true\n",
    )
    repo.stage(".pre-commit-config.yaml")
    repo.commit("add pre-commit configuration")

    environment = {"PRE_COMMIT_HOME": pre_commit_home}
    for hook_type in ("pre-push", "pre-commit"):
        subprocess.run(
            [sys.executable, "-m", "pre_commit", "install", "-t", hook_type],
            cwd=repo.path,
            check=True,
            capture_output=True,
            env={**os.environ, **environment},
        )
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    repo.git("remote", "add", "origin", str(bare))
    return Remote(bare, environment)


def _git(repo: Repo, remote: Remote, *args: str) -> Outcome:
    completed = subprocess.run(
        ["git", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, **remote.environment},
        check=False,
    )
    return Outcome(completed.returncode, completed.stdout + completed.stderr)


def _push(repo: Repo, remote: Remote, *args: str) -> Outcome:
    return _git(repo, remote, "push", "origin", *args)


def _push_unchecked(repo: Repo, *args: str) -> None:
    repo.git("push", "-q", "--no-verify", "origin", *args)


def test_first_push_and_clean_range(repo: Repo, remote: Remote) -> None:
    first = _push(repo, remote, "main")
    repo.commit_files({"a.md": "one\n"}, "one")
    repo.commit_files({"a.md": "one\ntwo\n"}, "two")
    second = _push(repo, remote, "main")

    assert first.exit_code == 0, first.output
    assert "not on any remote-tracking branch" in first.output
    assert second.exit_code == 0, second.output
    assert "(2 pushed commits" in second.output
    assert remote.commit_of("main") == repo.git("rev-parse", "main").strip()


def test_push_secret_added_then_removed(repo: Repo, remote: Remote) -> None:
    _push_unchecked(repo, "main")
    before = remote.commit_of("main")
    key = fake_aws_key()
    added = repo.commit_files({"gone.py": f'KEY = "{key}"\n'}, "add key")
    repo.git("rm", "-q", "gone.py")
    repo.commit("remove key")

    # The two commits cancel out: pre-commit lists no changed file at all.
    blocked = _push(repo, remote, "main")

    assert blocked.exit_code != 0, blocked.output
    assert f"{added[:12]} gone.py:1: AWS Access Key" in blocked.output
    assert remote.commit_of("main") == before
    assert_no_secret(blocked.output, key)


def test_push_new_branch(repo: Repo, remote: Remote) -> None:
    _push_unchecked(repo, "main")
    repo.git("checkout", "-q", "-b", "clean")
    repo.commit_files({"notes.md": "clean work\n"}, "clean work")
    repo.git("checkout", "-q", "-b", "leaky", "main")
    token = fake_github_token()
    leaky = repo.commit_files({"client.py": f'TOKEN = "{token}"\n'}, "leaky work")
    repo.git("checkout", "-q", "main")

    # Neither branch is checked out: its files are not in the working tree.
    clean = _push(repo, remote, "clean")
    blocked = _push(repo, remote, "leaky")

    assert clean.exit_code == 0, clean.output
    assert blocked.exit_code != 0, blocked.output
    assert f"{leaky[:12]} client.py:1: GitHub Token" in blocked.output
    assert remote.commit_of("leaky") is None
    assert_no_secret(clean.output + blocked.output, token)


def test_push_unrelated_history(repo: Repo, remote: Remote) -> None:
    _push_unchecked(repo, "main")
    repo.git("checkout", "-q", "--orphan", "pages")
    repo.git("rm", "-q", "-r", "--cached", ".")
    password = fake_password()
    added = repo.commit_files({"site.py": f'password = "{password}"\n'}, "root of pages")
    repo.write("site.py", "SITE = 1\n")
    repo.stage("site.py")
    repo.commit("drop the password")

    # The oldest pushed commit is a root commit: pre-commit runs the hooks
    # as --all-files, without PRE_COMMIT_FROM_REF and PRE_COMMIT_TO_REF.
    blocked = _push(repo, remote, "pages")

    assert blocked.exit_code != 0, blocked.output
    assert f"{added[:12]} site.py:1: Secret Keyword" in blocked.output
    assert remote.commit_of("pages") is None
    assert_no_secret(blocked.output, password)


def test_force_push(repo: Repo, remote: Remote) -> None:
    repo.commit_files({"a.md": "one\n"}, "one")
    repo.commit_files({"a.md": "one\ntwo\n"}, "two")
    _push_unchecked(repo, "main")
    pushed = remote.commit_of("main")
    key = fake_aws_key()
    repo.write("a.md", f"one\ntwo\nKEY = {key}\n")
    repo.stage("a.md")
    repo.commit("two, rewritten", "--amend")

    blocked = _push(repo, remote, "--force", "main")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    rewound = _push(repo, remote, "--force", "main")

    assert blocked.exit_code != 0, blocked.output
    assert "a.md:3: AWS Access Key" in blocked.output
    # Moving the branch back adds no commit, so nothing is scanned.
    assert rewound.exit_code == 0, rewound.output
    assert "0 pushed commits" in rewound.output
    assert pushed != remote.commit_of("main")
    assert remote.commit_of("main") == repo.git("rev-parse", "HEAD").strip()
    assert_no_secret(blocked.output + rewound.output, key)


def test_push_deletion(repo: Repo, remote: Remote) -> None:
    _push_unchecked(repo, "main")
    repo.git("checkout", "-q", "-b", "old")
    key = fake_aws_key()
    repo.commit_files({"old.py": f'KEY = "{key}"\n'}, "old work")
    _push_unchecked(repo, "old")
    repo.git("checkout", "-q", "main")

    deleted = _push(repo, remote, "--delete", "old")

    assert deleted.exit_code == 0, deleted.output
    assert remote.commit_of("old") is None
    assert_no_secret(deleted.output, key)


class Conflict(NamedTuple):
    """A merge of `feature` into `main` stopped on a conflict in settings.py."""

    present_key: str


def _merge_conflict(repo: Repo) -> Conflict:
    repo.commit_files({"settings.py": "MODE = 'base'\n"}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    key = fake_aws_key()
    repo.commit_files({"settings.py": "MODE = 'feature'\n", "present.py": f'KEY = "{key}"\n'})
    repo.git("checkout", "-q", "main")
    repo.commit_files({"settings.py": "MODE = 'main'\n"}, "main mode")
    merged = repo.git("merge", "-q", "--no-edit", "feature", check=False)
    assert "CONFLICT" in merged or repo.git("ls-files", "-u")
    return Conflict(key)


def test_push_merge_resolution_secret(repo: Repo, remote: Remote) -> None:
    conflict = _merge_conflict(repo)
    password = fake_password()
    repo.write("settings.py", f"MODE = 'merged'\npassword = \"{password}\"\n")
    repo.stage("settings.py")
    merge_commit = repo.commit("merge feature")
    _push_unchecked(repo, "feature")

    blocked = _push(repo, remote, "main")
    repo.write("settings.py", "MODE = 'merged'\n")
    repo.stage("settings.py")
    repo.commit("merge feature", "--amend")
    clean = _push(repo, remote, "main")

    assert blocked.exit_code != 0, blocked.output
    assert f"{merge_commit[:12]} settings.py:2: Secret Keyword" in blocked.output
    # The feature's key is on origin/feature already, and the merge does
    # not add it: it is reported neither time.
    assert "present.py" not in blocked.output
    assert clean.exit_code == 0, clean.output
    assert_no_secret(blocked.output + clean.output, password, conflict.present_key)


def test_commit_merge_resolution(repo: Repo, remote: Remote) -> None:
    conflict = _merge_conflict(repo)
    password = fake_password()
    repo.write("settings.py", f"MODE = 'merged'\npassword = \"{password}\"\n")
    repo.stage("settings.py")

    blocked = _git(repo, remote, "commit", "--no-edit")
    repo.write("settings.py", "MODE = 'merged'\n")
    repo.stage("settings.py")
    allowed = _git(repo, remote, "commit", "--no-edit")

    assert blocked.exit_code != 0, blocked.output
    assert "settings.py:2: Secret Keyword" in blocked.output
    assert "present.py" not in blocked.output
    assert allowed.exit_code == 0, allowed.output
    assert len(repo.git("rev-list", "--parents", "-n", "1", "HEAD").split()) == 3
    assert_no_secret(blocked.output + allowed.output, password, conflict.present_key)


def _pre_commit_run(repo: Repo, remote: Remote, *args: str) -> Outcome:
    completed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, **remote.environment},
        check=False,
    )
    return Outcome(completed.returncode, completed.stdout + completed.stderr)


def test_run_all_files_and_files(repo: Repo, remote: Remote) -> None:
    key = fake_aws_key()
    password = fake_password()
    repo.commit_files({"a.py": f'KEY = "{key}"\n', "b.py": f'password = "{password}"\n'})
    # b.py gets a staged change that does not touch its secret line.
    repo.write("b.py", f'password = "{password}"\nx = 1\n')
    repo.stage("b.py")

    all_files = _pre_commit_run(repo, remote, "--all-files")
    named = _pre_commit_run(repo, remote, "--files", "a.py", "b.py")
    staged = _pre_commit_run(repo, remote)
    # NOTE: names that all have staged changes are what a commit passes, so
    # `--files b.py` alone scans only the lines b.py's staged change adds.
    changed_only = _pre_commit_run(repo, remote, "--files", "b.py")

    for outcome in (all_files, named):
        assert outcome.exit_code == 1, outcome.output
        assert "a.py:1: AWS Access Key" in outcome.output
        assert "b.py:1: Secret Keyword" in outcome.output
        assert "whole staged content" in outcome.output
    assert staged.exit_code == 0, staged.output
    assert changed_only.exit_code == 0, changed_only.output
    outputs = all_files.output + named.output + staged.output + changed_only.output
    assert_no_secret(outputs, key, password)
