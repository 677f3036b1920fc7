"""`scan --from-ref/--to-ref`: every commit of a range, each against its parent."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Repo, assert_no_secret, fake_aws_key, fake_github_token, fake_password

NULL_COMMIT = "0" * 40


def _json_results(result: object) -> list[dict[str, object]]:
    document = json.loads(result.stdout)  # type: ignore[attr-defined]
    results: list[dict[str, object]] = document["results"]
    return results


def _add_remote(repo: Repo, tmp_path: Path) -> Path:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    repo.git("remote", "add", "origin", str(remote))
    return remote


def test_range_reports_secret_added_then_removed(repo: Repo, cli) -> None:
    base = repo.commit_files({"app.py": "DEBUG = False\n"}, "base")
    key = fake_aws_key()
    added = repo.commit_files({"app.py": f'DEBUG = False\nKEY = "{key}"\n'}, "add key")
    repo.commit_files({"app.py": "DEBUG = False\n"}, "remove key")

    result = cli("scan", "--from-ref", base, "--to-ref", "HEAD")

    assert result.exit_code == 1, result.output
    assert f"{added[:12]} app.py:2: AWS Access Key" in result.stdout
    assert "(2 commits)" in result.stdout
    assert_no_secret(result.output, key)


def test_range_json_names_each_commit(repo: Repo, cli) -> None:
    base = repo.commit_files({"README.md": "notes\n"}, "base")
    key = fake_aws_key()
    password = fake_password()
    first = repo.commit_files({"a.py": f'KEY = "{key}"\n'}, "first")
    repo.commit_files({"b.md": "more notes\n"}, "clean")
    third = repo.commit_files({"c.py": f'password = "{password}"\n'}, "third")

    result = cli("scan", "--from-ref", base, "--to-ref", "HEAD", "--format", "json")

    assert result.exit_code == 1, result.output
    found = {(item["filename"], item["type"], item["commit"]) for item in _json_results(result)}
    assert found == {
        ("a.py", "AWS Access Key", first),
        ("c.py", "Secret Keyword", third),
    }
    assert_no_secret(result.output, key, password)


def test_clean_range_passes(repo: Repo, cli) -> None:
    base = repo.commit_files({"a.md": "one\n"}, "base")
    repo.commit_files({"a.md": "one\ntwo\n"}, "two")
    repo.commit_files({"b.md": "three\n"}, "three")

    result = cli("scan", "--from-ref", base, "--to-ref", "HEAD")
    last = cli("scan", "--from-ref", "HEAD~1", "--to-ref", "HEAD")

    assert result.exit_code == 0, result.output
    assert "scanned 2 added lines in 2 files (2 commits)" in result.stdout
    assert "scanned 1 added line in 1 file (1 commit)" in last.stdout


def test_range_ignores_working_tree(repo: Repo, cli) -> None:
    base = repo.commit_files({"a.py": "x = 1\n"}, "base")
    key = fake_aws_key()
    repo.commit_files({"a.py": f'x = 1\nKEY = "{key}"\n'}, "add key")
    # The working tree and the index no longer match the commits: a range
    # scan must read only git objects.
    (repo.path / "a.py").unlink()
    token = fake_github_token()
    repo.write("b.py", f'TOKEN = "{token}"\n')
    repo.stage("b.py")

    result = cli("scan", "--from-ref", base, "--to-ref", "HEAD", "--format", "json")

    assert result.exit_code == 1, result.output
    assert [(item["filename"], item["line_number"]) for item in _json_results(result)] == [
        ("a.py", 2)
    ]
    assert_no_secret(result.output, key, token)


def test_range_without_from_ref_skips_remote_commits(repo: Repo, cli, tmp_path: Path) -> None:
    key = fake_aws_key()
    repo.commit_files({"old.py": f'KEY = "{key}"\n'}, "already pushed")
    _add_remote(repo, tmp_path)
    repo.git("push", "-q", "origin", "main")
    password = fake_password()
    new = repo.commit_files({"new.py": f'password = "{password}"\n'}, "not pushed")

    for arguments in (("--to-ref", "HEAD"), ("--from-ref", NULL_COMMIT, "--to-ref", "HEAD")):
        result = cli("scan", *arguments, "--format", "json")

        assert result.exit_code == 1, result.output
        assert [(item["filename"], item["commit"]) for item in _json_results(result)] == [
            ("new.py", new)
        ]
        assert_no_secret(result.output, key, password)


def test_range_without_remote_scans_root_commit(repo: Repo, cli) -> None:
    key = fake_aws_key()
    root = repo.commit_files({"a.py": f'KEY = "{key}"\n'}, "root")

    result = cli("scan", "--to-ref", "HEAD", "--format", "json")

    assert result.exit_code == 1, result.output
    assert [item["commit"] for item in _json_results(result)] == [root]
    assert_no_secret(result.output, key)


def test_deletion_scans_nothing(repo: Repo, cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"a.py": f'KEY = "{key}"\n'}, "root")

    result = cli("scan", "--from-ref", "HEAD", "--to-ref", NULL_COMMIT)

    assert result.exit_code == 0, result.output
    assert "branch deletion, nothing to scan" in result.stdout
    assert_no_secret(result.output, key)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(("--from-ref", "HEAD"), "--from-ref needs --to-ref", id="from-only"),
        pytest.param(("--from-ref", "nosuchref", "--to-ref", "HEAD"), "'nosuchref'", id="bad-from"),
        pytest.param(("--from-ref", "HEAD", "--to-ref", "nosuchref"), "'nosuchref'", id="bad-to"),
    ],
)
def test_invalid_range_is_error(repo: Repo, cli, arguments: tuple[str, ...], message: str) -> None:
    repo.commit_files({"a.md": "one\n"}, "base")

    result = cli("scan", *arguments)

    assert result.exit_code == 2
    assert message in result.stderr


def test_range_honours_baseline(repo: Repo, cli) -> None:
    base = repo.commit_files({"README.md": "notes\n"}, "base")
    key = fake_aws_key()
    repo.commit_files({"a.py": f'KEY = "{key}"\n'}, "add key")
    created = cli("baseline", "create")
    assert created.exit_code == 0, created.output

    result = cli("scan", "--from-ref", base, "--to-ref", "HEAD")

    assert result.exit_code == 0, result.output
    assert "1 known to the baseline" in result.stdout
    assert_no_secret(result.output, key)


def test_commit_own_baseline_covers_its_finding(repo: Repo, cli) -> None:
    base = repo.commit_files({"README.md": "notes\n"}, "base")
    key = fake_aws_key()
    repo.write("fixture.py", f'KEY = "{key}"\n')
    repo.stage("fixture.py")
    assert cli("baseline", "create").exit_code == 0
    repo.stage(".secrets.baseline")
    repo.commit("add a fixture and accept it")
    # A later commit drops the fixture and its entry: the entry still
    # covered the commit that added it.
    repo.git("rm", "-q", "fixture.py")
    assert cli("baseline", "create").exit_code == 0
    repo.stage(".secrets.baseline")
    repo.commit("drop the fixture")
    password = fake_password()
    unaccepted = repo.commit_files({"b.py": f'password = "{password}"\n'}, "add secret")
    repo.git("rm", "-q", "b.py")
    repo.commit("remove secret")

    result = cli("scan", "--from-ref", base, "--to-ref", "HEAD", "--format", "json")

    assert result.exit_code == 1, result.output
    assert [(item["filename"], item["commit"]) for item in _json_results(result)] == [
        ("b.py", unaccepted)
    ]
    assert json.loads(result.stdout)["known_to_baseline"] == 1
    assert_no_secret(result.output, key, password)


def test_range_keeps_entries_across_rename(repo: Repo, cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"old.py": f'x = 1\nKEY = "{key}"\ny = 2\n'}, "add")
    assert cli("baseline", "create").exit_code == 0
    repo.stage(".secrets.baseline")
    base = repo.commit("accept")
    repo.git("mv", "old.py", "new.py")
    repo.write("new.py", f'x = 1\nKEY = "{key}"\ny = 2\nz = 3\n')
    repo.stage("new.py")
    repo.commit("rename")

    result = cli("scan", "--from-ref", base, "--to-ref", "HEAD")

    assert result.exit_code == 0, result.output
    assert_no_secret(result.output, key)


def test_range_limited_to_paths(repo: Repo, cli) -> None:
    base = repo.commit_files({"README.md": "notes\n"}, "base")
    key = fake_aws_key()
    password = fake_password()
    repo.commit_files({"src/a.py": f'KEY = "{key}"\n', "docs/b.py": f'pw = "{password}"\n'})

    result = cli("scan", "--from-ref", base, "--to-ref", "HEAD", "--format", "json", "src")

    assert result.exit_code == 1, result.output
    assert [item["filename"] for item in _json_results(result)] == ["src/a.py"]
    assert_no_secret(result.output, key, password)


def test_range_skips_baseline_file(repo: Repo, cli) -> None:
    base = repo.commit_files({"README.md": "notes\n"}, "base")
    key = fake_aws_key()
    repo.commit_files({"a.py": f'KEY = "{key}"\n'}, "add key")
    assert cli("baseline", "create").exit_code == 0
    repo.stage(".secrets.baseline")
    repo.commit("accept")

    result = cli("scan", "--from-ref", base, "--to-ref", "HEAD", "--format", "json")

    assert result.exit_code == 0, result.output
    scanned = json.loads(result.stdout)
    assert scanned["files_scanned"] == 1
    assert_no_secret(result.output, key)


def test_environment_range_ignores_file_names(repo: Repo, cli, monkeypatch) -> None:
    base = repo.commit_files({"README.md": "notes\n"}, "base")
    key = fake_aws_key()
    added = repo.commit_files({"gone.py": f'KEY = "{key}"\n'}, "add")
    repo.git("rm", "-q", "gone.py")
    repo.commit("remove")
    repo.commit_files({"README.md": "notes\nmore\n"}, "edit")
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", repo.git("rev-parse", "HEAD").strip())

    # pre-commit passes the files that differ between the refs: gone.py is not one.
    result = cli("scan", "--format", "json", "README.md")

    assert result.exit_code == 1, result.output
    assert [(item["filename"], item["commit"]) for item in _json_results(result)] == [
        ("gone.py", added)
    ]
    assert_no_secret(result.output, key)


def test_environment_push_excludes_remote_commits(
    repo: Repo, cli, monkeypatch, tmp_path: Path
) -> None:
    repo.commit_files({"README.md": "notes\n"}, "base")
    _add_remote(repo, tmp_path)
    repo.git("push", "-q", "origin", "main")
    repo.git("checkout", "-q", "-b", "feature")
    key = fake_aws_key()
    repo.commit_files({"feature.py": f'KEY = "{key}"\n'}, "feature secret")
    repo.git("push", "-q", "origin", "feature")
    old_main = repo.git("rev-parse", "main").strip()
    repo.git("checkout", "-q", "main")
    repo.commit_files({"main.md": "main work\n"}, "main work")
    repo.git("merge", "-q", "--no-edit", "feature")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", old_main)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", repo.git("rev-parse", "HEAD").strip())
    monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "origin")

    pushed = cli("scan")
    monkeypatch.delenv("PRE_COMMIT_REMOTE_NAME")
    whole_range = cli("scan")

    # The feature commit is on origin/feature already: a push does not
    # report it again, while the same range outside a push does.
    assert pushed.exit_code == 0, pushed.output
    assert "2 pushed commits" in pushed.stdout
    assert whole_range.exit_code == 1, whole_range.output
    assert_no_secret(pushed.output + whole_range.output, key)


def test_environment_whole_history_push(repo: Repo, cli, monkeypatch, tmp_path: Path) -> None:
    key = fake_aws_key()
    added = repo.commit_files({"a.py": f'KEY = "{key}"\n'}, "root")
    repo.git("rm", "-q", "a.py")
    repo.commit("remove")
    repo.commit_files({"b.md": "notes\n"}, "notes")
    _add_remote(repo, tmp_path)
    # pre-commit runs a push that starts at a root commit as --all-files,
    # with the pushed ref in PRE_COMMIT_LOCAL_BRANCH and no range.
    monkeypatch.setenv("PRE_COMMIT", "1")
    monkeypatch.setenv("PRE_COMMIT_REMOTE_NAME", "origin")
    monkeypatch.setenv("PRE_COMMIT_REMOTE_URL", str(tmp_path / "remote.git"))
    monkeypatch.setenv("PRE_COMMIT_REMOTE_BRANCH", "refs/heads/main")
    monkeypatch.setenv("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main")

    result = cli("scan", "--format", "json", "b.md")

    assert result.exit_code == 1, result.output
    assert [(item["filename"], item["commit"]) for item in _json_results(result)] == [
        ("a.py", added)
    ]
    assert_no_secret(result.output, key)


def test_named_unchanged_file_scans_whole_files(repo: Repo, cli) -> None:
    key = fake_aws_key()
    password = fake_password()
    repo.commit_files({"a.py": f'KEY = "{key}"\n', "b.py": f'password = "{password}"\n'})
    repo.write("b.py", f'password = "{password}"\nx = 1\n')
    repo.stage("b.py")

    only_changed = cli("scan", "--format", "json", "b.py")
    named_both = cli("scan", "--format", "json", "a.py", "b.py")

    # b.py alone is what a commit passes: only its added line is scanned.
    assert only_changed.exit_code == 0, only_changed.output
    # a.py has no staged change, so the names came from `pre-commit run
    # --files` or `--all-files`: both files are scanned whole.
    assert named_both.exit_code == 1, named_both.output
    found = {(item["filename"], item["line_number"]) for item in _json_results(named_both)}
    assert found == {("a.py", 1), ("b.py", 1)}
    assert "whole staged content" in cli("scan", "a.py", "b.py").stdout
    assert_no_secret(only_changed.output + named_both.output, key, password)
