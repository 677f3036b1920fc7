"""Unusual file names in staged scans, PATH arguments, range scans and the real hook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Repo, assert_no_secret, fake_aws_key, run_command
from tests.hooks.robust_support import Cli, locations, scan_json
from tests.hooks.test_end_to_end import _install_hook

AWS = "AWS Access Key"

DEEP = "/".join(f"level{number}" for number in range(60)) + "/deep.py"

NAMES = [
    pytest.param("with space.py", id="space"),
    pytest.param("ünïcødé/файл.py", id="non-ascii"),
    pytest.param('quote"d.py', id="double-quote"),
    pytest.param("it's.py", id="single-quote"),
    pytest.param("new\nline.py", id="newline"),
    pytest.param("tab\there.py", id="tab"),
    pytest.param("back\\slash.py", id="backslash"),
    pytest.param("-dash.py", id="leading-dash"),
    pytest.param("--double-dash.py", id="double-dash"),
    pytest.param(DEEP, id="deep"),
]

ALL_NAMES = [param.values[0] for param in NAMES]


def escaped(name: str) -> str:
    return name.replace("\n", "\\n").replace("\t", "\\t")


def stage_secret(repo: Repo, name: str, key: str) -> None:
    repo.write(name, f"value = 1\naws = '{key}'\n")
    repo.stage(name)


@pytest.mark.parametrize("name", NAMES)
def test_staged_scan_unusual_name(repo: Repo, cli: Cli, name: str) -> None:
    key = fake_aws_key()
    stage_secret(repo, name, key)

    exit_code, report = scan_json(cli, secrets=[key])
    text = cli("scan")

    assert exit_code == 1
    assert locations(report) == {(name, 2, AWS)}
    assert f"  {escaped(name)}:2: {AWS}:" in text.stdout
    assert_no_secret(text.output, key)


@pytest.mark.parametrize("name", NAMES)
def test_path_argument_unusual_name(repo: Repo, cli: Cli, name: str) -> None:
    key = fake_aws_key()
    stage_secret(repo, name, key)
    repo.write("other.py", f"aws = '{key}'\n")
    repo.stage("other.py")

    exit_code, report = scan_json(cli, name, secrets=[key])
    after_separator = scan_json(cli, "--", name, secrets=[key])

    assert exit_code == 1
    assert locations(report) == {(name, 2, AWS)}
    assert after_separator == (exit_code, report)


def test_path_argument_from_subfolder(
    repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = fake_aws_key()
    stage_secret(repo, "sub dir/-x.py", key)
    stage_secret(repo, "top.py", key)
    monkeypatch.chdir(repo.path / "sub dir")

    exit_code, report = scan_json(cli, "-x.py", secrets=[key])

    assert exit_code == 1
    assert locations(report) == {("sub dir/-x.py", 2, AWS)}


def test_path_argument_symlink(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"real.py": "x = 1\n"})
    stage_secret(repo, "real.py", key)
    (repo.path / "link.py").symlink_to("real.py")
    repo.stage("link.py")

    exit_code, report = scan_json(cli, "link.py", secrets=[key])

    # The link's own content (its target path) is what the index holds for link.py.
    assert exit_code == 0
    assert report["files_scanned"] == 1
    assert report["lines_scanned"] == 1


def test_non_utf8_file_name(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    name = os.fsdecode(b"caf\xe9.py")
    (repo.path / name).write_text(f"aws = '{key}'\n")
    repo.git("add", "-A")

    exit_code, report = scan_json(cli, secrets=[key])
    text = cli("scan")

    assert exit_code == 1
    assert locations(report) == {("caf\\xe9.py", 1, AWS)}
    assert "  caf\\xe9.py:1: AWS Access Key:" in text.stdout


def test_range_scan_unusual_names(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    start = repo.commit_files({"README": "start\n"})
    for name in ALL_NAMES:
        stage_secret(repo, name, key)
    repo.commit("add files")
    repo.git("mv", "--", "-dash.py", "renamed -dash.py")
    repo.commit("rename")

    exit_code, report = scan_json(cli, "--from-ref", start, "--to-ref", "HEAD", secrets=[key])

    assert exit_code == 1
    assert locations(report) == {(name, 2, AWS) for name in ALL_NAMES}


def test_hook_unusual_names(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    environment = _install_hook(repo, hook_source, pre_commit_home)
    key = fake_aws_key()
    names = ["-dash.py", "with space.py", "ünïcødé.py", "new\nline.py", DEEP]
    for name in names:
        stage_secret(repo, name, key)

    blocked = subprocess.run(
        ["git", "commit", "-m", "add files"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, **environment},
        check=False,
    )
    output = blocked.stdout + blocked.stderr

    assert blocked.returncode != 0, output
    for name in names:
        assert f"  {escaped(name)}:2: {AWS}:" in output
    assert "internal error" not in output
    assert_no_secret(output, key)


def test_console_script_dash_path(repo: Repo) -> None:
    key = fake_aws_key()
    stage_secret(repo, "-v", key)
    script = Path(sys.executable).parent / "staged-secrets"

    completed = subprocess.run(
        [str(script), "scan", "-v"], cwd=repo.path, capture_output=True, text=True, check=False
    )

    assert completed.returncode == 1, completed.stderr
    assert f"  -v:2: {AWS}:" in completed.stdout
    assert_no_secret(completed.stdout + completed.stderr, key)


@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_non_utf8_name_every_format(repo: Repo, output_format: str) -> None:
    key = fake_aws_key()
    (repo.path / os.fsdecode(b"r\xe9sum\xe9 \n.py")).write_text(f"aws = '{key}'\n")
    repo.git("add", "-A")

    result = run_command(["scan", "--format", output_format], cwd=repo.path)

    assert result.exit_code == 1, result.stderr
    assert "internal error" not in result.stderr
    assert_no_secret(result.output, key)
