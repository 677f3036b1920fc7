"""The scan reads what is staged: partial staging, git's temporary index, GIT_INDEX_FILE."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import (
    Repo,
    assert_no_secret,
    fake_aws_key,
    fake_password,
    run_command,
)
from tests.hooks.helpers import (
    commit_count,
    git_commit,
    install_committed_hook,
    locations,
    scan_json,
)

FILLER = [f"line_{number} = {number}" for number in range(1, 11)]


def _text(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def _index_digest(repo: Repo) -> str:
    return hashlib.sha256((repo.path / ".git" / "index").read_bytes()).hexdigest()


def _two_hunk_edit(repo: Repo, secret_line: str) -> None:
    """Commit FILLER as app.py, then add a clean line at the top and SECRET_LINE at the bottom."""
    repo.commit_files({"app.py": _text(FILLER)}, "base")
    repo.write("app.py", _text(["import os", *FILLER, secret_line]))


def _add_patch(repo: Repo, answers: str) -> None:
    """Stage hunks of app.py the way `git add -p` does, answering ANSWERS (y/n per hunk)."""
    subprocess.run(
        ["git", "add", "-p", "app.py"],
        cwd=repo.path,
        input="\n".join(answers) + "\n",
        text=True,
        capture_output=True,
        check=True,
    )


def test_unstaged_secret_not_reported(repo: Repo, cli: Any) -> None:
    password = fake_password()
    _two_hunk_edit(repo, f'password = "{password}"')
    _add_patch(repo, "yn")
    before = _index_digest(repo)

    exit_code, document, output = scan_json(cli)

    assert exit_code == 0, output
    assert document["results"] == []
    assert document["lines_scanned"] == 1
    assert _index_digest(repo) == before
    assert_no_secret(output, password)


def test_staged_hunk_reported_at_staged_line(repo: Repo, cli: Any) -> None:
    password = fake_password()
    _two_hunk_edit(repo, f'password = "{password}"')
    _add_patch(repo, "ny")

    exit_code, document, output = scan_json(cli)

    # The unstaged line at the top shifts the working tree by one line;
    # the staged blob has the secret right after the ten filler lines.
    assert exit_code == 1, output
    assert locations(document) == [("app.py", 11, "Secret Keyword")]
    assert_no_secret(output, password)


def test_secret_removed_from_worktree_reported(repo: Repo, cli: Any) -> None:
    key = fake_aws_key()
    repo.commit_files({"app.py": _text(FILLER)}, "base")
    repo.write("app.py", _text([*FILLER[:4], f'aws_key = "{key}"', *FILLER[4:]]))
    repo.stage("app.py")
    repo.write("app.py", _text(FILLER))

    exit_code, document, output = scan_json(cli)

    assert exit_code == 1, output
    assert locations(document) == [("app.py", 5, "AWS Access Key")]
    assert_no_secret(output, key)


def test_apply_cached_stages_index_only(repo: Repo, cli: Any) -> None:
    key = fake_aws_key()
    repo.commit_files({"app.py": _text(FILLER)}, "base")
    patch = (
        "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n"
        f'@@ -2,0 +3 @@\n+aws_key = "{key}"\n'
    )
    subprocess.run(
        ["git", "apply", "--cached", "--unidiff-zero", "-"],
        cwd=repo.path,
        input=patch,
        text=True,
        check=True,
    )

    exit_code, document, output = scan_json(cli)

    assert (repo.path / "app.py").read_text() == _text(FILLER)
    assert exit_code == 1, output
    assert locations(document) == [("app.py", 3, "AWS Access Key")]
    assert_no_secret(output, key)


def test_git_index_file_selects_index(repo: Repo, tmp_path: Path) -> None:
    key = fake_aws_key()
    repo.commit_files({"app.py": _text(FILLER)}, "base")
    repo.write("app.py", _text([*FILLER, f'aws_key = "{key}"']))
    separate_index = str(tmp_path / "separate-index")
    environment = {"GIT_INDEX_FILE": separate_index}
    repo.git("read-tree", "HEAD", env=environment)
    repo.git("add", "app.py", env=environment)

    with_separate = run_command(["scan", "--format", "json"], cwd=repo.path, env=environment)
    with_default = run_command(["scan", "--format", "json"], cwd=repo.path)

    assert with_separate.exit_code == 1, with_separate.output
    document = json.loads(with_separate.stdout)
    assert locations(document) == [("app.py", 11, "AWS Access Key")]
    assert with_default.exit_code == 0, with_default.output
    assert json.loads(with_default.stdout)["results"] == []
    assert_no_secret(with_separate.output + with_default.output, key)


# Through a real `pre-commit install` and a real `git commit`.


def test_hook_partial_staging_both_ways(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    environment = install_committed_hook(repo, hook_source, pre_commit_home)
    password = fake_password()
    _two_hunk_edit(repo, f'password = "{password}"')
    worktree = (repo.path / "app.py").read_bytes()

    _add_patch(repo, "ny")
    blocked_code, blocked_output = git_commit(repo, environment)

    assert blocked_code != 0, blocked_output
    assert "Unstaged files detected" in blocked_output
    assert "app.py:11" in blocked_output
    assert "Secret Keyword" in blocked_output
    assert commit_count(repo) == 2
    assert (repo.path / "app.py").read_bytes() == worktree

    repo.git("reset", "-q", "app.py")
    _add_patch(repo, "yn")
    allowed_code, allowed_output = git_commit(repo, environment)

    assert allowed_code == 0, allowed_output
    assert "Unstaged files detected" in allowed_output
    assert commit_count(repo) == 3
    assert password not in repo.git("show", "HEAD:app.py")
    assert (repo.path / "app.py").read_bytes() == worktree
    assert_no_secret(blocked_output + allowed_output, password)


def test_hook_commit_all_caught(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    environment = install_committed_hook(repo, hook_source, pre_commit_home)
    key = fake_aws_key()
    repo.commit_files({"app.py": _text(FILLER)}, "base")
    repo.write("app.py", _text([*FILLER, f'aws_key = "{key}"']))

    code, output = git_commit(repo, environment, "-a")

    assert code != 0, output
    assert "app.py:11" in output
    assert "AWS Access Key" in output
    assert commit_count(repo) == 2
    assert repo.git("diff", "--cached", "--name-only") == ""
    assert_no_secret(output, key)


def test_hook_commit_path_caught(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    environment = install_committed_hook(repo, hook_source, pre_commit_home)
    key = fake_aws_key()
    repo.commit_files({"app.py": _text(FILLER), "other.py": "x = 1\n"}, "base")
    repo.write("app.py", _text([*FILLER, f'aws_key = "{key}"']))

    code, output = git_commit(repo, environment, "app.py")

    assert code != 0, output
    assert "app.py:11" in output
    assert "AWS Access Key" in output
    assert commit_count(repo) == 2
    assert_no_secret(output, key)


def test_hook_commit_path_ignores_other_staged(
    repo: Repo, hook_source: str, pre_commit_home: str
) -> None:
    environment = install_committed_hook(repo, hook_source, pre_commit_home)
    key = fake_aws_key()
    repo.commit_files({"app.py": _text(FILLER), "other.py": "x = 1\n"}, "base")
    repo.write("other.py", f'x = 1\naws_key = "{key}"\n')
    repo.stage("other.py")
    repo.write("app.py", _text([*FILLER, "line_11 = 11"]))

    code, output = git_commit(repo, environment, "app.py")

    # `git commit app.py` commits app.py alone; the secret staged in
    # other.py stays out of this commit and is not part of its scan.
    assert code == 0, output
    assert commit_count(repo) == 3
    assert repo.git("show", "--name-only", "--format=", "HEAD").split() == ["app.py"]
    assert repo.git("diff", "--cached", "--name-only").split() == ["other.py"]
    assert_no_secret(output, key)


def test_repeated_scans_read_index_not_worktree(repo: Repo, cli: Any) -> None:
    password = fake_password()
    repo.commit_files({"app.py": _text(FILLER)}, "base")
    repo.write("gone.py", f'password = "{password}"\n')
    repo.stage("gone.py")
    (repo.path / "gone.py").unlink()

    # Every scan loads detect-secrets' default settings, which replaces its
    # settings object; the second scan must not drop files missing on disk.
    outputs = []
    for _ in range(2):
        exit_code, document, output = scan_json(cli)
        outputs.append(output)
        assert exit_code == 1, output
        assert locations(document) == [("gone.py", 1, "Secret Keyword")]
    assert_no_secret("".join(outputs), password)


def test_user_diff_configuration_ignored(
    repo: Repo, cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    key = fake_aws_key()
    password = fake_password()
    repo.commit_files({"src/app.py": _text(FILLER), "src/old.py": _text(FILLER)}, "base")
    repo.git("mv", "src/old.py", "src/moved.py")
    repo.write("src/app.py", _text([*FILLER[:3], f'aws_key = "{key}"', *FILLER[3:]]))
    repo.write("src/moved.py", _text([*FILLER, f'password = "{password}"']))
    repo.stage("src/app.py", "src/moved.py")
    attributes = tmp_path / "attributes"
    attributes.write_text("*.py diff=shout\n")
    settings = {
        "diff.noprefix": "true",
        "diff.mnemonicPrefix": "true",
        "diff.relative": "true",
        "diff.renames": "false",
        "diff.algorithm": "patience",
        "diff.external": "false",
        "diff.interHunkContext": "10",
        "diff.context": "8",
        "diff.shout.textconv": "tr a-z A-Z",
        "color.ui": "always",
        "core.quotePath": "true",
        "core.attributesFile": str(attributes),
    }
    for name, value in settings.items():
        repo.git("config", "--global", name, value)
    monkeypatch.chdir(repo.path / "src")

    exit_code, document, output = scan_json(cli)

    assert exit_code == 1, output
    assert locations(document) == [
        ("src/app.py", 4, "AWS Access Key"),
        ("src/moved.py", 11, "Secret Keyword"),
    ]
    assert_no_secret(output, key, password)


def test_git_diff_opts_ignored(repo: Repo, cli: Any, monkeypatch: Any) -> None:
    password = fake_password()
    repo.commit_files({"app.py": _text([*FILLER[:3], f'password = "{password}"', *FILLER[3:]])})
    repo.write("app.py", _text([*FILLER[:3], f'password = "{password}"', *FILLER[3:], "x = 1"]))
    repo.stage("app.py")
    # git lets this variable override -U0; context lines are not added lines.
    monkeypatch.setenv("GIT_DIFF_OPTS", "--unified=20")

    exit_code, document, output = scan_json(cli)

    assert exit_code == 0, output
    assert document["results"] == []
    assert document["lines_scanned"] == 1
    assert_no_secret(output, password)
