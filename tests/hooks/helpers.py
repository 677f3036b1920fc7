"""Helpers for hook tests: JSON scans in this process, real pre-commit and `git commit`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.conftest import Repo


def scan_json(cli: Any, *args: str) -> tuple[int, dict[str, Any], str]:
    """Run `staged-secrets scan --format json ARGS`; return exit code, document, all output."""
    result = cli("scan", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout), result.output


def locations(document: dict[str, Any]) -> list[tuple[str, int, str]]:
    """Return the sorted (filename, line_number, type) of a JSON report's results."""
    return sorted(
        (item["filename"], item["line_number"], item["type"]) for item in document["results"]
    )


def write_hook_config(repo: Repo, hook_source: str) -> None:
    """Write a .pre-commit-config.yaml that uses the snapshot at HOOK_SOURCE."""
    revision = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_source, capture_output=True, text=True, check=True
    ).stdout.strip()
    repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n- repo: {hook_source}\n  rev: {revision}\n  hooks:\n  - id: staged-secrets\n",
    )


def install_hook(repo: Repo, pre_commit_home: str) -> dict[str, str]:
    """Run `pre-commit install` in REPO; return the environment for later commits."""
    environment = {"PRE_COMMIT_HOME": pre_commit_home}
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=repo.path,
        check=True,
        capture_output=True,
        env={**os.environ, **environment},
    )
    return environment


def install_committed_hook(repo: Repo, hook_source: str, pre_commit_home: str) -> dict[str, str]:
    """Commit the hook configuration and install the hook."""
    write_hook_config(repo, hook_source)
    repo.stage(".pre-commit-config.yaml")
    repo.commit("add pre-commit configuration")
    return install_hook(repo, pre_commit_home)


def git_commit(repo: Repo, environment: dict[str, str], *args: str) -> tuple[int, str]:
    """Run `git commit -m change ARGS` with the hook; return its exit code and output."""
    completed = subprocess.run(
        ["git", "commit", "-m", "change", *args],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, **environment},
        check=False,
    )
    return completed.returncode, completed.stdout + completed.stderr


def commit_count(repo: Repo) -> int:
    return int(repo.git("rev-list", "--count", "HEAD"))
