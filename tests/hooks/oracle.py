"""detect-secrets' own whole-file scan, the reference the hook's results are compared with."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from detect_secrets.core.secrets_collection import SecretsCollection
from detect_secrets.settings import default_settings


class Detection(NamedTuple):
    """One detect-secrets result: where, which detector, which secret (by hash)."""

    line_number: int
    type: str
    hashed_secret: str


def scan_file(folder: Path, filename: str, content: bytes) -> set[Detection]:
    """Store CONTENT as FOLDER/FILENAME and scan it with detect-secrets' default settings.

    FILENAME is relative, so filename-based rules (file type, lock files) see
    the same name as the hook.
    """
    path = folder / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with default_settings():
        collection = SecretsCollection(root=str(folder))
        collection.scan_file(filename)
        found = collection.data.get(filename, set())
    return {Detection(secret.line_number, secret.type, secret.secret_hash) for secret in found}


def restricted(detections: set[Detection], lines: set[int]) -> set[Detection]:
    """Keep the detections on LINES."""
    return {detection for detection in detections if detection.line_number in lines}
