"""A real `git commit` through a real `pre-commit install` of this project's hook."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import (
    Repo,
    assert_no_secret,
    fake_aws_key,
    fake_password,
    run_command,
)


def _install_hook(repo: Repo, hook_source: str, pre_commit_home: str) -> dict[str, str]:
    revision = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_source, capture_output=True, text=True, check=True
    ).stdout.strip()
    repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n- repo: {hook_source}\n  rev: {revision}\n  hooks:\n  - id: staged-secrets\n",
    )
    repo.stage(".pre-commit-config.yaml")
    repo.commit("add pre-commit configuration")

    environment = {"PRE_COMMIT_HOME": pre_commit_home}
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=repo.path,
        check=True,
        capture_output=True,
        env={**os.environ, **environment},
    )
    return environment


def _commit(repo: Repo, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-m", "add settings"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, **environment},
        check=False,
    )


def test_commit_blocked_then_allowed(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    environment = _install_hook(repo, hook_source, pre_commit_home)
    key = fake_aws_key()
    password = fake_password()
    repo.write("settings.py", f'DEBUG = False\nAWS_KEY = "{key}"\npassword = "{password}"\n')
    repo.stage("settings.py")

    blocked = _commit(repo, environment)
    output = blocked.stdout + blocked.stderr

    assert blocked.returncode != 0, output
    assert "settings.py:2" in output
    assert "AWS Access Key" in output
    assert "settings.py:3" in output
    assert "Secret Keyword" in output
    assert_no_secret(output, key, password)
    assert repo.git("rev-list", "--count", "HEAD").strip() == "1"

    created = run_command(["baseline", "create"], cwd=repo.path)
    assert created.exit_code == 0, created.output
    assert_no_secret(created.output, key, password)
    baseline_text = (repo.path / ".secrets.baseline").read_text()
    assert_no_secret(baseline_text, key, password)
    repo.stage(".secrets.baseline")

    allowed = _commit(repo, environment)
    output = allowed.stdout + allowed.stderr
    assert allowed.returncode == 0, output
    assert_no_secret(output, key, password)
    assert repo.git("rev-list", "--count", "HEAD").strip() == "2"


def test_clean_commit_passes_hook(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    environment = _install_hook(repo, hook_source, pre_commit_home)
    repo.write("notes.md", "Nothing secret here.\n")
    repo.stage("notes.md")

    result = _commit(repo, environment)

    assert result.returncode == 0, result.stdout + result.stderr
