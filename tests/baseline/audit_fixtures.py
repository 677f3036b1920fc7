"""A repository with planted fake secrets and a baseline made by `baseline create`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from staged_secrets.hooks.cli import main

from tests.conftest import Repo, fake_aws_key, fake_github_token, fake_password

BASELINE = ".secrets.baseline"


class AuditRepo(NamedTuple):
    """The repository, its baseline file and every secret planted in it."""

    repo: Repo
    baseline: Path
    aws_key: str
    password: str
    token: str
    legacy_key: str

    @property
    def secrets(self) -> tuple[str, str, str, str]:
        return (self.aws_key, self.password, self.token, self.legacy_key)


def settings_text(aws_key: str, password: str, header: str = "") -> str:
    return (
        f"{header}import os\n\n"
        f'AWS_KEY = "{aws_key}"\n'
        f'password = "{password}"\n\n'
        "def main():\n"
        "    return AWS_KEY\n"
    )


def make_audit_repo(repo: Repo) -> AuditRepo:
    """Commit three files with four fake secrets, then run `baseline create`."""
    planted = AuditRepo(
        repo=repo,
        baseline=repo.path / BASELINE,
        aws_key=fake_aws_key(),
        password=fake_password(),
        token=fake_github_token(),
        legacy_key=fake_aws_key("W2NPDQ7ZK3MRT5XB"),
    )
    repo.commit_files(
        {
            "app/settings.py": settings_text(planted.aws_key, planted.password),
            "deploy/token.py": f'GITHUB = "{planted.token}"\n',
            "old/legacy.py": f'# kept for the old deploy\nLEGACY_KEY = "{planted.legacy_key}"\n',
        }
    )
    assert main(["baseline", "create"]) == 0
    return planted


def read_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def baseline_entries(path: Path) -> list[dict[str, Any]]:
    """Return the baseline's results in walk order: file, line, type, hash."""
    entries = [entry for items in read_json(path)["results"].values() for entry in items]
    return sorted(
        entries,
        key=lambda e: (e["filename"], e.get("line_number", 0), e["type"], e["hashed_secret"]),
    )


def identity(entry: dict[str, Any]) -> tuple[str, str, str]:
    return (entry["filename"], entry["type"], entry["hashed_secret"])


def labels(path: Path) -> dict[tuple[str, str, str], bool | None]:
    """Map each entry's identity to its `is_secret` value (None when absent)."""
    return {identity(entry): entry.get("is_secret") for entry in baseline_entries(path)}


def labels_read_by_detect_secrets(path: Path) -> dict[tuple[str, str, str], bool | None]:
    """Map each entry's identity to `is_secret` as detect-secrets' own loader reads it."""
    from detect_secrets.core.secrets_collection import SecretsCollection

    collection = SecretsCollection.load_from_baseline(read_json(path))
    return {
        (filename, secret.type, secret.secret_hash): secret.is_secret
        for filename, secret in collection
    }


def set_labels(path: Path, chosen: dict[tuple[str, str, str], bool]) -> None:
    """Write `is_secret` values into the baseline as a person or detect-secrets would."""
    data = read_json(path)
    for items in data["results"].values():
        for entry in items:
            if identity(entry) in chosen:
                entry["is_secret"] = chosen[identity(entry)]
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
