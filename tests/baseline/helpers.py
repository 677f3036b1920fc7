"""Helpers for the baseline tests: reading, labelling and building baseline files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import Repo, fake_aws_key, fake_password

BASELINE = ".secrets.baseline"

# The detect-secrets console scripts installed next to this interpreter.
DETECT_SECRETS = str(Path(sys.executable).parent / "detect-secrets")
DETECT_SECRETS_HOOK = str(Path(sys.executable).parent / "detect-secrets-hook")


def aws_line(tail: str) -> tuple[str, str]:
    """Return a source line holding a fake AWS key, and the key."""
    key = fake_aws_key(tail)
    return f'aws_key = "{key}"\n', key


def password_line(seed: str) -> tuple[str, str]:
    """Return a source line holding a fake password, and the password."""
    password = fake_password(seed)
    return f'password = "{password}"\n', password


def read(repo: Repo, name: str = BASELINE) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((repo.path / name).read_text())
    return document


def results(repo: Repo, name: str = BASELINE) -> list[dict[str, Any]]:
    """Return every result of the baseline, in file order."""
    return [item for items in read(repo, name)["results"].values() for item in items]


def locations(repo: Repo, name: str = BASELINE) -> list[tuple[str, str, int | None]]:
    return [
        (item["filename"], item["type"], item.get("line_number")) for item in results(repo, name)
    ]


def set_fields(repo: Repo, filename: str, type_: str, name: str = BASELINE, **fields: Any) -> None:
    """Set FIELDS on the result of TYPE_ in FILENAME, as an audit would."""
    path = repo.path / name
    document = json.loads(path.read_text())
    matches = [item for item in document["results"][filename] if item["type"] == type_]
    assert len(matches) == 1, f"expected one {type_} result in {filename}"
    matches[0].update(fields)
    path.write_text(json.dumps(document, indent=2) + "\n")


def detect_secrets_scan(repo: Repo, *options: str) -> dict[str, Any]:
    """Run `detect-secrets scan` (without network verification) in REPO."""
    completed = subprocess.run(
        [DETECT_SECRETS, "scan", "--no-verify", *options],
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=True,
    )
    document: dict[str, Any] = json.loads(completed.stdout)
    return document
