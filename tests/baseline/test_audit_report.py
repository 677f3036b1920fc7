"""`audit --report`, `--stats` and the CI gates on a repository with planted secrets."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from typing import Any

import pytest

from tests.baseline.audit_fixtures import (
    AuditRepo,
    baseline_entries,
    identity,
    make_audit_repo,
    set_labels,
    settings_text,
)
from tests.conftest import Repo, assert_no_secret

LABEL_NAMES = {True: "real", False: "false positive", None: "unaudited"}


@pytest.fixture
def planted(repo: Repo) -> AuditRepo:
    return make_audit_repo(repo)


def _label_some(planted: AuditRepo) -> dict[tuple[str, str, str], bool]:
    """Label the first entry real and the second a false positive; leave the rest."""
    entries = baseline_entries(planted.baseline)
    chosen = {identity(entries[0]): True, identity(entries[1]): False}
    set_labels(planted.baseline, chosen)
    return chosen


def _report_json(cli: Any, planted: AuditRepo, *extra: str) -> dict[str, Any]:
    result = cli("audit", "--report", "--format", "json", *extra)
    assert_no_secret(result.output, *planted.secrets)
    assert result.exit_code == 0
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_report_text_lists_every_entry(cli: Any, planted: AuditRepo) -> None:
    chosen = _label_some(planted)

    result = cli("audit", "--report")

    assert_no_secret(result.output, *planted.secrets)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for entry in baseline_entries(planted.baseline):
        label = LABEL_NAMES[chosen.get(identity(entry))]
        location = f"{entry['filename']}:{entry['line_number']}"
        matching = [line for line in lines if line.startswith(location + " ")]
        assert len(matching) == 1, location
        assert entry["type"] in matching[0]
        assert f"  {label}  " in matching[0]
        assert matching[0].endswith("in the index")


def test_report_json_fields(cli: Any, planted: AuditRepo) -> None:
    chosen = _label_some(planted)

    data = _report_json(cli, planted)

    expected = baseline_entries(planted.baseline)
    assert [identity(entry) for entry in data["entries"]] == [identity(e) for e in expected]
    for reported, stored in zip(data["entries"], expected):
        assert reported["line_number"] == stored["line_number"]
        assert reported["label"] == LABEL_NAMES[chosen.get(identity(stored))]
        assert reported["is_secret"] == chosen.get(identity(stored))
        assert reported["in_index"] is True
        assert reported["status"] == "present"
    assert data["totals"] == {"real": 1, "false_positive": 1, "unaudited": len(expected) - 2}


def test_report_reads_index_not_working_tree(cli: Any, planted: AuditRepo) -> None:
    repo = planted.repo
    before = planted.baseline.read_bytes()
    # The staged version moves the secrets down two lines and drops the
    # legacy file; the working tree deletes the settings file altogether.
    repo.write("app/settings.py", settings_text(planted.aws_key, planted.password, "# a\n# b\n"))
    repo.stage("app/settings.py")
    repo.git("rm", "-q", "old/legacy.py")
    (repo.path / "app" / "settings.py").unlink()

    data = _report_json(cli, planted)

    by_file: dict[str, list[dict[str, Any]]] = {}
    for entry in data["entries"]:
        by_file.setdefault(entry["filename"], []).append(entry)
    for entry in by_file["app/settings.py"]:
        assert entry["status"] == "moved"
        assert entry["in_index"] is True
        assert entry["line_number"] == entry["stored_line_number"] + 2
    (legacy,) = by_file["old/legacy.py"]
    assert legacy["status"] == "file_missing"
    assert legacy["in_index"] is False
    assert legacy["line_number"] == legacy["stored_line_number"]
    assert planted.baseline.read_bytes() == before


def test_report_secret_gone_from_file(cli: Any, planted: AuditRepo) -> None:
    planted.repo.write("deploy/token.py", "GITHUB = None\n")
    planted.repo.stage("deploy/token.py")

    text = cli("audit", "--report")
    data = _report_json(cli, planted)

    assert_no_secret(text.output, *planted.secrets)
    (token,) = [entry for entry in data["entries"] if entry["filename"] == "deploy/token.py"]
    assert token["status"] == "secret_missing"
    assert token["in_index"] is False
    assert "gone: secret not found in the staged file" in text.stdout


def test_stats_match_detect_secrets(cli: Any, planted: AuditRepo) -> None:
    _label_some(planted)

    result = cli("audit", "--stats", "--format", "json")
    oracle = subprocess.run(
        [sys.executable, "-m", "detect_secrets", "audit", "--stats", "--json", ".secrets.baseline"],
        capture_output=True,
        text=True,
        check=True,
    )

    assert_no_secret(result.output + oracle.stdout + oracle.stderr, *planted.secrets)
    assert result.exit_code == 0
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    plugin_of = {
        name: plugin.__name__ for name, plugin in get_mapping_from_secret_type_to_class().items()
    }
    expected = {
        plugin_of[secret_type]: {
            "true-positives": counts["real"],
            "false-positives": counts["false_positive"],
            "unknown": counts["unaudited"],
        }
        for secret_type, counts in json.loads(result.stdout)["types"].items()
    }
    observed = {name: value["stats"]["raw"] for name, value in json.loads(oracle.stdout).items()}
    assert expected == observed


def test_stats_text_counts(cli: Any, planted: AuditRepo) -> None:
    chosen = _label_some(planted)

    result = cli("audit", "--stats")

    assert_no_secret(result.output, *planted.secrets)
    assert result.exit_code == 0
    entries = baseline_entries(planted.baseline)
    expected: dict[str, Counter[str]] = {}
    for entry in entries:
        expected.setdefault(entry["type"], Counter())[LABEL_NAMES[chosen.get(identity(entry))]] += 1
    rows = {line.rsplit(None, 3)[0]: line.split()[-3:] for line in result.stdout.splitlines()[2:]}
    for secret_type, counts in expected.items():
        assert rows[secret_type] == [
            str(counts["real"]),
            str(counts["false positive"]),
            str(counts["unaudited"]),
        ]
    assert rows["total"] == ["1", "1", str(len(entries) - 2)]


def test_gate_unaudited_names_entries(cli: Any, planted: AuditRepo) -> None:
    chosen = _label_some(planted)

    result = cli("audit", "--report", "--fail-on-unaudited")

    assert_no_secret(result.output, *planted.secrets)
    assert result.exit_code == 1
    failing = [e for e in baseline_entries(planted.baseline) if identity(e) not in chosen]
    assert f"--fail-on-unaudited failed: {len(failing)} entries unaudited" in result.stderr
    for entry in failing:
        assert f"  {entry['filename']}:{entry['line_number']}: {entry['type']}\n" in result.stderr
    for entry in baseline_entries(planted.baseline):
        if identity(entry) in chosen:
            assert f"{entry['filename']}:{entry['line_number']}: " not in result.stderr


def test_gate_unaudited_passes_when_all_labelled(cli: Any, planted: AuditRepo) -> None:
    entries = baseline_entries(planted.baseline)
    set_labels(planted.baseline, {identity(entry): False for entry in entries})

    result = cli("audit", "--report", "--fail-on-unaudited")

    assert_no_secret(result.output, *planted.secrets)
    assert result.exit_code == 0
    assert result.stderr == ""


def test_gate_secret_names_real_entries(cli: Any, planted: AuditRepo) -> None:
    entries = baseline_entries(planted.baseline)
    real = entries[-1]
    set_labels(planted.baseline, {identity(real): True, identity(entries[0]): False})

    result = cli("audit", "--report", "--fail-on-secret")

    assert_no_secret(result.output, *planted.secrets)
    assert result.exit_code == 1
    assert "--fail-on-secret failed: 1 entry labelled real" in result.stderr
    assert f"  {real['filename']}:{real['line_number']}: {real['type']}\n" in result.stderr
    assert f"{entries[0]['filename']}:{entries[0]['line_number']}:" not in result.stderr


def test_gate_secret_passes_without_real(cli: Any, planted: AuditRepo) -> None:
    result = cli("audit", "--report", "--format", "json", "--fail-on-secret")

    assert_no_secret(result.output, *planted.secrets)
    assert result.exit_code == 0
    json.loads(result.stdout)


def test_both_gates_with_stats(cli: Any, planted: AuditRepo) -> None:
    _label_some(planted)

    result = cli("audit", "--stats", "--fail-on-unaudited", "--fail-on-secret")

    assert_no_secret(result.output, *planted.secrets)
    assert result.exit_code == 1
    assert "--fail-on-unaudited failed" in result.stderr
    assert "--fail-on-secret failed" in result.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(("--fail-on-unaudited",), id="gate-without-report"),
        pytest.param(("--format", "json"), id="format-without-report"),
        pytest.param(("--report", "--all"), id="all-with-report"),
        pytest.param(("--report", "--stats"), id="report-and-stats"),
    ],
)
def test_invalid_option_combinations(
    cli: Any, planted: AuditRepo, arguments: tuple[str, ...]
) -> None:
    result = cli("audit", *arguments)

    assert_no_secret(result.output, *planted.secrets)
    assert result.exit_code == 2


def test_missing_baseline_is_an_error(cli: Any, planted: AuditRepo) -> None:
    planted.baseline.unlink()

    result = cli("audit", "--report")

    assert_no_secret(result.output, *planted.secrets)
    assert result.exit_code == 2
    assert "baseline create" in result.stderr


def test_report_from_subfolder(
    cli: Any, planted: AuditRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(planted.repo.path / "app")

    data = _report_json(cli, planted)

    assert data["baseline"] == "../.secrets.baseline"
    assert all(entry["in_index"] for entry in data["entries"])
