"""Arguments of `scan` that used to be ignored without a word."""

from __future__ import annotations

import json

from tests.conftest import Repo, assert_no_secret, fake_aws_key, fake_password
from tests.hooks.robust_support import Cli


def _two_committed_secrets(repo: Repo) -> tuple[str, str]:
    key = fake_aws_key()
    password = fake_password()
    repo.commit_files({"README": f"aws = '{key}'\n", "src/app.py": f"password = '{password}'\n"})
    return key, password


def test_all_files_limited_to_paths(repo: Repo, cli: Cli) -> None:
    key, password = _two_committed_secrets(repo)

    result = cli("scan", "--all-files", "--format", "json", "README")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [item["filename"] for item in report["results"]] == ["README"]
    assert report["files_scanned"] == 1
    assert_no_secret(result.output, key, password)


def test_all_files_folder_path(repo: Repo, cli: Cli) -> None:
    key, password = _two_committed_secrets(repo)

    result = cli("scan", "--all-files", "src")

    assert result.exit_code == 1
    assert "src/app.py:1" in result.stdout
    assert "README" not in result.stdout
    assert_no_secret(result.output, key, password)


def test_all_files_without_paths(repo: Repo, cli: Cli) -> None:
    key, password = _two_committed_secrets(repo)

    result = cli("scan", "--all-files", "--format", "json")

    report = json.loads(result.stdout)
    assert {item["filename"] for item in report["results"]} == {"README", "src/app.py"}
    assert_no_secret(result.output, key, password)


def test_all_files_missing_path(repo: Repo, cli: Cli) -> None:
    key, password = _two_committed_secrets(repo)

    result = cli("scan", "--all-files", "README", "missing.py")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "path not found: 'missing.py'" in result.stderr
    assert_no_secret(result.output, key, password)


def test_range_with_all_files(repo: Repo, cli: Cli) -> None:
    base = repo.commit_files({"a.py": "x = 1\n"})
    key, password = _two_committed_secrets(repo)

    result = cli("scan", "--from-ref", base, "--to-ref", "HEAD", "--all-files")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--all-files cannot be combined with --from-ref/--to-ref" in result.stderr
    assert result.stderr.count("\n") == 1
    assert_no_secret(result.output, key, password)


def test_staged_missing_path(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.write("app.py", f"aws = '{key}'\n")
    repo.stage("app.py")

    result = cli("scan", "nonexistent.py")

    assert result.exit_code == 2
    assert "path not found: 'nonexistent.py'" in result.stderr
    assert "scanned" not in result.output
    assert_no_secret(result.output, key)


def test_unchanged_path_still_scanned(repo: Repo, cli: Cli) -> None:
    key, password = _two_committed_secrets(repo)

    result = cli("scan", "README")

    assert result.exit_code == 1
    assert "README:1" in result.stdout
    assert_no_secret(result.output, key, password)


def test_staged_deletion_path(repo: Repo, cli: Cli) -> None:
    key, password = _two_committed_secrets(repo)
    repo.git("rm", "-q", "README")

    result = cli("scan", "README")

    assert result.exit_code == 0
    assert "path not found" not in result.output
    assert_no_secret(result.output, key, password)


def test_indexed_path_missing_from_work_tree(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.write("app.py", f"aws = '{key}'\n")
    repo.stage("app.py")
    (repo.path / "app.py").unlink()

    result = cli("scan", "app.py")

    assert result.exit_code == 1
    assert "app.py:1" in result.stdout
    assert_no_secret(result.output, key)
