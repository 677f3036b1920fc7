"""Unusual repository states: worktrees, amend, rebase, sparse checkout, odd index entries."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Repo, assert_no_secret, fake_aws_key, fake_password
from tests.hooks.robust_support import Cli, locations, scan_json
from tests.hooks.test_end_to_end import _install_hook

AWS = "AWS Access Key"


def git_commit(
    repo: Repo, environment: dict[str, str], *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", *args],
        cwd=cwd or repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, **environment},
        check=False,
    )


def commit_count(repo: Repo) -> int:
    return int(repo.git("rev-list", "--count", "HEAD").strip())


def test_worktree_scan_and_hook(
    repo: Repo,
    cli: Cli,
    hook_source: str,
    pre_commit_home: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    environment = _install_hook(repo, hook_source, pre_commit_home)
    worktree = tmp_path / "feature tree"
    repo.git("worktree", "add", "-q", "-b", "feature", str(worktree))
    key = fake_aws_key()
    (worktree / "feature.py").write_text(f"aws = '{key}'\n")
    subprocess.run(["git", "add", "feature.py"], cwd=worktree, check=True)
    monkeypatch.chdir(worktree)

    exit_code, report = scan_json(cli, secrets=[key])
    blocked = git_commit(repo, environment, "-m", "feature", cwd=worktree)

    assert exit_code == 1
    assert locations(report) == {("feature.py", 1, AWS)}
    assert blocked.returncode != 0
    assert "feature.py:1: AWS Access Key" in blocked.stdout + blocked.stderr
    assert_no_secret(blocked.stdout + blocked.stderr, key)


def test_amend_scans_new_lines_only(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    environment = _install_hook(repo, hook_source, pre_commit_home)
    repo.write("app.py", "x = 1\n")
    repo.stage("app.py")
    assert git_commit(repo, environment, "-m", "app").returncode == 0

    reworded = git_commit(repo, environment, "--amend", "-m", "app, reworded")
    key = fake_aws_key()
    repo.write("app.py", f"x = 1\naws = '{key}'\n")
    repo.stage("app.py")
    blocked = git_commit(repo, environment, "--amend", "--no-edit")

    assert reworded.returncode == 0, reworded.stdout
    assert blocked.returncode != 0
    assert "app.py:2: AWS Access Key" in blocked.stdout + blocked.stderr
    assert_no_secret(blocked.stdout + blocked.stderr, key)
    assert repo.git("log", "-1", "--format=%s").strip() == "app, reworded"


def test_empty_commit(repo: Repo, cli: Cli, hook_source: str, pre_commit_home: str) -> None:
    environment = _install_hook(repo, hook_source, pre_commit_home)

    scanned = cli("scan")
    committed = git_commit(repo, environment, "--allow-empty", "-m", "empty")

    assert scanned.exit_code == 0
    assert "Nothing to scan: no changed files in the staged changes." in scanned.stdout
    assert committed.returncode == 0, committed.stdout
    assert commit_count(repo) == 2


@pytest.mark.parametrize("sparse_index", [False, True], ids=["full-index", "sparse-index"])
def test_sparse_checkout(repo: Repo, cli: Cli, sparse_index: bool) -> None:
    key = fake_aws_key()
    repo.commit_files(
        {
            "inside/app.py": "x = 1\n",
            "outside/hidden.py": f"aws = '{key}'\n",
            "top.py": "y = 2\n",
        }
    )
    options = ["--cone", "--sparse-index"] if sparse_index else ["--cone"]
    repo.git("sparse-checkout", "init", *options)
    repo.git("sparse-checkout", "set", "inside")
    assert not (repo.path / "outside").exists()
    repo.write("inside/app.py", f"x = 1\nkey = '{key}'\n")
    repo.stage("inside/app.py")

    exit_code, staged = scan_json(cli, secrets=[key])
    all_code, every_file = scan_json(cli, "--all-files", secrets=[key])

    assert exit_code == 1
    assert locations(staged) == {("inside/app.py", 2, AWS)}
    assert all_code == 1
    assert locations(every_file) == {("inside/app.py", 2, AWS), ("outside/hidden.py", 1, AWS)}


def test_rebase_edit_stop(repo: Repo, cli: Cli, hook_source: str, pre_commit_home: str) -> None:
    environment = _install_hook(repo, hook_source, pre_commit_home)
    repo.commit_files({"one.py": "a = 1\n"}, "one")
    repo.commit_files({"two.py": "b = 2\n"}, "two")
    rebase = subprocess.run(
        ["git", "rebase", "-i", "HEAD~2"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, **environment, "GIT_SEQUENCE_EDITOR": "sed -i 1s/^pick/edit/"},
        check=False,
    )
    assert rebase.returncode == 0, rebase.stderr
    key = fake_aws_key()
    repo.write("one.py", f"a = 1\naws = '{key}'\n")
    repo.stage("one.py")

    exit_code, report = scan_json(cli, secrets=[key])
    blocked = git_commit(repo, environment, "--amend", "--no-edit")

    assert exit_code == 1
    assert locations(report) == {("one.py", 2, AWS)}
    assert blocked.returncode != 0
    assert "one.py:2: AWS Access Key" in blocked.stdout + blocked.stderr
    assert_no_secret(blocked.stdout + blocked.stderr, key)
    repo.git("rebase", "--abort")


def test_intent_to_add(repo: Repo, cli: Cli, hook_source: str, pre_commit_home: str) -> None:
    environment = _install_hook(repo, hook_source, pre_commit_home)
    key = fake_aws_key()
    repo.write("later.py", f"aws = '{key}'\n")
    repo.git("add", "-N", "later.py")

    # `git add -N` stages no content and `git commit` leaves the entry out.
    exit_code, report = scan_json(cli, secrets=[key])
    text = cli("scan")
    # `git commit -a` stages the content in a temporary index first.
    blocked = git_commit(repo, environment, "-a", "-m", "later")

    assert exit_code == 0
    assert report["files_changed"] == 0
    assert "Nothing to scan" in text.stdout
    assert blocked.returncode != 0
    assert "later.py:1: AWS Access Key" in blocked.stdout + blocked.stderr
    assert_no_secret(blocked.stdout + blocked.stderr, key)


def test_mode_only_change_reported(repo: Repo, cli: Cli) -> None:
    repo.commit_files({"run.sh": "echo hi\n"})
    (repo.path / "run.sh").chmod(0o755)
    repo.stage("run.sh")

    exit_code, report = scan_json(cli)
    text = cli("scan")

    assert exit_code == 0
    assert report["files_changed"] == 1
    assert report["lines_scanned"] == 0
    assert "No line was scanned: 1 changed file, with no added text lines" in text.stdout


def test_type_change_symlink_and_back(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"target.txt": "plain\n"})
    (repo.path / "config").symlink_to("target.txt")
    repo.stage("config")
    repo.commit("link")

    (repo.path / "config").unlink()
    repo.write("config", f"first\naws = '{key}'\n")
    repo.stage("config")
    to_file_code, to_file = scan_json(cli, secrets=[key])
    repo.commit("file")

    (repo.path / "config").unlink()
    (repo.path / "config").symlink_to("target.txt")
    repo.stage("config")
    to_link_code, to_link = scan_json(cli, secrets=[key])

    assert to_file_code == 1
    assert locations(to_file) == {("config", 2, AWS)}
    assert to_link_code == 0
    assert to_link["files_scanned"] == 1
    assert to_link["lines_scanned"] == 1


def test_submodule_added_and_moved(repo: Repo, cli: Cli, tmp_path: Path) -> None:
    library = Repo(tmp_path / "library")
    library.path.mkdir()
    library.git("init", "-q")
    key = fake_aws_key()
    library.commit_files({"lib.py": f"aws = '{key}'\n"})
    repo.commit_files({"main.py": "x = 1\n"})
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library.path), "lib")

    added_code, added = scan_json(cli, secrets=[key])
    repo.commit("add submodule")
    (repo.path / "vendor").mkdir()
    repo.git("mv", "lib", "vendor/lib")
    moved_code, moved = scan_json(cli, secrets=[key])

    assert added_code == 0
    assert added["results"] == []
    assert added["files_changed"] == 2
    assert added["files_scanned"] == 1
    assert moved_code == 0
    assert moved["results"] == []
    assert moved["files_changed"] >= 2


def test_skip_variable(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    environment = _install_hook(repo, hook_source, pre_commit_home)
    password = fake_password()
    repo.write("settings.py", f"password = '{password}'\n")
    repo.stage("settings.py")

    skipped = git_commit(repo, {**environment, "SKIP": "staged-secrets"}, "-m", "skip")

    assert skipped.returncode == 0, skipped.stdout
    assert "staged-secrets" in skipped.stdout + skipped.stderr
    assert "Skipped" in skipped.stdout + skipped.stderr
    assert_no_secret(skipped.stdout + skipped.stderr, password)
    assert commit_count(repo) == 2


def test_deletion_and_rename_only(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"old.py": f"aws = '{key}'\n", "gone.py": "x = 1\n"})
    repo.git("mv", "old.py", "new.py")
    repo.git("rm", "-q", "gone.py")

    exit_code, report = scan_json(cli, secrets=[key])
    text = cli("scan")

    assert exit_code == 0
    assert report["files_changed"] == 2
    assert report["lines_scanned"] == 0
    assert "No line was scanned: 2 changed files," in text.stdout
