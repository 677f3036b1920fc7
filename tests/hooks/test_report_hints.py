"""The "What to do next" part of the text report names commands that work as shown."""

from __future__ import annotations

import pytest

from tests.conftest import Repo, assert_no_secret, fake_aws_key, fake_password
from tests.hooks.robust_support import Cli


def _next_steps(output: str) -> str:
    assert "What to do next:" in output
    return output.split("What to do next:", 1)[1]


@pytest.fixture
def subfolder(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """Work from `src/` inside the repository."""
    (repo.path / "src").mkdir()
    monkeypatch.chdir(repo.path / "src")
    return repo


def test_missing_default_baseline(subfolder: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    subfolder.write("src/app.py", f"aws = '{key}'\n")
    subfolder.stage("src/app.py")

    result = cli("scan")

    assert result.exit_code == 1
    assert "No baseline found at ../.secrets.baseline:" in result.stdout
    steps = _next_steps(result.stdout)
    assert "'staged-secrets baseline create'" in steps
    assert "'staged-secrets audit'" in steps
    assert "stage ../.secrets.baseline." in steps
    assert_no_secret(result.output, key)


def test_existing_default_baseline(subfolder: Repo, cli: Cli) -> None:
    subfolder.commit_files({"src/old.py": "x = 1\n"})
    assert cli("baseline", "create").exit_code == 0
    key = fake_aws_key()
    subfolder.write("src/app.py", f"aws = '{key}'\n")
    subfolder.stage("src/app.py")

    result = cli("scan")

    assert result.exit_code == 1
    steps = _next_steps(result.stdout)
    assert "'staged-secrets baseline update'" in steps
    assert "stage ../.secrets.baseline." in steps
    assert str(subfolder.path) not in result.stdout
    assert_no_secret(result.output, key)


def test_given_baseline_in_commands(subfolder: Repo, cli: Cli) -> None:
    subfolder.commit_files({"src/old.py": "x = 1\n"})
    (subfolder.path / "config").mkdir()
    assert cli("baseline", "create", "--baseline", "../config/secrets.json").exit_code == 0
    password = fake_password()
    subfolder.write("src/app.py", f"password = '{password}'\n")
    subfolder.stage("src/app.py")

    result = cli("scan", "--baseline", "../config/secrets.json")

    assert result.exit_code == 1
    steps = _next_steps(result.stdout)
    assert "'staged-secrets baseline update --baseline ../config/secrets.json'" in steps
    assert "'staged-secrets audit --baseline ../config/secrets.json'" in steps
    assert "stage ../config/secrets.json." in steps
    assert_no_secret(result.output, password)


def test_given_baseline_quoted(repo: Repo, cli: Cli) -> None:
    repo.commit_files({"old.py": "x = 1\n"})
    assert cli("baseline", "create", "--baseline", "my secrets.json").exit_code == 0
    key = fake_aws_key()
    repo.write("app.py", f"aws = '{key}'\n")
    repo.stage("app.py")

    result = cli("scan", "--baseline", "my secrets.json")

    assert result.exit_code == 1
    assert "'staged-secrets baseline update --baseline 'my secrets.json''" in result.stdout
    assert_no_secret(result.output, key)


def test_range_steps_rewrite_history(repo: Repo, cli: Cli) -> None:
    base = repo.commit_files({"old.py": "x = 1\n"})
    key = fake_aws_key()
    repo.commit_files({"app.py": f"aws = '{key}'\n"})

    result = cli("scan", "--from-ref", base, "--to-ref", "HEAD")

    assert result.exit_code == 1
    steps = _next_steps(result.stdout)
    assert "rewriting them" in steps
    assert "rotate it" in steps
    assert "commit .secrets.baseline." in steps
    assert "stage" not in steps.replace("staged", "")
    assert "remove it from the file" not in steps
    assert_no_secret(result.output, key)


def test_range_steps_given_baseline(repo: Repo, cli: Cli) -> None:
    base = repo.commit_files({"old.py": "x = 1\n"})
    assert cli("baseline", "create", "--baseline", "b.json").exit_code == 0
    key = fake_aws_key()
    repo.commit_files({"app.py": f"aws = '{key}'\n"})

    result = cli("scan", "--baseline", "b.json", "--from-ref", base, "--to-ref", "HEAD")

    assert result.exit_code == 1
    steps = _next_steps(result.stdout)
    assert "'staged-secrets baseline update --baseline b.json'" in steps
    assert "commit b.json." in steps
    assert_no_secret(result.output, key)
