"""Secrets never leave the staged file: not in any output, not in any file on disk."""

from __future__ import annotations

import os
import random
import string
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import (
    PRIVATE_KEY_FOOTER,
    PRIVATE_KEY_HEADER,
    PROJECT_ROOT,
    Repo,
    assert_no_secret,
    fake_aws_key,
    fake_github_token,
    fake_password,
    plant,
    run_command,
)
from tests.hooks.robust_support import Cli, files_written_with, snapshot_times


def unique_aws_key() -> str:
    # Other test runs on this machine may leave the default fake key in the
    # temporary folder, so the disk check needs a key no one else uses.
    tail = "".join(random.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    return fake_aws_key(tail)


def private_key_body() -> str:
    generator = random.Random(5)
    alphabet = string.ascii_letters + string.digits + "+/"
    rows = ["".join(generator.choice(alphabet) for _ in range(64)) for _ in range(4)]
    return plant("\n".join(rows))


def stage_many_secrets(repo: Repo) -> list[str]:
    key = fake_aws_key()
    password = fake_password()
    token = fake_github_token("Xq7" + "b9Lm2Kp4" * 4 + "Z")
    body = private_key_body()
    repo.write("settings.py", f"AWS = '{key}'\npassword = '{password}'\ntoken = '{token}'\n")
    repo.write("key.pem", f"{PRIVATE_KEY_HEADER}\n{body}\n{PRIVATE_KEY_FOOTER}\n")
    repo.write(".env", f"DB_PASSWORD={password}\n")
    repo.stage("settings.py", "key.pem", ".env")
    return [key, password, token, body]


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
@pytest.mark.parametrize("output_format", ["text", "json", "sarif"])
def test_outputs_mask_every_secret(repo: Repo, cli: Cli, output_format: str, verbose: bool) -> None:
    secrets = stage_many_secrets(repo)
    arguments = ["--verbose"] if verbose else []

    result = cli(*arguments, "scan", "--format", output_format)

    assert result.exit_code == 1
    assert "settings.py" in result.stdout
    assert_no_secret(result.output, *secrets)


def test_error_outputs_hide_secrets(repo: Repo, cli: Cli) -> None:
    secrets = stage_many_secrets(repo)
    baseline = repo.write("broken.baseline", f'{{"version": "1.5.0", "results": "{secrets[0]}"')

    bad_baseline = cli("scan", "--baseline", str(baseline))
    bad_range = cli("scan", "--from-ref", secrets[1], "--to-ref", "HEAD")

    assert bad_baseline.exit_code == 2
    assert bad_range.exit_code == 2
    assert_no_secret(bad_baseline.output + bad_range.output, *secrets)


def test_scan_writes_no_secret_to_disk(repo: Repo, tmp_path: Path) -> None:
    key = unique_aws_key()
    start = repo.commit_files({"README": "start\n"})
    repo.commit_files({"old.py": f"aws = '{key}'\n"})
    repo.write("app.py", f"x = 1\naws = '{key}'\n")
    repo.write("deploy.ps1", ("\ufeff$k = '" + key + "'\r\n").encode("utf-16-le"))
    repo.stage("app.py", "deploy.ps1")
    home = tmp_path / "home"
    scratch = tmp_path / "scratch"
    home.mkdir()
    scratch.mkdir()
    environment = {"HOME": str(home), "TMPDIR": str(scratch), "TMP": str(scratch)}
    system_temp = Path(tempfile.gettempdir())
    watched = [repo.path / ".git", home, scratch]

    before = snapshot_times(watched) | snapshot_times([system_temp], skip=[repo.path, tmp_path])
    outputs = [
        run_command(arguments, cwd=repo.path, env=environment)
        for arguments in (
            ["scan"],
            ["--verbose", "scan", "--format", "json"],
            ["scan", "--format", "sarif", "app.py"],
            ["scan", "--all-files"],
            ["scan", "--from-ref", start, "--to-ref", "HEAD"],
            ["baseline", "create"],
            ["scan"],
        )
    ]
    # A control file proves that the check finds a secret written during the run.
    control = home / ".cache" / "control"
    control.parent.mkdir()
    control.write_bytes(key.encode("utf-16-le"))
    after = snapshot_times(watched) | snapshot_times([system_temp], skip=[repo.path, tmp_path])

    assert [result.exit_code for result in outputs] == [1, 1, 1, 1, 1, 0, 0]
    assert_no_secret("".join(result.output for result in outputs), key)
    assert files_written_with(key, before, after) == [control]
    assert (repo.path / ".secrets.baseline").exists()


INNER_TESTS = """
from tests.conftest import fake_aws_key


def test_prints(capsys):
    print(fake_aws_key())


def test_prints_then_reads(capsys):
    print("key:", fake_aws_key())
    assert capsys.readouterr().out


def test_writes_to_stderr(capfd):
    import os
    os.write(2, fake_aws_key().encode())


def test_keeps_secret_quiet():
    assert fake_aws_key()
"""


def _inner_environment() -> dict[str, str]:
    # pytest prints each failure's message once more in its summary when CI
    # is set, so the inner run gets the environment of a developer's shell.
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    environment.pop("CI", None)
    environment.pop("BUILD_NUMBER", None)
    return environment


def test_leak_check_fails_leaking_tests(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import record_captured_output, pytest_runtest_makereport\n"
    )
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")

    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_inner_environment(),
        check=False,
    )

    summary = completed.stdout.strip().splitlines()[-1]
    assert "3 failed, 1 passed" in summary, completed.stdout
    assert completed.stdout.count("appears in full in its captured output") == 3
