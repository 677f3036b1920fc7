"""The user's git configuration and environment must not change what a scan reports."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo, fake_aws_key, fake_password
from tests.hooks.robust_support import Cli, scan_json


def base_files(key: str) -> dict[str, str | bytes]:
    numbered = "".join(f"line = {number}\n" for number in range(1, 11))
    return {
        "app.py": numbered,
        "old name.py": "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n",
        "crlf.txt": "one\r\ntwo\r\nthree\r\n",
        "data.cfg": "[main]\nname = demo\n",
        "script.ps1": ("\ufeffWrite-Host 'a'\r\nWrite-Host 'b'\r\n").encode("utf-16-le"),
        "big.txt": "".join(f"filler {number} {'x' * 40}\n" for number in range(200)),
        "sub/inner.py": "x = 1\n",
        "known.py": f"aws = '{key}'\n",
    }


def stage_changes(repo: Repo, key: str, password: str) -> None:
    lines = [f"line = {number}\n" for number in range(1, 11)]
    lines[2] = "line = 'changed'\n"
    lines.insert(5, f"aws = '{key}'\n")
    repo.write("app.py", "".join(lines))

    repo.git("mv", "old name.py", "new name.py")
    repo.write("new name.py", f"a = 1\nb = 2\nc = 3\nd = 4\ne = 5\npassword = '{password}'\n")
    repo.write("added.txt", f"first\nkey: {key}\n")
    repo.write("crlf.txt", f"one\r\ntwo\r\nthree\r\naws {key}\r\n")
    repo.write("data.cfg", f"[main]\nname = demo\npassword = {password}\n")
    repo.write(
        "script.ps1",
        f"\ufeffWrite-Host 'a'\r\n$k = '{key}'\r\nWrite-Host 'b'\r\n".encode("utf-16-le"),
    )
    big = [f"filler {number} {'x' * 40}\n" for number in range(200)]
    big.insert(100, f"aws {key}\n")
    repo.write("big.txt", "".join(big))
    repo.write("sub/inner.py", f"x = 1\npassword = '{password}'\n")
    os.chmod(repo.path / "known.py", 0o755)
    repo.git("add", "-A")


def build(repo: Repo) -> tuple[str, str]:
    key = fake_aws_key()
    password = fake_password()
    repo.commit_files(base_files(key))
    stage_changes(repo, key, password)
    return key, password


def summary(report: dict[str, Any]) -> dict[str, Any]:
    return {
        "results": sorted(
            (item["filename"], item["line_number"], item["type"], item["hashed_secret"])
            for item in report["results"]
        ),
        "files_scanned": report["files_scanned"],
        "lines_scanned": report["lines_scanned"],
        "skipped": report["skipped"],
    }


def write_script(folder: Path, name: str, body: str) -> str:
    script = folder / name
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def append_global(settings: dict[str, str]) -> None:
    with open(os.environ["GIT_CONFIG_GLOBAL"], "a") as config:
        for name, value in settings.items():
            section, _, key = name.rpartition(".")
            if "." in section:
                head, _, sub = section.partition(".")
                config.write(f'[{head} "{sub}"]\n\t{key} = {value}\n')
            else:
                config.write(f"[{section}]\n\t{key} = {value}\n")


SCAN_TIME_SETTINGS = [
    pytest.param({"diff.noprefix": "true"}, id="noprefix"),
    pytest.param({"diff.mnemonicPrefix": "true"}, id="mnemonicPrefix"),
    pytest.param({"diff.relative": "true"}, id="relative"),
    pytest.param({"color.ui": "always", "color.diff": "always"}, id="color"),
    pytest.param({"core.quotePath": "true"}, id="quotePath-true"),
    pytest.param({"core.quotePath": "false"}, id="quotePath-false"),
    pytest.param({"diff.renames": "false"}, id="renames-off"),
    pytest.param({"diff.renames": "copies"}, id="renames-copies"),
    pytest.param({"diff.algorithm": "patience"}, id="patience"),
    pytest.param({"diff.algorithm": "histogram"}, id="histogram"),
    pytest.param({"diff.indentHeuristic": "true"}, id="indentHeuristic"),
    pytest.param({"diff.interHunkContext": "10"}, id="interHunkContext"),
    pytest.param({"diff.context": "8"}, id="context"),
    pytest.param({"core.abbrev": "7"}, id="abbrev"),
    pytest.param({"diff.ignoreSubmodules": "all"}, id="ignoreSubmodules"),
    pytest.param({"diff.colorMoved": "zebra"}, id="colorMoved"),
    pytest.param({"diff.suppressBlankEmpty": "true"}, id="suppressBlankEmpty"),
    pytest.param({"core.bigFileThreshold": "1k"}, id="bigFileThreshold"),
    pytest.param({"core.hooksPath": "/nonexistent/hooks"}, id="hooksPath"),
]


@pytest.mark.parametrize("where", ["repository", "global"])
@pytest.mark.parametrize("settings", SCAN_TIME_SETTINGS)
def test_config_same_results(repo: Repo, cli: Cli, settings: dict[str, str], where: str) -> None:
    key, password = build(repo)
    (repo.path / "sub").mkdir(exist_ok=True)
    _, clean = scan_json(cli, secrets=[key, password])

    if where == "global":
        append_global(settings)
    else:
        for name, value in settings.items():
            repo.git("config", name, value)
    _, configured = scan_json(cli, secrets=[key, password])

    assert summary(configured) == summary(clean)
    assert len(clean["results"]) == 8


def test_results_of_clean_config(repo: Repo, cli: Cli) -> None:
    key, password = build(repo)

    _, report = scan_json(cli, secrets=[key, password])

    assert {(item["filename"], item["line_number"]) for item in report["results"]} == {
        ("app.py", 6),
        ("new name.py", 6),
        ("added.txt", 2),
        ("crlf.txt", 4),
        ("data.cfg", 3),
        ("script.ps1", 2),
        ("big.txt", 101),
        ("sub/inner.py", 2),
    }
    assert len(report["results"]) == 8


def test_relative_config_from_subfolder(
    repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, password = build(repo)
    monkeypatch.chdir(repo.path / "sub")
    _, clean = scan_json(cli, secrets=[key, password])

    repo.git("config", "diff.relative", "true")
    _, configured = scan_json(cli, secrets=[key, password])

    assert summary(configured) == summary(clean)
    assert len(clean["results"]) == 8


ATTRIBUTE_CASES = [
    pytest.param("*.py diff=shout\n*.txt diff=shout\n", id="textconv"),
    pytest.param("*.py -diff\n*.txt -diff\n*.cfg -diff\n", id="no-diff"),
    pytest.param("* binary\n", id="binary"),
    pytest.param("*.py diff=external\n", id="external-driver"),
]


@pytest.mark.parametrize("attributes", ATTRIBUTE_CASES)
def test_attributes_same_results(repo: Repo, cli: Cli, tmp_path: Path, attributes: str) -> None:
    key, password = build(repo)
    _, clean = scan_json(cli, secrets=[key, password])

    # textconv drops the first line, so converted diffs would shift every line.
    repo.git("config", "diff.shout.textconv", write_script(tmp_path, "conv", 'sed 1d "$1"'))
    repo.git("config", "diff.external.command", write_script(tmp_path, "ext", "echo changed"))
    (repo.path / ".git" / "info").mkdir(exist_ok=True)
    (repo.path / ".git" / "info" / "attributes").write_text(attributes)
    _, configured = scan_json(cli, secrets=[key, password])

    assert summary(configured) == summary(clean)


def test_external_diff_same_results(repo: Repo, cli: Cli, tmp_path: Path) -> None:
    key, password = build(repo)
    _, clean = scan_json(cli, secrets=[key, password])

    repo.git("config", "diff.external", write_script(tmp_path, "ext", "echo hijacked"))
    _, configured = scan_json(cli, secrets=[key, password])

    assert summary(configured) == summary(clean)


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({"GIT_DIFF_OPTS": "--unified=5"}, id="GIT_DIFF_OPTS"),
        pytest.param({"GIT_EXTERNAL_DIFF": "false"}, id="GIT_EXTERNAL_DIFF"),
        pytest.param({"GIT_GLOB_PATHSPECS": "1"}, id="GIT_GLOB_PATHSPECS"),
        pytest.param({"GIT_ICASE_PATHSPECS": "1"}, id="GIT_ICASE_PATHSPECS"),
    ],
)
def test_environment_same_results(
    repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    key, password = build(repo)
    _, clean = scan_json(cli, secrets=[key, password])

    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    _, configured = scan_json(cli, secrets=[key, password])

    assert summary(configured) == summary(clean)


def test_replace_objects_ignored(repo: Repo, cli: Cli) -> None:
    key, password = build(repo)
    _, clean = scan_json(cli, secrets=[key, password])

    staged_blob = repo.git("rev-parse", ":app.py").strip()
    decoy = repo.git("hash-object", "-w", "--stdin", "--path", "app.py").strip()
    repo.git("replace", staged_blob, decoy)
    _, configured = scan_json(cli, secrets=[key, password])

    assert summary(configured) == summary(clean)


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"core.autocrlf": "true"}, id="autocrlf-true"),
        pytest.param({"core.autocrlf": "input"}, id="autocrlf-input"),
        pytest.param({"core.autocrlf": "true", "core.safecrlf": "warn"}, id="safecrlf"),
        pytest.param({"core.eol": "crlf"}, id="eol-crlf"),
    ],
)
def test_line_ending_config_same_findings(
    repo: Repo,
    cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: dict[str, str],
) -> None:
    key, password = build(repo)
    _, clean = scan_json(cli, secrets=[key, password])

    other = Repo(tmp_path / "configured")
    other.path.mkdir()
    other.git("init", "-q")
    for name, value in settings.items():
        other.git("config", name, value)
    other.commit_files(base_files(key))
    stage_changes(other, key, password)
    monkeypatch.chdir(other.path)
    _, configured = scan_json(cli, secrets=[key, password])

    assert summary(configured)["results"] == summary(clean)["results"]
