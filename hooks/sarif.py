"""SARIF 2.1.0 output for code-scanning services such as GitHub code scanning.

The log carries no secret text, not even the masked preview: a result names
the file, the line, the detector's type and, for range scans, the commits.
Its `partialFingerprints` entry is a hash of the finding's identity (path,
type and hashed secret), so an alert keeps its identity while lines move
around it, and a service that tracks alerts across runs does not reopen it.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from collections.abc import Sequence
from importlib import metadata
from typing import Any, TextIO

from staged_secrets.hooks.changes import Finding
from staged_secrets.hooks.words import plural

SARIF_VERSION = "2.1.0"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "staged-secrets"
TOOL_URI = "https://pypi.org/project/staged-secrets/"
# The symbol that code-scanning services resolve to the repository's top folder.
SOURCE_ROOT = "%SRCROOT%"
FINGERPRINT_KEY = "stagedSecretsIdentity/v1"

HELP_TEXT = (
    "A value that detect-secrets recognises as a secret was added. If it is a real secret, "
    "remove it, rewrite the commits that contain it before they are shared, and rotate it. "
    "If it is a false positive, add the comment 'pragma: allowlist secret' at the end of its "
    "line, or record it with 'staged-secrets baseline update' and label it with "
    "'staged-secrets audit'."
)


def rule_id(secret_type: str) -> str:
    """Return a stable rule id for a detect-secrets type name, e.g. `aws-access-key`."""
    return re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-") or "secret"


def artifact_uri(path: str) -> str:
    """Return PATH (relative to the repository's top) as a percent-encoded relative URI.

    Every byte outside RFC 3986's unreserved set and '/' is encoded, so
    spaces, '%', '#', '?', a ':' that would read as a scheme, and non-ASCII
    names (UTF-8, or the raw bytes git stored) all survive.
    """
    raw = path.encode("utf-8", "surrogateescape")
    return urllib.parse.quote(raw, safe="/")


def fingerprint(finding: Finding) -> str:
    """Return a hash of the finding's identity (path, type and hashed secret)."""
    key = f"{finding.filename}\0{finding.type}\0{finding.hashed_secret}"
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def tool_version() -> str:
    try:
        return metadata.version(TOOL_NAME)
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _rule(secret_type: str) -> dict[str, Any]:
    return {
        "id": rule_id(secret_type),
        "name": secret_type,
        "shortDescription": {"text": f"{secret_type} added"},
        "fullDescription": {
            "text": f"A line added to the repository contains a secret of type {secret_type} "
            "that the baseline does not list."
        },
        "help": {"text": HELP_TEXT},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["security", "secrets"]},
    }


def _display_path(path: str) -> str:
    # git keeps path bytes that are not UTF-8 as they are. The message shows
    # them as U+FFFD, and the URI keeps them percent-encoded.
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _result(finding: Finding, rule_index: int, commits: Sequence[str]) -> dict[str, Any]:
    location = f"line {finding.line_number} of {_display_path(finding.filename)}"
    message = f"{finding.type} added at {location}"
    if commits:
        message += f" in commit {commits[0]}"
        if len(commits) > 1:
            message += f" (and {plural(len(commits) - 1, 'later commit')})"
    result: dict[str, Any] = {
        "ruleId": rule_id(finding.type),
        "ruleIndex": rule_index,
        "level": "error",
        "message": {"text": message + "."},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": artifact_uri(finding.filename),
                        "uriBaseId": SOURCE_ROOT,
                    },
                    "region": {"startLine": finding.line_number},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
    }
    if commits:
        result["properties"] = {"commits": list(commits)}
    return result


def to_sarif(findings: Sequence[Finding]) -> dict[str, Any]:
    """Build the SARIF log for FINDINGS.

    A range scan can report one identity in several commits. Results that
    share a fingerprint are one alert, so they become one result at the
    oldest commit, which lists every commit in its properties.
    """
    grouped: dict[str, tuple[Finding, list[str]]] = {}
    for finding in findings:
        key = fingerprint(finding)
        if key not in grouped:
            grouped[key] = (finding, [])
        if finding.commit and finding.commit not in grouped[key][1]:
            grouped[key][1].append(finding.commit)

    types = sorted({finding.type for finding in findings})
    results = [
        _result(finding, types.index(finding.type), commits)
        for finding, commits in grouped.values()
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": tool_version(),
                        "informationUri": TOOL_URI,
                        "rules": [_rule(secret_type) for secret_type in types],
                    }
                },
                "results": results,
            }
        ],
    }


def write_sarif(stream: TextIO, findings: Sequence[Finding]) -> None:
    json.dump(to_sarif(findings), stream, indent=2)
    stream.write("\n")
