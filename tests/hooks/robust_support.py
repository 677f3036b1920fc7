"""Helpers shared by the robustness tests: JSON scans, the detect-secrets oracle, disk checks."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tests.conftest import CliResult, assert_no_secret

Cli = Callable[..., CliResult]


def scan_json(cli: Cli, *args: str, secrets: Iterable[str] = ()) -> tuple[int, dict[str, Any]]:
    """Run `scan --format json ARGS` in-process; return the exit code and the parsed report."""
    result = cli("scan", "--format", "json", *args)
    assert_no_secret(result.output, *secrets)
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


def locations(report: dict[str, Any]) -> set[tuple[str, int, str]]:
    """Return (filename, line_number, type) of each result."""
    return {(item["filename"], item["line_number"], item["type"]) for item in report["results"]}


def identities(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    """Return (filename, type, hashed_secret) of each result."""
    return {(item["filename"], item["type"], item["hashed_secret"]) for item in report["results"]}


def skipped_files(report: dict[str, Any]) -> dict[str, str]:
    return {item["filename"]: item["reason"] for item in report["skipped"]}


def detect_secrets_results(path: Path) -> set[tuple[int, str, str]]:
    """Return detect-secrets' own (line_number, type, hashed_secret) for the file at PATH.

    Call it after a scan has configured detect-secrets' settings.
    """
    from detect_secrets.core.scan import scan_file

    return {
        (secret.line_number, secret.type, secret.secret_hash) for secret in scan_file(str(path))
    }


def snapshot_times(roots: Iterable[Path], skip: Iterable[Path] = ()) -> dict[Path, int]:
    """Return the modification time of every file under ROOTS, leaving out SKIP folders."""
    skipped = [str(folder) for folder in skip]
    times: dict[Path, int] = {}
    for root in roots:
        for folder, subfolders, files in os.walk(root):
            if any(folder == prefix or folder.startswith(prefix + os.sep) for prefix in skipped):
                subfolders[:] = []
                continue
            for name in files:
                path = Path(folder) / name
                try:
                    times[path] = path.lstat().st_mtime_ns
                except OSError:
                    continue
    return times


def files_written_with(secret: str, before: dict[Path, int], after: dict[Path, int]) -> list[Path]:
    """Return files created or changed between two snapshots that contain SECRET."""
    needles = [
        secret.encode("utf-8"),
        secret.encode("utf-16-le"),
        secret.encode("utf-16-be"),
    ]
    found = []
    for path, mtime in after.items():
        if before.get(path) == mtime or path.is_symlink():
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if any(needle in data for needle in needles):
            found.append(path)
    return found
