"""The hook process must not import the HTTP stack that only network verification uses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo, assert_no_secret, fake_aws_key, run_command

# Runs one scan as the hook does and records which modules it loaded.
PROBE = """
import json, sys
from staged_secrets.hooks import detectors
from staged_secrets.hooks.cli import main

code = main(["scan"])
loaded = {
    name: isinstance(module, detectors._DeferredRequests)
    for name, module in sys.modules.items()
}
with open(sys.argv[1], "w") as report:
    json.dump({"exit_code": code, "modules": loaded}, report)
"""

HTTP_PACKAGES = ("requests", "urllib3", "charset_normalizer", "idna", "certifi")


def _probe(repo: Repo, tmp_path: Path) -> tuple[dict[str, Any], str]:
    report = tmp_path / "modules.json"
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(report)],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(report.read_text()), completed.stdout + completed.stderr


def _http_modules(modules: dict[str, bool]) -> list[str]:
    """Return the loaded HTTP modules, leaving out the deferred `requests` stand-in."""
    loaded = []
    for name, is_stand_in in modules.items():
        if is_stand_in:
            continue
        if name.split(".")[0] in HTTP_PACKAGES or name == "http.client":
            loaded.append(name)
    return sorted(loaded)


@pytest.mark.parametrize("with_secret", [False, True], ids=["clean", "secret"])
def test_scan_loads_no_http_stack(repo: Repo, tmp_path: Path, with_secret: bool) -> None:
    key = fake_aws_key()
    repo.commit_files({"app.py": "x = 1\n"}, "base")
    created = run_command(["baseline", "create"], cwd=repo.path)
    assert created.exit_code == 0, created.output
    repo.write("app.py", f'x = 1\naws_key = "{key}"\n' if with_secret else "x = 2\n")
    repo.stage("app.py")

    report, output = _probe(repo, tmp_path)

    assert report["exit_code"] == (1 if with_secret else 0), output
    assert "detect_secrets.plugins.aws" in report["modules"]
    assert _http_modules(report["modules"]) == []
    assert_no_secret(output + created.output, key)


def test_scan_without_baseline_loads_no_http_stack(repo: Repo, tmp_path: Path) -> None:
    repo.write("app.py", "x = 1\n")
    repo.stage("app.py")

    report, output = _probe(repo, tmp_path)

    assert report["exit_code"] == 0, output
    assert "detect_secrets.plugins.aws" in report["modules"]
    assert _http_modules(report["modules"]) == []
