"""Compatibility with detect-secrets 1.5.0 in both directions, and with older baseline formats."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.baseline.helpers import (
    BASELINE,
    DETECT_SECRETS,
    DETECT_SECRETS_HOOK,
    aws_line,
    detect_secrets_scan,
    password_line,
    read,
    results,
    set_fields,
)
from tests.conftest import Repo, assert_no_secret


def _sha1(secret: str) -> str:
    return hashlib.sha1(secret.encode()).hexdigest()


def _labelled_repo(repo: Repo, cli: Any) -> list[str]:
    key_line, key = aws_line("COMPATKEY0000001")
    password, secret = password_line("cmpt")
    repo.commit_files({"app.py": "x = 1\n" + key_line, "conf/settings.py": password})
    assert cli("baseline", "create").exit_code == 0
    set_fields(repo, "app.py", "AWS Access Key", is_secret=True)
    set_fields(repo, "conf/settings.py", "Secret Keyword", is_secret=False)
    assert cli("baseline", "update").exit_code == 0
    repo.stage(BASELINE)
    return [key, secret]


def _run(args: list[str], repo: Repo) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=repo.path, capture_output=True, text=True, check=False)


def test_detect_secrets_hook_accepts_our_baseline(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)
    written = (repo.path / BASELINE).read_text()

    accepted = _run(
        [DETECT_SECRETS_HOOK, "--no-verify", "--baseline", BASELINE, "app.py", "conf/settings.py"],
        repo,
    )
    new_line, new_key = aws_line("COMPATNEWKEY0001")
    repo.write("new.py", new_line)
    blocked = _run(
        [DETECT_SECRETS_HOOK, "--no-verify", "--baseline", BASELINE, "app.py", "new.py"], repo
    )

    # Exit 3 would mean detect-secrets rewrote the baseline (stale line
    # numbers or an older format).
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert (repo.path / BASELINE).read_text() == written
    assert blocked.returncode == 1
    assert "new.py:1" in blocked.stdout
    assert "app.py" not in blocked.stdout
    assert_no_secret(
        accepted.stdout + accepted.stderr + blocked.stdout + blocked.stderr, new_key, *secrets
    )


def test_detect_secrets_audit_reads_our_baseline(repo: Repo, cli: Any) -> None:
    secrets = _labelled_repo(repo, cli)

    report = _run([DETECT_SECRETS, "audit", "--report", BASELINE], repo)
    stats = _run([DETECT_SECRETS, "audit", "--stats", "--json", BASELINE], repo)

    assert report.returncode == 0, report.stderr
    findings = {
        (item["filename"], tuple(item["types"]), item["category"])
        for item in json.loads(report.stdout)["results"]
    }
    assert findings == {
        ("app.py", ("AWS Access Key",), "VERIFIED_TRUE"),
        ("conf/settings.py", ("Secret Keyword",), "VERIFIED_FALSE"),
    }
    # detect-secrets' report prints secret values and their lines by design,
    # so only the statistics, which hold counts, are checked for secrets.
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)
    assert counts["AWSKeyDetector"]["stats"]["raw"]["true-positives"] == 1
    assert counts["KeywordDetector"]["stats"]["raw"]["false-positives"] == 1
    assert_no_secret(stats.stdout + stats.stderr + report.stderr, *secrets)


@pytest.mark.parametrize(
    "options", [pytest.param([], id="full"), pytest.param(["--slim"], id="slim")]
)
def test_load_detect_secrets_scan_output(repo: Repo, cli: Any, options: list[str]) -> None:
    key_line, key = aws_line("DSWRITTENKEY0001")
    password, secret = password_line("dswr")
    repo.commit_files({"app.py": key_line, "settings.py": password})
    document = detect_secrets_scan(repo, *options)
    (repo.path / BASELINE).write_text(json.dumps(document, indent=2) + "\n")
    set_fields(repo, "app.py", "AWS Access Key", is_secret=False)
    new_line, new_key = aws_line("DSWRITTENKEY0002")
    repo.write("new.py", new_line)
    repo.stage("new.py")

    scan = cli("scan")
    update = cli("baseline", "update")

    assert scan.exit_code == 1, scan.output
    assert "new.py:1: AWS Access Key" in scan.stdout
    assert "app.py" not in scan.stdout
    assert update.exit_code == 0, update.output
    assert "1 added, 0 removed, 2 kept" in update.stdout
    updated = read(repo)
    assert "generated_at" not in updated
    assert updated["plugins_used"] == document["plugins_used"]
    assert updated["filters_used"] == document["filters_used"]
    assert updated["results"]["app.py"][0]["is_secret"] is False
    line_numbers = [item.get("line_number") for item in results(repo)]
    assert line_numbers == ([None, None, None] if options else [1, 1, 1])
    assert_no_secret(scan.output + update.output, key, secret, new_key)


def _old_plugins(version: str) -> list[dict[str, Any]]:
    if version.startswith("0."):
        return [
            {"name": "AWSKeyDetector"},
            {"base64_limit": 4.5, "name": "Base64HighEntropyString"},
            {"keyword_exclude": None, "name": "KeywordDetector"},
        ]
    return [
        {"name": "AWSKeyDetector"},
        {"limit": 4.5, "name": "Base64HighEntropyString"},
        {"name": "KeywordDetector", "keyword_exclude": ""},
    ]


OLD_FILTERS = [
    {"path": "detect_secrets.filters.allowlist.is_line_allowlisted"},
    {"path": "detect_secrets.filters.heuristic.is_indirect_reference"},
    {"path": "detect_secrets.filters.heuristic.is_likely_id_string"},
    {"path": "detect_secrets.filters.heuristic.is_potential_uuid"},
    {"path": "detect_secrets.filters.heuristic.is_prefixed_with_dollar_sign"},
    {"path": "detect_secrets.filters.heuristic.is_sequential_string"},
    {"path": "detect_secrets.filters.heuristic.is_templated_secret"},
    {"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": ["^vendor/"]},
]

LOCK_FILE_FILTER = "detect_secrets.filters.heuristic.is_lock_file"


def _old_baseline(version: str, slim: bool, key: str, secret: str) -> dict[str, Any]:
    """Build a baseline the way detect-secrets VERSION wrote it."""

    def result(filename: str, type_: str, value: str, line_number: int) -> dict[str, Any]:
        item: dict[str, Any] = {
            "type": type_,
            "filename": filename,
            "hashed_secret": _sha1(value),
            "is_verified": False,
            "line_number": line_number,
            "is_secret": type_ == "AWS Access Key",
        }
        if slim:
            del item["line_number"]
        if version.startswith("0."):
            del item["filename"]
        return item

    document: dict[str, Any] = {
        "version": version,
        "plugins_used": _old_plugins(version),
        "results": {
            "app.py": [result("app.py", "AWS Access Key", key, 2)],
            "settings.py": [result("settings.py", "Secret Keyword", secret, 1)],
        },
    }
    if version.startswith("0."):
        document["exclude"] = {"files": "^vendor/", "lines": None}
        document["word_list"] = {"file": None, "hash": None}
        document["custom_plugin_paths"] = []
    else:
        filters = [dict(item) for item in OLD_FILTERS]
        if version >= "1.1":
            filters.append({"path": LOCK_FILE_FILTER})
        document["filters_used"] = filters
    if not slim:
        document["generated_at"] = "2021-06-01T12:00:00Z"
    return document


@pytest.mark.parametrize(
    ("version", "slim"),
    [
        pytest.param("0.14.3", False, id="0.14"),
        pytest.param("1.0.3", False, id="1.0"),
        pytest.param("1.1.0", False, id="1.1"),
        pytest.param("1.1.0", True, id="1.1-slim"),
        pytest.param("1.2.0", False, id="1.2"),
        pytest.param("1.3.0", True, id="1.3-slim"),
        pytest.param("1.4.0", False, id="1.4"),
        pytest.param("1.4.0", True, id="1.4-slim"),
    ],
)
def test_load_older_baseline_formats(repo: Repo, cli: Any, version: str, slim: bool) -> None:
    key_line, key = aws_line("OLDFORMATKEY0001")
    password, secret = password_line("oldf")
    vendored, vendored_key = aws_line("VENDOREDKEY00001")
    repo.commit_files(
        {"app.py": "x = 1\n" + key_line, "settings.py": password, "vendor/lib.py": vendored}
    )
    old = _old_baseline(version, slim, key, secret)
    (repo.path / BASELINE).write_text(json.dumps(old, indent=2) + "\n")

    scan = cli("scan", "--all-files")
    update = cli("baseline", "update")

    assert scan.exit_code == 0, scan.output
    assert "2 known to the baseline" in scan.stdout
    assert update.exit_code == 0, update.output
    assert "0 added, 0 removed, 2 kept" in update.stdout
    assert "2 labels kept" in update.stdout
    updated = read(repo)
    assert updated["version"] == "1.5.0"
    assert "generated_at" not in updated
    assert [item["is_secret"] for item in results(repo)] == [True, False]
    assert all(("line_number" in item) is not slim for item in results(repo))
    paths = [item["path"] for item in updated["filters_used"]]
    assert LOCK_FILE_FILTER in paths
    assert {
        "path": "detect_secrets.filters.regex.should_exclude_file",
        "pattern": ["^vendor/"],
    } in (updated["filters_used"])
    limits = [item for item in updated["plugins_used"] if item["name"] == "Base64HighEntropyString"]
    assert limits == [{"name": "Base64HighEntropyString", "limit": 4.5}]
    assert_no_secret(scan.output + update.output, key, secret, vendored_key)


# Runs a command in this process, then prints whether the real `requests`
# module (detect-secrets' network client) was imported. In "control" mode
# detect-secrets is configured directly from the baseline, as it would be
# without this tool's filtering, to show that the check can fail.
REQUESTS_PROBE = """
import json, sys
from staged_secrets.hooks import detectors
detectors.install_deferred_requests()
if sys.argv[1] == "product":
    from staged_secrets.hooks.cli import main
    code = main(["scan", "--all-files"])
else:
    from detect_secrets.settings import configure_settings_from_baseline, get_settings
    from staged_secrets.hooks.engine import scan_text
    configure_settings_from_baseline(json.load(open(".secrets.baseline")))
    get_settings().disable_filters(detectors.INVALID_FILE_FILTER)
    code = len(scan_text("cloud.py", open("cloud.py").read(), None))
module = sys.modules.get("requests")
real = module is not None and not isinstance(module, detectors._DeferredRequests)
print(json.dumps({"code": code, "real_requests": real, "urllib3": "urllib3" in sys.modules}))
"""


@pytest.mark.parametrize("mode", ["product", "control"])
def test_verification_filter_never_runs(repo: Repo, cli: Any, mode: str) -> None:
    repo.commit_files({"README.md": "empty\n"})
    assert cli("baseline", "create").exit_code == 0
    document = read(repo)
    document["filters_used"].append(
        {
            "path": "detect_secrets.filters.common.is_ignored_due_to_verification_policies",
            "min_level": 2,
        }
    )
    (repo.path / BASELINE).write_text(json.dumps(document, indent=2) + "\n")
    # IBM Cloud IAM keys are verified with an HTTP request as soon as the
    # filter runs.
    token = "q7ZK3mRT5xWB2nPD" * 2 + "q7ZK3mRT5xWB"
    repo.write("cloud.py", 'ibm_cloud_iam_api_key = "' + token + '"\n')
    repo.stage("cloud.py")
    # Should the filter run anyway, its request goes to a closed port on
    # this machine instead of the network.
    proxy = "http://127.0.0.1:9"
    environment = {
        **os.environ,
        "HTTPS_PROXY": proxy,
        "HTTP_PROXY": proxy,
        "https_proxy": proxy,
        "http_proxy": proxy,
        "NO_PROXY": "",
        "no_proxy": "",
    }

    completed = subprocess.run(
        [sys.executable, "-c", REQUESTS_PROBE, mode],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )

    probe = json.loads(completed.stdout.strip().splitlines()[-1])
    if mode == "product":
        assert probe == {"code": 1, "real_requests": False, "urllib3": False}, completed.stderr
        assert "cloud.py:1: IBM Cloud IAM Key" in completed.stdout
        assert "is_ignored_due_to_verification_policies" in (repo.path / BASELINE).read_text()
    else:
        assert probe["real_requests"] is True, completed.stderr
    assert_no_secret(completed.stdout + completed.stderr, token)
