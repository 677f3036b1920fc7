"""Encodings and line endings of real staged files: every one is decoded and scanned."""

from __future__ import annotations

import codecs
import hashlib

import pytest

from tests.conftest import Repo, fake_aws_key, fake_github_token
from tests.hooks.robust_support import (
    Cli,
    detect_secrets_results,
    identities,
    locations,
    scan_json,
    skipped_files,
)

AWS = "AWS Access Key"


def sha1(secret: str) -> str:
    return hashlib.sha1(secret.encode("utf-8")).hexdigest()


def powershell_lines(key: str) -> list[str]:
    return [
        "# deploy script",
        "$region = 'eu-west-1'",
        f'$key = "{key}"',
        "Write-Host 'done'",
    ]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        pytest.param("utf-8", b"", id="utf-8"),
        pytest.param("utf-8", codecs.BOM_UTF8, id="utf-8-bom"),
        pytest.param("utf-16-le", codecs.BOM_UTF16_LE, id="utf-16-le-bom"),
        pytest.param("utf-16-be", codecs.BOM_UTF16_BE, id="utf-16-be-bom"),
        pytest.param("utf-16-le", b"", id="utf-16-le-no-bom"),
    ],
)
def test_new_file_each_encoding(repo: Repo, cli: Cli, encoding: str, bom: bytes) -> None:
    key = fake_aws_key()
    text = "\r\n".join(powershell_lines(key)) + "\r\n"
    repo.write("deploy.ps1", bom + text.encode(encoding))
    repo.stage("deploy.ps1")

    exit_code, report = scan_json(cli, secrets=[key])

    assert exit_code == 1
    assert locations(report) == {("deploy.ps1", 3, AWS)}
    assert identities(report) == {("deploy.ps1", AWS, sha1(key))}


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_modified_line_numbers(repo: Repo, cli: Cli, encoding: str) -> None:
    old_key = fake_aws_key("OLDKEY3MRT5XWB2N")
    lines = powershell_lines(old_key)
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    repo.commit_files({"deploy.ps1": bom + ("\r\n".join(lines) + "\r\n").encode(encoding)})

    new_key = fake_aws_key()
    lines.insert(4, f'$backup = "{new_key}"')
    lines.insert(1, "Set-StrictMode -Version Latest")
    repo.write("deploy.ps1", bom + ("\r\n".join(lines) + "\r\n").encode(encoding))
    repo.stage("deploy.ps1")

    exit_code, report = scan_json(cli, secrets=[old_key, new_key])

    # Only the added key is new: the committed key on an unchanged line is not reported.
    assert exit_code == 1
    assert locations(report) == {("deploy.ps1", 6, AWS)}
    assert identities(report) == {("deploy.ps1", AWS, sha1(new_key))}
    assert report["lines_scanned"] == 2


def test_latin1_file_scanned(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    content = "# Paramètres généraux\n".encode("latin-1") + f'key = "{key}"\n'.encode()
    content += "# fin \xe9\xe8\n".encode("latin-1")
    repo.write("config.txt", content)
    repo.stage("config.txt")

    exit_code, report = scan_json(cli, secrets=[key])

    assert exit_code == 1
    assert locations(report) == {("config.txt", 2, AWS)}
    assert identities(report) == {("config.txt", AWS, sha1(key))}


def test_invalid_utf8_bytes_scanned(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    content = b"\xff\xfe\xfd broken\n\xc3\n" + f"token {key}\n".encode() + b"\x80end\n"
    repo.write("data.txt", content)
    repo.stage("data.txt")

    exit_code, report = scan_json(cli, secrets=[key])

    assert exit_code == 1
    assert locations(report) == {("data.txt", 3, AWS)}


def test_utf8_with_nul_bytes_scanned(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"record.dat": b"header\0\0\nfirst\n"})
    repo.write("record.dat", b"header\0\0\nfirst\n" + f"aws {key}\n".encode())
    repo.stage("record.dat")

    exit_code, report = scan_json(cli, secrets=[key])

    assert exit_code == 1
    assert locations(report) == {("record.dat", 3, AWS)}


def test_binary_file_skipped_visibly(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    content = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xd8" + key.encode() + b"\0\xfe\xff"
    repo.write("image.dat", content)
    repo.stage("image.dat")

    exit_code, report = scan_json(cli, secrets=[key])
    text = cli("scan")

    assert exit_code == 0
    assert skipped_files(report) == {"image.dat": "binary content"}
    assert "skipped image.dat: binary content" in text.stdout


@pytest.mark.parametrize(
    "ending",
    [
        pytest.param("\r\n", id="crlf"),
        pytest.param("\r", id="lone-cr"),
        pytest.param("mixed", id="mixed"),
    ],
)
def test_line_endings_same_hash(repo: Repo, cli: Cli, ending: str) -> None:
    key = fake_aws_key()
    token = fake_github_token()
    lines = ["first line", f"aws = '{key}'", "middle", f"token = '{token}'", "last"]
    endings = ["\n", "\r\n", "\r", "\r\n", "\n"] if ending == "mixed" else [ending] * 5
    repo.write("other.txt", "".join(line + "\n" for line in lines))
    repo.write("mixed.txt", "".join(line + end for line, end in zip(lines, endings)))
    repo.stage("other.txt", "mixed.txt")

    exit_code, report = scan_json(cli, secrets=[key, token])
    oracle = detect_secrets_results(repo.path / "mixed.txt")

    assert exit_code == 1
    by_file: dict[str, set[tuple[int, str, str]]] = {"other.txt": set(), "mixed.txt": set()}
    for item in report["results"]:
        by_file[item["filename"]].add((item["line_number"], item["type"], item["hashed_secret"]))
    assert by_file["mixed.txt"] == by_file["other.txt"]
    assert by_file["mixed.txt"] == oracle
    assert (2, AWS, sha1(key)) in oracle
    assert len(oracle) >= 2


def test_lone_cr_added_line_numbers(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"classic.txt": "one\rtwo\rthree\r"})
    repo.write("classic.txt", f"one\rtwo\rnew {key}\rthree\r")
    repo.stage("classic.txt")

    exit_code, report = scan_json(cli, secrets=[key])

    assert exit_code == 1
    assert locations(report) == {("classic.txt", 3, AWS)}
    assert locations(report) == {
        ("classic.txt", line, kind)
        for line, kind, _ in detect_secrets_results(repo.path / "classic.txt")
    }


def test_baseline_from_crlf_matches_lf(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"settings.ini": f"[aws]\r\nkey = {key}\r\nregion = eu\r\n"})
    created = cli("baseline", "create")
    assert created.exit_code == 0, created.output

    repo.write("settings.ini", f"[aws]\nkey = {key}\nregion = eu\n")
    repo.stage("settings.ini")
    exit_code, report = scan_json(cli, secrets=[key])

    assert exit_code == 0
    assert report["results"] == []
    assert report["known_to_baseline"] == 1
    assert report["lines_scanned"] == 3


@pytest.mark.parametrize("modified", [False, True], ids=["new", "appended"])
def test_no_final_newline(repo: Repo, cli: Cli, modified: bool) -> None:
    key = fake_aws_key()
    if modified:
        repo.commit_files({"notes.txt": "alpha\nbeta"})
        repo.write("notes.txt", f"alpha\nbeta\nkey {key}")
    else:
        repo.write("notes.txt", f"alpha\nkey {key}")
    repo.stage("notes.txt")

    exit_code, report = scan_json(cli, secrets=[key])

    assert exit_code == 1
    assert locations(report) == {("notes.txt", 3 if modified else 2, AWS)}
