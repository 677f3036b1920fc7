"""When the scan cannot do its job it exits 2 with one line, and the commit is blocked."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from staged_secrets.hooks import changes, engine

from tests.conftest import Repo, assert_no_secret, fake_aws_key, run_command
from tests.hooks.robust_support import Cli
from tests.hooks.test_end_to_end import _install_hook


def loose_object_path(repo: Repo, object_name: str) -> Path:
    return repo.path / ".git" / "objects" / object_name[:2] / object_name[2:]


def stage_and_lose_blob(repo: Repo, name: str, content: str) -> None:
    repo.write(name, content)
    repo.stage(name)
    object_name = repo.git("rev-parse", f":{name}").strip()
    loose_object_path(repo, object_name).unlink()


def assert_one_line_error(stderr: str, expected: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("staged-secrets: error: ")
    assert expected in lines[0]


def test_outside_repository(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    result = cli("scan")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert_one_line_error(result.stderr, "git rev-parse failed: fatal: not a git repository")


def test_git_missing(repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo.path / "no-such-folder"))

    result = cli("scan")

    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "could not run git")


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        pytest.param(lambda data: data[:30], "index file smaller than expected", id="truncated"),
        pytest.param(lambda data: b"XXXX" + data[4:], "index file corrupt", id="bad-signature"),
    ],
)
def test_corrupt_index(repo: Repo, cli: Cli, damage: Callable[[bytes], bytes], reason: str) -> None:
    repo.commit_files({"app.py": "x = 1\n", "lib.py": "y = 2\n"})
    index = repo.path / ".git" / "index"
    index.write_bytes(damage(index.read_bytes()))

    result = cli("scan")
    every_file = cli("scan", "--all-files")

    assert result.exit_code == 2
    assert_one_line_error(result.stderr, reason)
    assert every_file.exit_code == 2
    assert_one_line_error(every_file.stderr, reason)


def test_missing_blob(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"base.py": "x = 1\n"})
    stage_and_lose_blob(repo, "app.py", f"aws = '{key}'\n")

    result = cli("scan")
    every_file = cli("scan", "--all-files")

    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "could not be read")
    assert every_file.exit_code == 2
    assert_one_line_error(every_file.stderr, "could not be read")
    assert_no_secret(result.output + every_file.output, key)


def test_missing_head_commit(repo: Repo, cli: Cli) -> None:
    head = repo.commit_files({"app.py": "x = 1\n"})
    loose_object_path(repo, head).unlink()
    repo.write("app.py", "x = 2\n")
    repo.stage("app.py")

    result = cli("scan")

    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "HEAD names a commit that cannot be read")


def test_missing_blob_blocks_commit(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    environment = _install_hook(repo, hook_source, pre_commit_home)
    repo.commit_files({"app.py": "x = 1\n"})
    committed_blob = repo.git("rev-parse", "HEAD:app.py").strip()
    key = fake_aws_key()
    repo.write("app.py", f"x = 1\naws = '{key}'\n")
    repo.stage("app.py")
    # pre-commit itself never reads the committed content; the scan's diff does.
    loose_object_path(repo, committed_blob).unlink()

    blocked = subprocess.run(
        ["git", "commit", "-m", "app"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, **environment},
        check=False,
    )
    output = blocked.stdout + blocked.stderr

    assert blocked.returncode != 0
    assert "- exit code: 2" in output
    assert "staged-secrets: error: git diff-index failed" in output
    assert_no_secret(output, key)
    assert repo.git("rev-list", "--count", "HEAD").strip() == "2"


class LeakyError(ValueError):
    """An unexpected error whose message quotes scanned text, as a buggy detector might."""


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_internal_error_hides_message(
    repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch, verbose: bool, output_format: str
) -> None:
    key = fake_aws_key()
    repo.write("app.py", f"aws = '{key}'\n")
    repo.stage("app.py")

    def failing_scan(filename: str, text: str, added: object) -> list[engine.RawSecret]:
        raise LeakyError(f"cannot parse {text!r}")

    monkeypatch.setattr(changes.engine, "scan_text", failing_scan)
    arguments = ["--verbose"] if verbose else []

    result = cli(*arguments, "scan", "--format", output_format)

    assert result.exit_code == 2
    assert result.stdout == ""
    first_line = result.stderr.splitlines()[0]
    assert first_line.startswith("staged-secrets: internal error (LeakyError at ")
    assert first_line.endswith("; please report it")
    assert len(result.stderr.splitlines()) > 1 if verbose else len(result.stderr.splitlines()) == 1
    assert "cannot parse" not in result.output
    assert_no_secret(result.output, key)


def test_library_exit_is_error(repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("app.py", "x = 1\n")
    repo.stage("app.py")

    def exiting_scan(filename: str, text: str, added: object) -> list[engine.RawSecret]:
        raise SystemExit(0)

    monkeypatch.setattr(changes.engine, "scan_text", exiting_scan)

    result = cli("scan")

    assert result.exit_code == 2
    assert "internal error (SystemExit at " in result.stderr


def test_bad_argument_exit_code(repo: Repo) -> None:
    result = run_command(["scan", "--no-such-option"], cwd=repo.path)

    assert result.exit_code == 2
    assert "unrecognized arguments: --no-such-option" in result.stderr
