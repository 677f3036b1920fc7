"""Shared fixtures: isolated git configuration, throwaway repositories, fake secrets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from staged_secrets.hooks.cli import main

PROJECT_ROOT = Path(__file__).resolve().parent.parent


# Secrets built by the helpers below during the current test, and text that
# the `cli` fixture, `run_command` and `capsys`/`capfd` captured during it.
# A hook below fails the test when any such text contains any such secret.
_planted_secrets: list[str] = []
_captured_outputs: list[str] = []


def plant(secret: str) -> str:
    """Record SECRET as planted by the current test, so its output is checked for it."""
    _planted_secrets.append(secret)
    return secret


# Fake secrets are assembled at run time so that this repository's own
# secret scan does not flag its test sources.
def fake_aws_key(tail: str = "Q7ZK3MRT5XWB2NPD") -> str:
    return plant("AK" + "IA" + tail)


def fake_password(seed: str = "m4Xq") -> str:
    return plant(seed + "9#vL8pR4tZw7yNc2K")


def fake_github_token(tail: str = "a" * 36) -> str:
    return plant("gh" + "p_" + tail)


PRIVATE_KEY_HEADER = "-----BEGIN RSA " + "PRIVATE KEY-----"
PRIVATE_KEY_FOOTER = "-----END RSA " + "PRIVATE KEY-----"


def assert_no_secret(output: str, *secrets: str) -> None:
    """Fail when any planted secret appears in full in OUTPUT."""
    for secret in secrets:
        assert secret not in output, "a planted secret appears in full in the output"


def _as_text(captured: object) -> str:
    if isinstance(captured, bytes):
        return captured.decode("utf-8", "replace")
    return str(captured)


@pytest.fixture(autouse=True)
def record_captured_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start the planted-secret record afresh and keep what capsys and capfd return."""
    _planted_secrets.clear()
    _captured_outputs.clear()
    original = pytest.CaptureFixture.readouterr

    def readouterr(self: pytest.CaptureFixture[str]) -> object:
        captured = original(self)
        _captured_outputs.extend(_as_text(part) for part in captured)
        return captured

    monkeypatch.setattr(pytest.CaptureFixture, "readouterr", readouterr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Fail a passing test whose captured output shows a secret that it planted."""
    report: pytest.TestReport = yield
    if call.when != "call" or not report.passed or not _planted_secrets:
        return report
    texts = [*_captured_outputs, *(content for _, content in report.sections)]
    if any(secret in text for secret in _planted_secrets for text in texts):
        report.outcome = "failed"
        report.longrepr = (
            "a secret planted by this test appears in full in its captured output "
            "(stdout, stderr, the cli fixture or run_command)"
        )
    return report


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Give git a known identity and no user or system configuration."""
    config_folder = tmp_path_factory.mktemp("gitconfig")
    global_config = config_folder / "gitconfig"
    global_config.write_text(
        "[user]\n\tname = Test Author\n\temail = author@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n"
        "[commit]\n\tgpgsign = false\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(global_config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in (
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "PRE_COMMIT_FROM_REF",
        "PRE_COMMIT_TO_REF",
        "PRE_COMMIT",
        "SKIP",
        "NO_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)


class Repo:
    """A real git repository in a temporary folder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> str:
        completed = subprocess.run(
            ["git", *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **(env or {})},
        )
        if check and completed.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed:\n{completed.stderr}")
        return completed.stdout

    def write(self, name: str, content: str | bytes) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_bytes(content.encode("utf-8"))
        return target

    def stage(self, *names: str) -> None:
        self.git("add", "--", *names)

    def commit(self, message: str = "change", *extra: str) -> str:
        self.git("commit", "-q", "--no-verify", "-m", message, *extra)
        return self.git("rev-parse", "HEAD").strip()

    def commit_files(self, files: dict[str, str | bytes], message: str = "change") -> str:
        for name, content in files.items():
            self.write(name, content)
        self.stage(*files)
        return self.commit(message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    path = tmp_path / "repo"
    path.mkdir()
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    monkeypatch.chdir(path)
    return Repo(path)


class CliResult:
    """Exit code and captured output of one in-process command."""

    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        _captured_outputs.extend((stdout, stderr))

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Iterator[object]:
    """Run `staged-secrets ARGS` in this process and capture its output."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        exit_code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(exit_code, captured.out, captured.err)

    yield run


def run_command(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> CliResult:
    """Run the installed console script as a separate process."""
    completed = subprocess.run(
        [sys.executable, "-m", "staged_secrets.hooks.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A git repository holding this checkout's current files, for pre-commit to install.

    pre-commit installs a hook repository from a commit, so the working
    tree (with any uncommitted change) is copied and committed here.
    """
    target = tmp_path_factory.mktemp("hook-source") / "staged-secrets"
    ignored = shutil.ignore_patterns(
        ".git",
        ".venv",
        ".ci-venv",
        "__pycache__",
        "*.egg-info",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".hypothesis",
        "build",
    )
    shutil.copytree(PROJECT_ROOT, target, ignore=ignored)
    environment = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "--no-verify", "-m", "snapshot"],
    ):
        subprocess.run(command, cwd=target, check=True, env=environment, capture_output=True)
    return str(target)


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One pre-commit cache for the whole run, so the hook environment is built once."""
    return str(tmp_path_factory.mktemp("pre-commit-home"))
