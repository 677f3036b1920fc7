"""A merge commit: only lines that neither parent has count as added."""

from __future__ import annotations

from typing import Any

from tests.conftest import Repo, assert_no_secret, fake_aws_key, fake_github_token
from tests.hooks.helpers import (
    commit_count,
    git_commit,
    install_hook,
    locations,
    scan_json,
    write_hook_config,
)

BASE = [f"setting_{number} = {number}" for number in range(1, 9)]


def _text(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def _conflicting_branches(repo: Repo, branch_secret: str) -> None:
    """Leave a conflicted merge of a branch that committed BRANCH_SECRET into main."""
    repo.commit_files({"app.py": _text(BASE), "notes.md": "notes\n"}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit_files(
        {
            "app.py": _text([*BASE[:4], f'aws_key = "{branch_secret}"', *BASE[4:]]),
            "feature.py": f'token = "{branch_secret}"\n',
        },
        "feature",
    )
    repo.git("checkout", "-q", "main")
    repo.commit_files({"app.py": _text([*BASE[:4], "debug = False", *BASE[4:]])}, "main")
    merged = repo.git("merge", "-q", "feature", check=False)
    assert "app.py" in repo.git("diff", "--name-only", "--diff-filter=U"), merged


def test_merge_reports_only_resolution_lines(repo: Repo, cli: Any) -> None:
    branch_key = fake_aws_key()
    new_token = fake_github_token("b" * 36)
    _conflicting_branches(repo, branch_key)
    resolved = [*BASE[:4], "debug = False", f'aws_key = "{branch_key}"', *BASE[4:]]
    repo.write("app.py", _text([*resolved, f'token = "{new_token}"']))
    repo.stage("app.py")

    exit_code, document, output = scan_json(cli)

    # feature.py and the branch's key come from a parent; the token is new.
    assert exit_code == 1, output
    assert locations(document) == [("app.py", 11, "GitHub Token")]
    assert_no_secret(output, branch_key, new_token)


def test_merge_taking_both_sides_passes(repo: Repo, cli: Any) -> None:
    branch_key = fake_aws_key()
    _conflicting_branches(repo, branch_key)
    resolved = [*BASE[:4], "debug = False", f'aws_key = "{branch_key}"', *BASE[4:]]
    repo.write("app.py", _text(resolved))
    repo.stage("app.py")

    exit_code, document, output = scan_json(cli)

    assert exit_code == 0, output
    assert document["results"] == []
    assert_no_secret(output, branch_key)


def test_merge_through_hook(repo: Repo, hook_source: str, pre_commit_home: str) -> None:
    branch_key = fake_aws_key()
    new_token = fake_github_token("c" * 36)
    write_hook_config(repo, hook_source)
    repo.stage(".pre-commit-config.yaml")
    repo.commit("hook configuration")
    environment = install_hook(repo, pre_commit_home)
    _conflicting_branches(repo, branch_key)
    resolved = [*BASE[:4], "debug = False", f'aws_key = "{branch_key}"', *BASE[4:]]
    repo.write("app.py", _text([*resolved, f'token = "{new_token}"']))
    repo.stage("app.py")

    blocked_code, blocked_output = git_commit(repo, environment, "--no-edit")

    assert blocked_code != 0, blocked_output
    assert "app.py:11" in blocked_output
    assert "app.py:6" not in blocked_output
    assert "feature.py" not in blocked_output

    repo.write("app.py", _text(resolved))
    repo.stage("app.py")
    allowed_code, allowed_output = git_commit(repo, environment, "--no-edit")

    assert allowed_code == 0, allowed_output
    assert len(repo.git("rev-list", "--parents", "-n", "1", "HEAD").split()) == 3
    assert commit_count(repo) == 5
    assert_no_secret(blocked_output + allowed_output, branch_key, new_token)
