"""File names in reports: control characters escaped, non-UTF-8 bytes as valid UTF-8 JSON."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import Repo, assert_no_secret, fake_aws_key, fake_password

LATIN1_NAME = b"caf\xe9.py"
# A JSON escape of a UTF-16 surrogate: strict parsers reject a lone one.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _scan_bytes(repo: Repo, *args: str) -> tuple[int, bytes, bytes]:
    completed = subprocess.run(
        [sys.executable, "-m", "staged_secrets.hooks.cli", "scan", *args],
        cwd=repo.path,
        capture_output=True,
        check=False,
    )
    return completed.returncode, completed.stdout, completed.stderr


def _parse_strict(output: bytes) -> Any:
    text = output.decode("utf-8", "strict")
    assert SURROGATE_ESCAPE.search(text) is None
    return json.loads(text.encode("utf-8"))


def test_control_characters_escaped(repo: Repo) -> None:
    key = fake_aws_key()
    password = fake_password()
    repo.write("esc\x1b[31mred.py", f"aws = '{key}'\n")
    repo.write("new\nline.py", f"password = '{password}'\n")
    repo.git("add", "-A")

    code, stdout, stderr = _scan_bytes(repo)
    text = stdout.decode("utf-8", "strict")

    assert code == 1, stderr
    assert "\x1b" not in text
    assert "  esc\\x1b[31mred.py:1: AWS Access Key:" in text
    assert "  new\\nline.py:1: Secret Keyword:" in text
    assert_no_secret(text + stderr.decode("utf-8", "replace"), key, password)


def test_latin1_name_text_report(repo: Repo) -> None:
    key = fake_aws_key()
    (repo.path / os.fsdecode(LATIN1_NAME)).write_text(f"aws = '{key}'\n")
    repo.git("add", "-A")

    code, stdout, stderr = _scan_bytes(repo)
    text = stdout.decode("utf-8", "strict")

    assert code == 1, stderr
    assert "  caf\\xe9.py:1: AWS Access Key:" in text
    assert_no_secret(text, key)


def test_latin1_name_json(repo: Repo) -> None:
    key = fake_aws_key()
    (repo.path / os.fsdecode(LATIN1_NAME)).write_text(f"aws = '{key}'\n")
    repo.git("add", "-A")

    code, stdout, stderr = _scan_bytes(repo, "--format", "json")
    report = _parse_strict(stdout)

    assert code == 1, stderr
    [item] = report["results"]
    assert item["filename"] == "caf\\xe9.py"
    assert bytes.fromhex(item["filename_bytes_hex"]) == LATIN1_NAME
    assert_no_secret(stdout.decode("utf-8"), key)


def test_utf8_name_json_has_no_hex(repo: Repo) -> None:
    key = fake_aws_key()
    repo.write("caf\u00e9.py", f"aws = '{key}'\n")
    repo.stage("caf\u00e9.py")

    code, stdout, stderr = _scan_bytes(repo, "--format", "json")
    report = _parse_strict(stdout)

    assert code == 1, stderr
    [item] = report["results"]
    assert item["filename"] == "caf\u00e9.py"
    assert "filename_bytes_hex" not in item
    assert_no_secret(stdout.decode("utf-8"), key)


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_latin1_name_range_scan(repo: Repo, output_format: str) -> None:
    start = repo.commit_files({"README": "start\n"})
    key = fake_aws_key()
    (repo.path / os.fsdecode(LATIN1_NAME)).write_text(f"aws = '{key}'\n")
    repo.git("add", "-A")
    repo.commit("latin-1 name")

    code, stdout, stderr = _scan_bytes(
        repo, "--format", output_format, "--from-ref", start, "--to-ref", "HEAD"
    )
    document = _parse_strict(stdout)

    assert code == 1, stderr
    assert document
    assert_no_secret(stdout.decode("utf-8"), key)


def test_latin1_skipped_file_json(repo: Repo) -> None:
    name = os.fsdecode(b"d\xe9j\xe0.bin")
    (repo.path / name).write_bytes(b"\0\xff\xfe binary")
    repo.git("add", "-A")

    code, stdout, stderr = _scan_bytes(repo, "--format", "json")
    report = _parse_strict(stdout)

    entries = [*report["skipped"], *report["notes"]]
    assert code == 0, stderr
    assert entries
    for entry in entries:
        assert bytes.fromhex(entry["filename_bytes_hex"]) == b"d\xe9j\xe0.bin"
