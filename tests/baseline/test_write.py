"""Writing baselines: deterministic bytes, and an interrupted write keeps the old file."""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from staged_secrets.baseline import write
from staged_secrets.baseline.load import load_baseline
from staged_secrets.baseline.model import Baseline, BaselineEntry
from staged_secrets.hooks.errors import FatalError

from tests.baseline.helpers import BASELINE, aws_line, set_fields
from tests.conftest import Repo, assert_no_secret


def _sample_baseline(seed: int) -> Baseline:
    entries = [
        BaselineEntry(f"dir/file_{index % 4}.py", kind, f"{index:040x}", index % 7 + 1)
        for index in range(12)
        for kind in ("Secret Keyword", "AWS Access Key")
    ]
    entries[3].is_secret = True
    entries[5].extra = {"zeta": 1, "alpha": [1, 2]}
    plugins: list[dict[str, Any]] = [
        {"limit": 4.5, "name": "Base64HighEntropyString"},
        {"name": "AWSKeyDetector"},
        {"keyword_exclude": "", "name": "KeywordDetector"},
    ]
    filters: list[dict[str, Any]] = [
        {"pattern": ["^a", "^b"], "path": "detect_secrets.filters.regex.should_exclude_file"},
        {"path": "detect_secrets.filters.allowlist.is_line_allowlisted"},
    ]
    extra = {"generated_at": f"2024-01-0{seed + 1}T00:00:00Z", "custom": {"b": 1, "a": 2}}
    shuffle = random.Random(seed).shuffle
    shuffle(entries)
    shuffle(plugins)
    shuffle(filters)
    return Baseline("1.5.0", plugins, filters, entries, extra)


def test_format_ignores_input_order_and_timestamp() -> None:
    first = write.format_baseline(_sample_baseline(0))
    second = write.format_baseline(_sample_baseline(1))

    assert first == second
    assert "generated_at" not in first
    assert first.endswith("}\n")
    assert first.index('"version"') < first.index('"plugins_used"') < first.index('"results"')
    assert first.index('"name": "Base64HighEntropyString",\n      "limit"') > 0


def test_format_orders_results_like_detect_secrets() -> None:
    document = write.to_json(_sample_baseline(2))

    assert list(document["results"]) == [f"dir/file_{index}.py" for index in range(4)]
    for items in document["results"].values():
        keys = [(item["line_number"], item["hashed_secret"], item["type"]) for item in items]
        assert keys == sorted(keys)
    assert [plugin["name"] for plugin in document["plugins_used"]] == [
        "AWSKeyDetector",
        "Base64HighEntropyString",
        "KeywordDetector",
    ]


def _repo_with_growing_baseline(repo: Repo, cli: Any) -> tuple[bytes, list[str]]:
    """Commit a small labelled baseline, then stage files that make the next one large."""
    line, key = aws_line("ATOMICKEY0000000")
    repo.commit_files({"app.py": line})
    assert cli("baseline", "create").exit_code == 0
    set_fields(repo, "app.py", "AWS Access Key", is_secret=True)
    old = (repo.path / BASELINE).read_bytes()

    secrets = [key]
    for index in range(1, 120):
        line, key = aws_line(f"ATOMICKEY{index:07d}")
        secrets.append(key)
        repo.write(f"more/file_{index:03d}.py", line)
    repo.stage("more")
    return old, secrets


# Runs `baseline update` with the default action for SIGXFSZ, which Python
# otherwise ignores at start-up: the kernel then kills the process when a
# write crosses the file size limit.
DIE_ON_FILE_SIZE_LIMIT = (
    "import signal, sys\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_DFL)\n"
    "from staged_secrets.hooks.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def _update_with_file_size_limit(
    repo: Repo, limit: int, killed: bool
) -> subprocess.CompletedProcess[str]:
    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    entry = ["-c", DIE_ON_FILE_SIZE_LIMIT] if killed else ["-m", "staged_secrets.hooks.cli"]
    return subprocess.run(
        [sys.executable, *entry, "baseline", "update"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        preexec_fn=limit_file_size,
        check=False,
    )


def test_write_killed_midway_keeps_old_baseline(repo: Repo, cli: Any) -> None:
    old, secrets = _repo_with_growing_baseline(repo, cli)

    completed = _update_with_file_size_limit(repo, len(old) * 2, killed=True)

    assert completed.returncode == -signal.SIGXFSZ, completed.stderr
    assert (repo.path / BASELINE).read_bytes() == old
    partial = list(repo.path.glob(".secrets-baseline-*.tmp"))
    assert len(partial) == 1
    assert 0 < partial[0].stat().st_size <= len(old) * 2
    assert load_baseline(str(repo.path / BASELINE)).entries[0].is_secret is True
    assert_no_secret(completed.stdout + completed.stderr, *secrets)


def test_write_failure_keeps_old_baseline(repo: Repo, cli: Any) -> None:
    old, secrets = _repo_with_growing_baseline(repo, cli)

    # Python ignores SIGXFSZ, so the write fails with EFBIG instead.
    completed = _update_with_file_size_limit(repo, len(old) * 2, killed=False)

    assert completed.returncode == 2, completed.stderr
    assert "could not write baseline" in completed.stderr
    assert "File too large" in completed.stderr
    assert (repo.path / BASELINE).read_bytes() == old
    assert list(repo.path.glob(".secrets-baseline-*.tmp")) == []
    assert_no_secret(completed.stdout + completed.stderr, *secrets)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_write_into_read_only_folder_keeps_old_file(tmp_path: Path) -> None:
    target = tmp_path / BASELINE
    target.write_text("old\n")
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(FatalError, match="could not write baseline"):
            write.write_atomically(str(target), "new\n")
    finally:
        tmp_path.chmod(0o755)

    assert target.read_text() == "old\n"


def test_write_keeps_file_mode(tmp_path: Path) -> None:
    target = tmp_path / BASELINE
    target.write_text("old\n")
    target.chmod(0o600)

    write.write_atomically(str(target), "new\n")

    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert list(tmp_path.iterdir()) == [target]
