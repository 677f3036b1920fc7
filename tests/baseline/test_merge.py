"""Merging baselines: plain `git merge` and the `baseline merge-driver`, with real merges."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from staged_secrets.baseline.merge import UNDECIDED, merge_label

from tests.baseline.helpers import BASELINE, aws_line, read, results, set_fields
from tests.conftest import Repo, assert_no_secret

# The setup lines from the README.
GITATTRIBUTES_LINE = ".secrets.baseline merge=staged-secrets\n"
DRIVER_COMMAND = "staged-secrets baseline merge-driver %O %A %B"

# Makes the documented `staged-secrets` command resolve to this checkout's.
SCRIPTS_ON_PATH = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


@pytest.mark.parametrize(
    ("base", "ours", "theirs", "expected"),
    [
        pytest.param(None, None, None, None, id="unlabelled"),
        pytest.param(None, True, None, True, id="labelled-ours"),
        pytest.param(None, None, False, False, id="labelled-theirs"),
        pytest.param(None, True, True, True, id="same-label"),
        pytest.param(True, False, True, False, id="relabelled-ours"),
        pytest.param(True, True, False, False, id="relabelled-theirs"),
        pytest.param(True, None, False, False, id="label-beats-removal"),
        pytest.param(None, True, False, UNDECIDED, id="different-labels"),
        pytest.param(False, True, None, True, id="removed-and-relabelled"),
    ],
)
def test_merge_label_table(
    base: bool | None, ours: bool | None, theirs: bool | None, expected: object
) -> None:
    assert merge_label(base, ours, theirs) is expected


class Branches:
    """A repository with a committed baseline on `main` and helpers to branch from it."""

    def __init__(self, repo: Repo, cli: Any) -> None:
        self.repo = repo
        self.cli = cli
        self.secrets: list[str] = []

    def add_secret_file(self, name: str) -> None:
        line, key = aws_line(f"MERGE{len(self.secrets):011d}")
        self.secrets.append(key)
        self.repo.write(name, "# configuration\n" + line)
        self.repo.stage(name)

    def update_and_commit(self, message: str) -> None:
        result = self.cli("baseline", "update")
        assert result.exit_code == 0, result.output
        assert_no_secret(result.output, *self.secrets)
        self.repo.stage(BASELINE)
        self.repo.commit(message)

    def label(self, filename: str, is_secret: bool) -> None:
        set_fields(self.repo, filename, "AWS Access Key", is_secret=is_secret)

    def start(self, *files: str) -> None:
        for name in files:
            self.add_secret_file(name)
        result = self.cli("baseline", "create")
        assert result.exit_code == 0, result.output
        self.repo.stage(BASELINE)
        self.repo.commit("base")

    def branch(self, name: str) -> None:
        self.repo.git("checkout", "-q", "-b", name, "main")

    def merge(self, branch: str) -> tuple[int, str]:
        """Run `git merge BRANCH`; return its exit code and output, then `git status`."""
        completed = subprocess.run(
            ["git", "merge", "--no-edit", branch],
            cwd=self.repo.path,
            capture_output=True,
            text=True,
            env={**os.environ, **SCRIPTS_ON_PATH},
            check=False,
        )
        status = self.repo.git("status", "--porcelain")
        return completed.returncode, completed.stdout + completed.stderr + status

    def use_merge_driver(self) -> None:
        self.repo.write(".gitattributes", GITATTRIBUTES_LINE)
        self.repo.stage(".gitattributes")
        self.repo.commit("use the baseline merge driver")
        self.repo.git("config", "merge.staged-secrets.name", "staged-secrets baseline merge")
        self.repo.git("config", "merge.staged-secrets.driver", DRIVER_COMMAND)


@pytest.fixture
def branches(repo: Repo, cli: Any) -> Branches:
    return Branches(repo, cli)


def test_plain_merge_of_distant_files(branches: Branches) -> None:
    branches.start("b.py", "d.py")
    branches.branch("left")
    branches.add_secret_file("a.py")
    branches.label("b.py", True)
    branches.update_and_commit("left adds a.py")
    branches.branch("right")
    branches.add_secret_file("f.py")
    branches.label("d.py", False)
    branches.update_and_commit("right adds f.py")
    branches.repo.git("checkout", "-q", "left")

    code, output = branches.merge("right")

    assert code == 0, output
    merged = {item["filename"]: item.get("is_secret") for item in results(branches.repo)}
    assert merged == {"a.py": None, "b.py": True, "d.py": False, "f.py": None}
    again = branches.cli("baseline", "update")
    assert "No change to" in again.stdout
    assert_no_secret(output + again.output, *branches.secrets)


def _both_append(branches: Branches) -> None:
    """Two branches that add findings in files sorting after every file of the baseline.

    Both insert their results at the same place in the file, after the last
    file's closing bracket, which each side also changes (it gains a comma).
    """
    branches.start("b.py", "d.py")
    branches.branch("left")
    branches.add_secret_file("x.py")
    branches.update_and_commit("left adds x.py")
    branches.label("x.py", True)
    branches.update_and_commit("left labels x.py")
    branches.branch("right")
    branches.add_secret_file("y.py")
    branches.update_and_commit("right adds y.py")
    branches.label("y.py", False)
    branches.update_and_commit("right labels y.py")
    branches.repo.git("checkout", "-q", "left")


def test_plain_merge_of_appended_files_conflicts(branches: Branches) -> None:
    _both_append(branches)

    code, output = branches.merge("right")

    assert code == 1
    assert "CONFLICT" in output
    assert "<<<<<<<" in (branches.repo.path / BASELINE).read_text()
    assert_no_secret(output, *branches.secrets)


def test_merge_driver_merges_appended_files(branches: Branches) -> None:
    branches.use_merge_driver()
    _both_append(branches)

    code, output = branches.merge("right")

    assert code == 0, output
    merged = {item["filename"]: item.get("is_secret") for item in results(branches.repo)}
    assert merged == {"b.py": None, "d.py": None, "x.py": True, "y.py": False}
    assert branches.repo.git("status", "--porcelain") == ""
    again = branches.cli("baseline", "update")
    assert "No change to" in again.stdout
    assert_no_secret(output + again.output, *branches.secrets)


def test_merge_driver_reports_label_conflict(branches: Branches) -> None:
    branches.use_merge_driver()
    branches.start("b.py", "d.py")
    branches.branch("left")
    branches.label("b.py", True)
    branches.update_and_commit("left: real")
    branches.branch("right")
    branches.label("b.py", False)
    branches.label("d.py", True)
    branches.update_and_commit("right: false positive")
    branches.repo.git("checkout", "-q", "left")

    code, output = branches.merge("right")

    assert code == 1
    assert "UU .secrets.baseline" in output
    text = (branches.repo.path / BASELINE).read_text()
    assert '<<<<<<< ours\n        "is_secret": true\n=======\n' in text
    assert '=======\n        "is_secret": false\n>>>>>>> theirs\n' in text
    assert text.count("<<<<<<<") == 1
    scan = branches.cli("scan")
    assert scan.exit_code == 2
    assert "conflict markers from the merge driver around 1 value " in scan.stderr
    assert "is_secret of the AWS Access Key entry in b.py" in scan.stderr
    assert "set up the merge driver" not in scan.stderr
    assert scan.stderr.count("\n") == 1
    assert_no_secret(output + scan.output, *branches.secrets)


def test_driver_settings_conflict_message(branches: Branches) -> None:
    branches.use_merge_driver()
    branches.start("b.py")
    branches.branch("left")
    _set_entropy_limit(branches, 5.0)
    branches.branch("right")
    _set_entropy_limit(branches, 3.5)
    branches.repo.git("checkout", "-q", "left")

    code, output = branches.merge("right")
    scan = branches.cli("scan")

    assert code == 1
    assert scan.exit_code == 2
    assert "around 1 value that both branches changed" in scan.stderr
    assert ": plugins_used)" in scan.stderr
    assert "set up the merge driver" not in scan.stderr
    assert_no_secret(output + scan.output, *branches.secrets)


def _set_entropy_limit(branches: Branches, limit: float) -> None:
    document = read(branches.repo)
    for plugin in document["plugins_used"]:
        if plugin["name"] == "Base64HighEntropyString":
            plugin["limit"] = limit
    _write_json(branches.repo.path / BASELINE, document)
    branches.repo.stage(BASELINE)
    branches.repo.commit(f"entropy limit {limit}")


def test_driver_configured_but_unused(branches: Branches) -> None:
    _both_append(branches)
    branches.repo.git("config", "merge.staged-secrets.driver", DRIVER_COMMAND)

    code, output = branches.merge("right")
    scan = branches.cli("scan")

    assert code == 1
    assert scan.exit_code == 2
    assert "markers that the merge driver did not write" in scan.stderr
    assert "'merge=staged-secrets'" in scan.stderr
    assert_no_secret(output + scan.output, *branches.secrets)


def test_driver_not_configured_message(branches: Branches) -> None:
    _both_append(branches)

    code, output = branches.merge("right")
    scan = branches.cli("scan")

    assert code == 1
    assert scan.exit_code == 2
    assert "set up the merge driver" in scan.stderr
    assert_no_secret(output + scan.output, *branches.secrets)


def test_merge_driver_conflict_resolves_by_editing(branches: Branches) -> None:
    branches.use_merge_driver()
    branches.start("b.py")
    branches.branch("left")
    branches.label("b.py", True)
    branches.update_and_commit("left: real")
    branches.branch("right")
    branches.label("b.py", False)
    branches.update_and_commit("right: false positive")
    branches.repo.git("checkout", "-q", "left")
    branches.merge("right")
    path = branches.repo.path / BASELINE

    text = path.read_text()
    start = text.index("=======\n")
    end = text.index(">>>>>>> theirs\n") + len(">>>>>>> theirs\n")
    path.write_text(text[:start].replace("<<<<<<< ours\n", "") + text[end:])
    branches.repo.stage(BASELINE)
    result = branches.cli("baseline", "update")

    assert result.exit_code == 0, result.output
    assert results(branches.repo)[0]["is_secret"] is True
    assert_no_secret(result.output, *branches.secrets)


def test_merge_driver_handles_add_add(branches: Branches) -> None:
    branches.use_merge_driver()
    branches.add_secret_file("b.py")
    branches.repo.commit("no baseline yet")
    branches.branch("left")
    branches.start()
    branches.branch("right")
    branches.add_secret_file("c.py")
    result = branches.cli("baseline", "create")
    assert result.exit_code == 0
    branches.label("c.py", False)
    branches.repo.stage(BASELINE)
    branches.repo.commit("right creates its own baseline")
    branches.repo.git("checkout", "-q", "left")

    code, output = branches.merge("right")

    assert code == 0, output
    merged = {item["filename"]: item.get("is_secret") for item in results(branches.repo)}
    assert merged == {"b.py": None, "c.py": False}
    assert_no_secret(output + result.output, *branches.secrets)


def _write_json(path: Path, document: dict[str, Any]) -> str:
    path.write_text(json.dumps(document, indent=2) + "\n")
    return str(path)


def test_merge_driver_settings_conflict(branches: Branches, tmp_path: Path) -> None:
    branches.start("b.py")
    document = read(branches.repo)
    base = _write_json(tmp_path / "base", document)
    for plugin in document["plugins_used"]:
        if plugin["name"] == "Base64HighEntropyString":
            plugin["limit"] = 5.0
    ours = _write_json(tmp_path / "ours", document)
    for plugin in document["plugins_used"]:
        if plugin["name"] == "Base64HighEntropyString":
            plugin["limit"] = 3.5
    theirs = _write_json(tmp_path / "theirs", document)

    result = branches.cli("baseline", "merge-driver", base, ours, theirs)

    assert result.exit_code == 1
    assert "plugins_used: both sides changed the same setting" in result.stderr
    text = Path(ours).read_text()
    assert text.startswith('{\n  "version": "1.5.0",\n<<<<<<< ours\n  "plugins_used": [\n')
    assert '"limit": 5.0' in text
    assert '"limit": 3.5' in text
    assert_no_secret(result.output + text, *branches.secrets)


def test_merge_driver_rejects_unsafe_side(branches: Branches, tmp_path: Path) -> None:
    branches.start("b.py")
    document = read(branches.repo)
    base = _write_json(tmp_path / "base", document)
    ours_text = json.dumps(document, indent=2) + "\n"
    ours = _write_json(tmp_path / "ours", document)
    document["plugins_used"].append({"name": "AWSKeyDetector", "path": "file:///tmp/plugin.py"})
    theirs = _write_json(tmp_path / "theirs", document)

    result = branches.cli("baseline", "merge-driver", base, ours, theirs)

    assert result.exit_code == 2
    assert "could not read the THEIRS version" in result.stderr
    assert "'path'" in result.stderr
    assert Path(ours).read_text() == ours_text
    assert_no_secret(result.output, *branches.secrets)
