"""Range scans in bare repositories and shallow clones."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Repo, assert_no_secret, fake_aws_key
from tests.hooks.robust_support import Cli

SHALLOW_MESSAGE = (
    "the repository is a shallow clone: fetch the full history "
    "(git fetch --unshallow, or fetch-depth: 0 in actions/checkout)"
)


def _history(repo: Repo) -> tuple[list[str], str]:
    """Commit three files, the second with a secret; return the commits and the secret."""
    key = fake_aws_key()
    commits = [
        repo.commit_files({"one.py": "x = 1\n"}, "one"),
        repo.commit_files({"two.py": f"aws = '{key}'\n"}, "two"),
        repo.commit_files({"three.py": "z = 3\n"}, "three"),
    ]
    return commits, key


def _clone(source: Path, target: Path, *options: str) -> Path:
    subprocess.run(
        ["git", "clone", "-q", *options, f"file://{source}", str(target)],
        check=True,
        capture_output=True,
    )
    return target


def test_range_in_bare_repository(
    repo: Repo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits, key = _history(repo)
    bare = _clone(repo.path, tmp_path / "bare.git", "--bare")
    monkeypatch.chdir(bare)

    result = cli("scan", "--format", "json", "--from-ref", commits[0], "--to-ref", commits[2])

    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    assert [(item["filename"], item["commit"]) for item in report["results"]] == [
        ("two.py", commits[1])
    ]
    assert_no_secret(result.output, key)


def test_staged_scan_in_bare_repository(
    repo: Repo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, key = _history(repo)
    bare = _clone(repo.path, tmp_path / "bare.git", "--bare")
    monkeypatch.chdir(bare)

    result = cli("scan")

    assert result.exit_code == 2
    assert "work tree" in result.stderr
    assert_no_secret(result.output, key)


def test_shallow_cut_off_commit(
    repo: Repo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, key = _history(repo)
    clone = _clone(repo.path, tmp_path / "shallow", "--depth", "1")
    # Without remote-tracking branches, HEAD's commits count as not pushed.
    subprocess.run(["git", "remote", "remove", "origin"], cwd=clone, check=True)
    monkeypatch.chdir(clone)

    result = cli("scan", "--to-ref", "HEAD")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"staged-secrets: error: {SHALLOW_MESSAGE}\n"
    assert_no_secret(result.output, key)


def test_shallow_range_reaching_cut_off(
    repo: Repo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits, key = _history(repo)
    clone = _clone(repo.path, tmp_path / "shallow", "--depth", "2")
    subprocess.run(["git", "remote", "remove", "origin"], cwd=clone, check=True)
    monkeypatch.chdir(clone)

    result = cli("scan", "--to-ref", "HEAD")

    assert result.exit_code == 2
    assert SHALLOW_MESSAGE in result.stderr
    assert_no_secret(result.output, key)


def test_shallow_range_above_cut_off(
    repo: Repo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits, key = _history(repo)
    clone = _clone(repo.path, tmp_path / "shallow", "--depth", "2")
    monkeypatch.chdir(clone)

    result = cli("scan", "--format", "json", "--from-ref", commits[1], "--to-ref", commits[2])

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["results"] == []
    assert report["files_scanned"] == 1
    assert_no_secret(result.output, key)


def test_full_clone_scans_root_commit(
    repo: Repo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commits, key = _history(repo)
    clone = _clone(repo.path, tmp_path / "full")
    subprocess.run(["git", "remote", "remove", "origin"], cwd=clone, check=True)
    monkeypatch.chdir(clone)

    result = cli("scan", "--format", "json", "--to-ref", "HEAD")

    assert result.exit_code == 1, result.stderr
    assert json.loads(result.stdout)["files_scanned"] == 3
    assert_no_secret(result.output, key)
