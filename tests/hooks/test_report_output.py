"""Failures to write the report: exit 2 with one plain line, never an internal error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Repo, assert_no_secret, fake_aws_key, fake_password


def _stage_secrets(repo: Repo, count: int) -> list[str]:
    secrets = []
    for number in range(count):
        secret = fake_password(f"s{number:03d}")
        secrets.append(secret)
        repo.write(f"file{number}.py", f"password = '{secret}'\n")
    repo.stage(".")
    return secrets


def _scan_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "staged_secrets.hooks.cli", "scan", *args]


def _check_one_line_error(stderr: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("staged-secrets: error: could not write the report: ")
    assert "internal error" not in stderr
    assert "please report" not in stderr
    assert "Traceback" not in stderr
    assert "Exception ignored" not in stderr


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_closed_pipe(repo: Repo, output_format: str) -> None:
    secrets = _stage_secrets(repo, 3)
    process = subprocess.Popen(
        _scan_command("--format", output_format),
        cwd=repo.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.close()
    _, stderr = process.communicate()

    assert process.returncode == 2
    _check_one_line_error(stderr)
    assert "Broken pipe" in stderr
    assert_no_secret(stderr, *secrets)


def test_pipe_closed_midway(repo: Repo) -> None:
    # The reader takes a few lines of a report larger than a pipe's buffer.
    secrets = _stage_secrets(repo, 400)
    reader = subprocess.run(
        f"{sys.executable} -m staged_secrets.hooks.cli scan --format json | head -8",
        shell=True,
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert len(reader.stdout.splitlines()) == 8
    _check_one_line_error(reader.stderr)
    assert_no_secret(reader.stdout + reader.stderr, *secrets)


def _close_stdout() -> None:
    os.close(1)


def test_closed_stdout(repo: Repo) -> None:
    secrets = _stage_secrets(repo, 1)
    completed = subprocess.run(
        _scan_command(),
        cwd=repo.path,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        preexec_fn=_close_stdout,
    )

    assert completed.returncode == 2
    _check_one_line_error(completed.stderr)
    assert "standard output is closed" in completed.stderr
    assert_no_secret(completed.stderr, *secrets)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_device(repo: Repo) -> None:
    key = fake_aws_key()
    repo.write("app.py", f"aws = '{key}'\n")
    repo.stage("app.py")
    with open("/dev/full", "w") as full:
        completed = subprocess.run(
            _scan_command(),
            cwd=repo.path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )

    assert completed.returncode == 2
    _check_one_line_error(completed.stderr)
    assert "No space left on device" in completed.stderr
    assert_no_secret(completed.stderr, key)


@pytest.mark.parametrize("command", [["baseline", "create"], ["scan", "--all-files"]])
def test_other_commands_closed_pipe(repo: Repo, command: list[str]) -> None:
    secrets = _stage_secrets(repo, 2)
    process = subprocess.Popen(
        [sys.executable, "-m", "staged_secrets.hooks.cli", *command],
        cwd=repo.path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.close()
    _, stderr = process.communicate()

    assert process.returncode == 2
    _check_one_line_error(stderr)
    assert_no_secret(stderr, *secrets)
