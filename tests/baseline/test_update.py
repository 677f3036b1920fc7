"""`staged-secrets baseline update`: labels survive, gone findings go, renames are followed."""

from __future__ import annotations

import json
from typing import Any

from tests.baseline.helpers import (
    BASELINE,
    aws_line,
    locations,
    password_line,
    read,
    results,
    set_fields,
)
from tests.conftest import Repo, assert_no_secret


def _labelled_repo(repo: Repo, cli: Any) -> list[str]:
    """Commit two files with secrets and a baseline whose entries carry labels."""
    key_line, key = aws_line("UPDATEKEY0000001")
    password, secret = password_line("updt")
    repo.commit_files({"app.py": "x = 1\n" + key_line, "settings.py": password})
    assert cli("baseline", "create").exit_code == 0
    set_fields(repo, "app.py", "AWS Access Key", is_secret=True, is_verified=True, owner="ops")
    set_fields(repo, "settings.py", "Secret Keyword", is_secret=False)
    repo.stage(BASELINE)
    repo.commit("baseline")
    return [key, secret]


def test_update_keeps_labels_and_fields(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)
    new_line, new_key = aws_line("UPDATEKEY0000002")
    repo.write("new.py", new_line)
    repo.stage("new.py")

    result = cli("baseline", "update")

    assert result.exit_code == 0, result.output
    by_file = {item["filename"]: item for item in results(repo)}
    assert by_file["app.py"]["is_secret"] is True
    assert by_file["app.py"]["is_verified"] is True
    assert by_file["app.py"]["owner"] == "ops"
    assert by_file["settings.py"]["is_secret"] is False
    assert "is_secret" not in by_file["new.py"]
    assert "1 added, 0 removed, 2 kept, 0 followed a renamed file" in result.stdout
    assert "2 labels kept, 0 dropped" in result.stdout
    assert "Label the 1 new entry with" in result.stdout
    assert_no_secret(result.output, new_key, *secrets)


def test_update_reports_dropped_labels(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)
    repo.git("rm", "-q", "settings.py")

    result = cli("baseline", "update")

    assert result.exit_code == 0, result.output
    assert locations(repo) == [("app.py", "AWS Access Key", 2)]
    assert "0 added, 1 removed, 1 kept" in result.stdout
    assert "1 label kept, 1 dropped" in result.stdout
    assert "label dropped with its finding: settings.py:1: Secret Keyword" in result.stdout
    assert "was false positive" in result.stdout
    assert_no_secret(result.output, *secrets)


def test_update_reads_index_not_worktree(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)
    unstaged_line, unstaged_key = aws_line("UNSTAGEDKEY00003")
    repo.write("app.py", "x = 1\n" + unstaged_line)
    repo.write("untracked.py", unstaged_line)

    result = cli("baseline", "update")

    assert result.exit_code == 0, result.output
    assert [item["filename"] for item in results(repo)] == ["app.py", "settings.py"]
    assert results(repo)[0]["is_secret"] is True
    assert "No change to .secrets.baseline" in result.stdout
    assert_no_secret(result.output, unstaged_key, *secrets)


def test_update_refreshes_line_numbers(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)
    key_line = aws_line("UPDATEKEY0000001")[0]
    repo.write("app.py", "# header\n" * 3 + "x = 1\n" + key_line)
    repo.stage("app.py")

    result = cli("baseline", "update")

    assert result.exit_code == 0, result.output
    entry = results(repo)[0]
    assert (entry["filename"], entry["line_number"], entry["is_secret"]) == ("app.py", 5, True)
    assert_no_secret(result.output, *secrets)


def test_update_follows_staged_rename(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)
    repo.git("mv", "app.py", "service.py")

    result = cli("baseline", "update")

    assert result.exit_code == 0, result.output
    by_file = {item["filename"]: item for item in results(repo)}
    assert sorted(by_file) == ["service.py", "settings.py"]
    assert by_file["service.py"]["is_secret"] is True
    assert by_file["service.py"]["owner"] == "ops"
    assert "0 added, 0 removed, 1 kept, 1 followed a renamed file" in result.stdout
    assert "moved: app.py -> service.py:2: AWS Access Key" in result.stdout
    assert_no_secret(result.output, *secrets)


def test_update_follows_committed_rename(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)
    (repo.path / "config").mkdir()
    repo.git("mv", "settings.py", "config/settings.py")
    repo.write("config/settings.py", "# moved and edited\n" + password_line("updt")[0])
    repo.stage("config/settings.py")
    repo.commit("move settings")

    result = cli("baseline", "update")

    assert result.exit_code == 0, result.output
    by_file = {item["filename"]: item for item in results(repo)}
    assert sorted(by_file) == ["app.py", "config/settings.py"]
    assert by_file["config/settings.py"]["is_secret"] is False
    assert by_file["config/settings.py"]["line_number"] == 2
    assert "1 followed a renamed file; 2 labels kept, 0 dropped" in result.stdout
    assert_no_secret(result.output, *secrets)


def test_update_does_not_move_labels_between_live_files(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)
    repo.write("copy.py", aws_line("UPDATEKEY0000001")[0])
    repo.stage("copy.py")

    result = cli("baseline", "update")

    assert result.exit_code == 0, result.output
    by_file = {item["filename"]: item for item in results(repo)}
    assert "is_secret" not in by_file["copy.py"]
    assert by_file["app.py"]["is_secret"] is True
    assert_no_secret(result.output, *secrets)


def test_update_keeps_slim_baseline_slim(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)
    document = read(repo)
    for items in document["results"].values():
        for item in items:
            del item["line_number"]
    (repo.path / BASELINE).write_text(json.dumps(document, indent=2) + "\n")
    new_line, new_key = aws_line("SLIMNEWKEY000001")
    repo.write("new.py", new_line)
    repo.stage("new.py")

    result = cli("baseline", "update")

    assert result.exit_code == 0, result.output
    assert all("line_number" not in item for item in results(repo))
    assert [item.get("is_secret") for item in results(repo)] == [True, None, False]
    assert_no_secret(result.output, new_key, *secrets)


def test_update_adds_exclusions(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)

    result = cli("baseline", "update", "--exclude-files", r"^settings\.py$")
    again = cli("baseline", "update", "--exclude-files", r"^settings\.py$")

    assert result.exit_code == 0, result.output
    assert locations(repo) == [("app.py", "AWS Access Key", 2)]
    assert "label dropped with its finding: settings.py:1" in result.stdout
    stored = [
        item
        for item in read(repo)["filters_used"]
        if item["path"] == "detect_secrets.filters.regex.should_exclude_file"
    ]
    assert stored == [
        {"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": [r"^settings\.py$"]}
    ]
    assert again.exit_code == 0
    assert "No change to" in again.stdout
    assert_no_secret(result.output + again.output, *secrets)


def test_update_output_is_deterministic(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)
    document = read(repo)
    document["generated_at"] = "2024-01-01T00:00:00Z"
    document["plugins_used"].reverse()
    document["filters_used"].reverse()
    document["results"] = dict(reversed(list(document["results"].items())))
    (repo.path / BASELINE).write_text(json.dumps(document, indent=4))

    result = cli("baseline", "update")

    assert result.exit_code == 0, result.output
    assert (repo.path / BASELINE).read_text() == repo.git("show", f"HEAD:{BASELINE}")
    assert_no_secret(result.output, *secrets)


def test_update_without_baseline_exits_2(repo: Repo, cli: Any) -> None:
    line, key = aws_line("NOBASELINEKEY001")
    repo.commit_files({"app.py": line})

    default = cli("baseline", "update")
    explicit = cli("baseline", "update", "--baseline", "missing.json")

    assert default.exit_code == 2
    assert "not found" in default.stderr
    assert "baseline create" in default.stderr
    assert explicit.exit_code == 2
    assert "missing.json not found" in explicit.stderr
    assert not (repo.path / BASELINE).exists()
    assert_no_secret(default.output + explicit.output, key)


def test_update_before_first_commit(repo: Repo, cli: Any) -> None:
    line, key = aws_line("FIRSTCOMMITKEY01")
    repo.write("app.py", line)
    repo.stage("app.py")
    assert cli("baseline", "create").exit_code == 0
    set_fields(repo, "app.py", "AWS Access Key", is_secret=False)
    other, other_key = aws_line("FIRSTCOMMITKEY02")
    repo.write("other.py", other)
    repo.stage("other.py")

    result = cli("baseline", "update")

    assert result.exit_code == 0, result.output
    assert [item.get("is_secret") for item in results(repo)] == [False, None]
    assert "1 added, 0 removed, 1 kept" in result.stdout
    assert_no_secret(result.output, key, other_key)
