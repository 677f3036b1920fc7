"""Counts in messages agree with their nouns, and --verbose works after a sub-command."""

from __future__ import annotations

import pytest
from staged_secrets.hooks import changes, engine
from staged_secrets.hooks.words import plural

from tests.conftest import Repo, assert_no_secret, fake_aws_key, fake_password
from tests.hooks.robust_support import Cli


@pytest.mark.parametrize(
    ("count", "noun", "plural_noun", "expected"),
    [
        pytest.param(0, "file", None, "0 files", id="zero"),
        pytest.param(1, "file", None, "1 file", id="one"),
        pytest.param(2, "file", None, "2 files", id="two"),
        pytest.param(1, "entry", "entries", "1 entry", id="irregular-one"),
        pytest.param(3, "entry", "entries", "3 entries", id="irregular-many"),
    ],
)
def test_plural_table(count: int, noun: str, plural_noun: str | None, expected: str) -> None:
    assert plural(count, noun, plural_noun) == expected


def test_single_finding_singular(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.write("app.py", f"aws = '{key}'\n")
    repo.stage("app.py")

    result = cli("scan")

    assert result.exit_code == 1
    assert "scanned 1 added line in 1 file (staged changes)" in result.stdout
    assert "Found 1 new potential secret:" in result.stdout
    assert "(s)" not in result.stdout
    assert_no_secret(result.output, key)


def test_many_findings_plural(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    password = fake_password()
    repo.write("app.py", f"aws = '{key}'\npassword = '{password}'\n")
    repo.write("other.py", "x = 1\n")
    repo.stage("app.py", "other.py")

    result = cli("scan")

    assert "scanned 3 added lines in 2 files (staged changes)" in result.stdout
    assert "Found 2 new potential secrets:" in result.stdout
    assert_no_secret(result.output, key, password)


def test_all_files_says_whole_files(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"app.py": f"x = 1\naws = '{key}'\n", "b.py": "y = 2\n"})

    result = cli("scan", "--all-files")

    assert "scanned 3 lines of 2 whole files (all files in the index)" in result.stdout
    assert "added line" not in result.stdout
    assert_no_secret(result.output, key)


def test_named_unchanged_file_whole(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"app.py": f"aws = '{key}'\n"})

    result = cli("scan", "app.py")

    assert "scanned 1 line of 1 whole file (whole staged content" in result.stdout
    assert_no_secret(result.output, key)


def test_baseline_create_singular(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"app.py": f"aws = '{key}'\n"})

    result = cli("baseline", "create")

    assert result.exit_code == 0
    assert ": 1 entry in 1 file (1 file scanned)." in result.stdout
    assert_no_secret(result.output, key)


def test_audit_stats_singular(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"app.py": f"aws = '{key}'\n"})
    assert cli("baseline", "create").exit_code == 0

    result = cli("audit", "--stats")

    assert "Baseline .secrets.baseline: 1 entry: " in result.stdout
    assert_no_secret(result.output, key)


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(["scan", "--verbose"], id="scan"),
        pytest.param(["--verbose", "scan"], id="before"),
        pytest.param(["baseline", "--verbose", "create"], id="group"),
        pytest.param(["baseline", "create", "--verbose"], id="create"),
        pytest.param(["audit", "--stats", "--verbose"], id="audit"),
    ],
)
def test_verbose_after_command(repo: Repo, cli: Cli, arguments: list[str]) -> None:
    repo.commit_files({"app.py": "x = 1\n"})
    if arguments[0] == "audit":
        assert cli("baseline", "create").exit_code == 0

    result = cli(*arguments)

    assert result.exit_code == 0, result.stderr
    assert "unrecognized arguments" not in result.stderr


def test_verbose_after_scan_shows_frames(
    repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = fake_aws_key()
    repo.write("app.py", f"aws = '{key}'\n")
    repo.stage("app.py")

    def failing_scan(filename: str, text: str, added: object) -> list[engine.RawSecret]:
        raise RuntimeError("scan failed")

    monkeypatch.setattr(changes.engine, "scan_text", failing_scan)

    quiet = cli("scan")
    verbose = cli("scan", "--verbose")

    assert quiet.exit_code == verbose.exit_code == 2
    assert len(quiet.stderr.splitlines()) == 1
    assert len(verbose.stderr.splitlines()) > 1
    assert_no_secret(quiet.output + verbose.output, key)
