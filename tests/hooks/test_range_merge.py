"""Merge commits: only lines that no parent has are new, staged (MERGE_HEAD) or in a range."""

from __future__ import annotations

import json
from typing import NamedTuple

from tests.conftest import Repo, assert_no_secret, fake_aws_key, fake_github_token, fake_password


class Diverged(NamedTuple):
    """Two branches that both change settings.py, each holding a secret of its own."""

    main_before: str
    feature_commit: str
    baselined_token: str
    present_key: str


def _diverge(repo: Repo, cli) -> Diverged:
    repo.commit_files({"settings.py": "MODE = 'base'\nLEVEL = 1\n"}, "base")
    assert cli("baseline", "create").exit_code == 0
    repo.stage(".secrets.baseline")
    repo.commit("add baseline")

    repo.git("checkout", "-q", "-b", "feature")
    token = fake_github_token()
    repo.write("settings.py", "MODE = 'feature'\nLEVEL = 1\n")
    repo.write("feature.py", f'TOKEN = "{token}"\n')
    repo.stage("settings.py", "feature.py")
    assert cli("baseline", "update").exit_code == 0
    repo.stage(".secrets.baseline")
    repo.commit("feature with an accepted token")
    # A secret the branch already has without a baseline entry (pushed with
    # --no-verify, say): merging the branch must not report it again.
    key = fake_aws_key()
    feature_commit = repo.commit_files({"present.py": f'KEY = "{key}"\n'}, "feature key")

    repo.git("checkout", "-q", "main")
    main_before = repo.commit_files({"settings.py": "MODE = 'main'\nLEVEL = 1\n"}, "main mode")
    return Diverged(main_before, feature_commit, token, key)


def _merge_with_conflict(repo: Repo) -> None:
    merged = repo.git("merge", "-q", "--no-edit", "feature", check=False)
    assert "CONFLICT" in merged or repo.git("ls-files", "-u"), "expected a conflict"


def _results(result: object) -> list[tuple[str, str]]:
    document = json.loads(result.stdout)  # type: ignore[attr-defined]
    return [(item["filename"], item["type"]) for item in document["results"]]


def test_staged_merge_reports_resolution_secret(repo: Repo, cli) -> None:
    diverged = _diverge(repo, cli)
    _merge_with_conflict(repo)
    password = fake_password()
    repo.write("settings.py", f"MODE = 'merged'\nLEVEL = 1\npassword = \"{password}\"\n")
    repo.stage("settings.py")

    result = cli("scan", "--format", "json")

    assert result.exit_code == 1, result.output
    assert _results(result) == [("settings.py", "Secret Keyword")]
    assert_no_secret(result.output, password, diverged.baselined_token, diverged.present_key)


def test_staged_merge_clean_resolution_passes(repo: Repo, cli) -> None:
    diverged = _diverge(repo, cli)
    _merge_with_conflict(repo)
    repo.write("settings.py", "MODE = 'merged'\nLEVEL = 1\n")
    repo.stage("settings.py")

    merging = cli("scan", "--format", "json")
    # The same index compared with HEAD alone shows the branch's key as added.
    repo.git("update-ref", "-d", "MERGE_HEAD")
    against_head = cli("scan", "--format", "json")

    assert merging.exit_code == 0, merging.output
    assert against_head.exit_code == 1, against_head.output
    assert _results(against_head) == [("present.py", "AWS Access Key")]
    assert_no_secret(merging.output + against_head.output, diverged.present_key)


def test_staged_merge_taking_one_side_passes(repo: Repo, cli) -> None:
    diverged = _diverge(repo, cli)
    _merge_with_conflict(repo)
    repo.git("checkout", "--theirs", "settings.py")
    repo.stage("settings.py")

    result = cli("scan")

    assert result.exit_code == 0, result.output
    assert_no_secret(result.output, diverged.present_key)


def test_staged_merge_change_outside_conflict(repo: Repo, cli) -> None:
    diverged = _diverge(repo, cli)
    repo.git("checkout", "-q", "-b", "side", "main")
    repo.commit_files({"other.md": "side\n"}, "side")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-commit", "--no-ff", "side")
    password = fake_password()
    repo.write("settings.py", f"MODE = 'main'\nLEVEL = 1\npassword = \"{password}\"\n")
    repo.stage("settings.py")

    result = cli("scan", "--format", "json")

    assert result.exit_code == 1, result.output
    assert _results(result) == [("settings.py", "Secret Keyword")]
    assert_no_secret(result.output, password, diverged.present_key)


def test_staged_octopus_merge(repo: Repo, cli) -> None:
    repo.commit_files({"README.md": "notes\n"}, "base")
    key = fake_aws_key()
    token = fake_github_token()
    for branch, name, content in (
        ("one", "one.py", f'KEY = "{key}"\n'),
        ("two", "two.py", f'TOKEN = "{token}"\n'),
    ):
        repo.git("checkout", "-q", "-b", branch, "main")
        repo.commit_files({name: content}, branch)
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-commit", "one", "two")
    assert len(repo.git("rev-parse", "--git-path", "MERGE_HEAD").strip()) > 0
    password = fake_password()
    repo.write("README.md", f'notes\npassword = "{password}"\n')
    repo.stage("README.md")

    result = cli("scan", "--format", "json")

    assert result.exit_code == 1, result.output
    assert _results(result) == [("README.md", "Secret Keyword")]
    assert_no_secret(result.output, key, token, password)


def test_range_merge_commit_reports_only_resolution(repo: Repo, cli) -> None:
    diverged = _diverge(repo, cli)
    _merge_with_conflict(repo)
    password = fake_password()
    repo.write("settings.py", f"MODE = 'merged'\nLEVEL = 1\npassword = \"{password}\"\n")
    repo.stage("settings.py")
    merge_commit = repo.commit("merge feature")

    result = cli("scan", "--from-ref", diverged.main_before, "--to-ref", "HEAD", "--format", "json")

    assert result.exit_code == 1, result.output
    found = {(item["filename"], item["commit"]) for item in json.loads(result.stdout)["results"]}
    # The feature's own commits are in the range too: its unaccepted key is
    # reported there, at the commit that added it, and not at the merge.
    assert found == {
        ("present.py", diverged.feature_commit),
        ("settings.py", merge_commit),
    }
    assert_no_secret(result.output, password, diverged.baselined_token, diverged.present_key)


def test_range_clean_merge_adds_nothing(repo: Repo, cli) -> None:
    diverged = _diverge(repo, cli)
    _merge_with_conflict(repo)
    repo.write("settings.py", "MODE = 'merged'\nLEVEL = 1\n")
    repo.stage("settings.py")
    merge_commit = repo.commit("merge feature")

    result = cli("scan", "--from-ref", f"{merge_commit}^1", "--to-ref", merge_commit)
    from_feature = cli(
        "scan", "--from-ref", f"{merge_commit}^2", "--to-ref", merge_commit, "--format", "json"
    )

    # From the first parent, the range contains the feature's commits and the merge.
    assert result.exit_code == 1, result.output
    assert "3 commits" in result.stdout
    # From the second parent, the range contains main's own commit and the
    # merge, which adds one line (the resolved MODE) that no parent has.
    assert from_feature.exit_code == 0, from_feature.output
    assert json.loads(from_feature.stdout)["lines_scanned"] == 2
    assert_no_secret(result.output + from_feature.output, diverged.present_key)


def test_merge_of_files_changed_on_both_sides(repo: Repo, cli) -> None:
    lines = ["a = 1", "b = 2", "c = 3", "d = 4", "e = 5"]
    repo.commit_files({"config.py": "\n".join(lines) + "\n"}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    key = fake_aws_key()
    feature_lines = [lines[0], f'KEY = "{key}"', *lines[1:]]
    repo.commit_files({"config.py": "\n".join(feature_lines) + "\n"}, "feature key")
    repo.git("checkout", "-q", "main")
    main_lines = [*lines[:-1], "e = 6"]
    repo.commit_files({"config.py": "\n".join(main_lines) + "\n"}, "main edit")
    repo.git("merge", "-q", "--no-commit", "--no-ff", "feature")

    # The merged config.py differs from both parents, but its key line is
    # the feature's.
    staged = cli("scan", "--format", "json")
    repo.commit("merge feature")
    from_feature = cli("scan", "--from-ref", "feature", "--to-ref", "HEAD", "--format", "json")

    assert staged.exit_code == 0, staged.output
    assert json.loads(staged.stdout)["files_scanned"] == 0
    assert from_feature.exit_code == 0, from_feature.output
    assert_no_secret(staged.output + from_feature.output, key)
