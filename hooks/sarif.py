"""SARIF 2.1.0 output for code-scanning services; it carries no secret text."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, TextIO

from staged_secrets.hooks.changes import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://pypi.org/project/staged-secrets/"


def rule_id(secret_type: str) -> str:
    """Return a stable rule id for a detect-secrets type name."""
    return "".join(part.capitalize() for part in secret_type.replace("-", " ").split())


def fingerprint(finding: Finding) -> str:
    """Return a fingerprint that stays the same while the finding's identity does."""
    key = f"{finding.filename}\0{finding.type}\0{finding.hashed_secret}"
    # A path that is not UTF-8 arrives with surrogate escapes for its raw bytes.
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def to_sarif(findings: Sequence[Finding]) -> dict[str, Any]:
    types = sorted({finding.type for finding in findings})
    rules = [
        {
            "id": rule_id(secret_type),
            "name": rule_id(secret_type),
            "shortDescription": {"text": f"{secret_type} added"},
            "defaultConfiguration": {"level": "error"},
        }
        for secret_type in types
    ]
    results = []
    for finding in findings:
        message = f"{finding.type} added at {finding.filename}:{finding.line_number}"
        if finding.commit:
            message += f" in commit {finding.commit}"
        results.append(
            {
                "ruleId": rule_id(finding.type),
                "ruleIndex": types.index(finding.type),
                "level": "error",
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": finding.filename},
                            "region": {"startLine": finding.line_number},
                        }
                    }
                ],
                "partialFingerprints": {"stagedSecretsIdentity/v1": fingerprint(finding)},
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "staged-secrets",
                        "informationUri": TOOL_URI,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def write_sarif(stream: TextIO, findings: Sequence[Finding]) -> None:
    json.dump(to_sarif(findings), stream, indent=2)
    stream.write("\n")
