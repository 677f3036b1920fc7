"""File-type rules on staged changes: transformers, the eager .env pass, pragmas,
private key blocks and text encodings, checked against detect-secrets' own scan."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    PRIVATE_KEY_FOOTER,
    PRIVATE_KEY_HEADER,
    Repo,
    assert_no_secret,
    fake_aws_key,
    fake_password,
)
from tests.hooks import oracle
from tests.hooks.helpers import locations, scan_json

# A 40-digit hex value: only the entropy detectors can find it, and they need
# it quoted, which the YAML and INI transformers (and the eager pass) do.
BUILD_HASH = "3f9a1c7e5b2d8f40" + "a6c9e1b7d3f5a8c2e4b6d9f1"

ALLOW = "pragma: allowlist secret"
ALLOW_NEXT = "pragma: allowlist nextline secret"


def _staged_scan(
    repo: Repo, cli: Any, filename: str, before: bytes, after: bytes
) -> tuple[int, dict[str, Any], str]:
    repo.commit_files({filename: before}, "base")
    repo.write(filename, after)
    repo.stage(filename)
    return scan_json(cli)


def _added_lines(repo: Repo) -> set[int]:
    """Return the added line numbers of the one staged file, from git's hunk headers."""
    added: set[int] = set()
    for line in repo.git("diff", "--cached", "-U0", "--no-color").splitlines():
        if line.startswith("@@"):
            new_side = line.split(" ")[2][1:]
            start, _, count = new_side.partition(",")
            added.update(range(int(start), int(start) + int(count or "1")))
    return added


def _expected(
    repo: Repo, tmp_path: Path, filename: str, content: bytes
) -> list[tuple[str, int, str]]:
    detections = oracle.scan_file(tmp_path / "oracle", filename, content)
    kept = oracle.restricted(detections, _added_lines(repo))
    return sorted((filename, detection.line_number, detection.type) for detection in kept)


TRANSFORMED_CASES = [
    pytest.param(
        "deploy.yaml",
        "service:\n  name: api\n  password: {password}\n  port: 8080\n",
        "service:\n  name: api\n  password: {password}\n  port: 8080\n"
        "  build_hash: {build_hash}\n  replicas: 2\n",
        [5],
        "Hex High Entropy String",
        id="yaml",
    ),
    pytest.param(
        "settings.ini",
        "[server]\nname = api\npassword = {password}\n\n[client]\nretries = 3\n",
        "[server]\nname = api\npassword = {password}\n\n[client]\nretries = 3\n"
        "build_hash = {build_hash}\ntimeout = 10\n",
        [7],
        "Hex High Entropy String",
        id="ini",
    ),
    pytest.param(
        "setup.cfg",
        "[metadata]\nname = app\n\n[tool]\npassword = {password}\n",
        "[metadata]\nname = app\nbuild_hash = {build_hash}\n\n[tool]\npassword = {password}\n",
        [3],
        "Hex High Entropy String",
        id="cfg",
    ),
    pytest.param(
        ".env",
        "APP_NAME=api\nRETRIES=3\n",
        "APP_NAME=api\nBUILD_HASH={build_hash}\nRETRIES=3\n",
        [2],
        "Hex High Entropy String",
        id="env-eager-pass",
    ),
    pytest.param(
        "Procfile",
        "web: run-server\n",
        "web: run-server\nBUILD_HASH={build_hash}\n",
        [2],
        "Hex High Entropy String",
        id="no-extension-eager-pass",
    ),
]


@pytest.mark.parametrize(("filename", "before", "after", "lines", "kind"), TRANSFORMED_CASES)
def test_transformed_file_added_value(
    repo: Repo,
    cli: Any,
    tmp_path: Path,
    filename: str,
    before: str,
    after: str,
    lines: list[int],
    kind: str,
) -> None:
    password = fake_password()
    values = {"password": password, "build_hash": BUILD_HASH}
    new_content = after.format(**values).encode()

    exit_code, document, output = _staged_scan(
        repo, cli, filename, before.format(**values).encode(), new_content
    )

    assert exit_code == 1, output
    assert locations(document) == [(filename, line, kind) for line in lines]
    assert locations(document) == _expected(repo, tmp_path, filename, new_content)
    assert_no_secret(output, password, BUILD_HASH)


def test_env_eager_pass_needs_clean_file(repo: Repo, cli: Any, tmp_path: Path) -> None:
    password = fake_password()
    before = f'APP_NAME=api\npassword="{password}"\n'
    after = f'APP_NAME=api\npassword="{password}"\nBUILD_HASH={BUILD_HASH}\n'

    exit_code, document, output = _staged_scan(repo, cli, ".env", before.encode(), after.encode())

    # The first pass finds the unchanged password, so detect-secrets never
    # runs the eager pass that would find the hash on the added line.
    whole_file = oracle.scan_file(tmp_path / "oracle", ".env", after.encode())
    assert {(item.line_number, item.type) for item in whole_file} == {(2, "Secret Keyword")}
    assert exit_code == 0, output
    assert document["results"] == []
    assert_no_secret(output, password, BUILD_HASH)


def test_python_file_has_no_eager_pass(repo: Repo, cli: Any) -> None:
    exit_code, document, output = _staged_scan(
        repo, cli, "build.py", b"import os\n", f"import os\nBUILD_HASH={BUILD_HASH}\n".encode()
    )

    assert exit_code == 0, output
    assert document["results"] == []
    assert_no_secret(output, BUILD_HASH)


@pytest.mark.parametrize(
    ("filename", "line"),
    [
        pytest.param("app.py", 'aws_key = "{key}"  # {allow}', id="python"),
        pytest.param("app.js", 'const awsKey = "{key}"; // {allow}', id="javascript"),
        pytest.param("deploy.yaml", "aws_key: {key}  # {allow}", id="yaml"),
        pytest.param("settings.ini", "aws_key = {key}  # {allow}", id="ini"),
    ],
)
def test_allowlist_pragma_on_added_line(
    repo: Repo, cli: Any, tmp_path: Path, filename: str, line: str
) -> None:
    key = fake_aws_key()
    header = "[main]\n" if filename.endswith(".ini") else ""
    after = f"{header}name = 1\n{line.format(key=key, allow=ALLOW)}\n"

    exit_code, document, output = _staged_scan(
        repo, cli, filename, f"{header}name = 1\n".encode(), after.encode()
    )

    assert exit_code == 0, output
    assert document["results"] == []
    assert document["lines_scanned"] == 1
    assert _expected(repo, tmp_path, filename, after.encode()) == []
    assert_no_secret(output, key)


def test_ini_semicolon_pragma_follows_detect_secrets(repo: Repo, cli: Any, tmp_path: Path) -> None:
    key = fake_aws_key()
    before = f"[main]\nx = 1\n; {ALLOW_NEXT}\ny = 2\n"
    after = f"[main]\nx = 1\n; {ALLOW_NEXT}\naws_key = {key}  ; {ALLOW}\n"

    exit_code, document, output = _staged_scan(
        repo, cli, "settings.ini", before.encode(), after.encode()
    )

    # detect-secrets 1.5.0 honours pragmas in INI files only after '#', and
    # reads everything after '=' as the value; the hook agrees.
    assert locations(document) == [("settings.ini", 4, "AWS Access Key")]
    assert locations(document) == _expected(repo, tmp_path, "settings.ini", after.encode())
    assert exit_code == 1, output
    assert_no_secret(output, key)


NEXTLINE_CASES = [
    pytest.param("app.py", "x = 1\n", "# {allow}\n", 'aws_key = "{key}"\n', id="python"),
    pytest.param("app.js", "let x = 1;\n", "// {allow}\n", 'const k = "{key}";\n', id="javascript"),
    pytest.param("settings.ini", "[main]\nx = 1\n", "# {allow}\n", "aws_key = {key}\n", id="ini"),
    pytest.param(".env", "X=1\n", "# {allow}\n", "AWS_KEY={key}\n", id="env"),
]


@pytest.mark.parametrize(("filename", "head", "comment", "secret_line"), NEXTLINE_CASES)
def test_nextline_pragma_on_unchanged_line(
    repo: Repo, cli: Any, tmp_path: Path, filename: str, head: str, comment: str, secret_line: str
) -> None:
    key = fake_aws_key()
    comment_line = comment.format(allow=ALLOW_NEXT)
    before = f"{head}{comment_line}y = 2\n"
    after = f"{head}{comment_line}{secret_line.format(key=key)}"

    exit_code, document, output = _staged_scan(repo, cli, filename, before.encode(), after.encode())

    assert _added_lines(repo) == {head.count("\n") + 2}
    assert exit_code == 0, output
    assert document["results"] == []
    assert _expected(repo, tmp_path, filename, after.encode()) == []
    assert_no_secret(output, key)


def test_nextline_pragma_needs_adjacent_line(repo: Repo, cli: Any) -> None:
    key = fake_aws_key()
    before = f"# {ALLOW_NEXT}\nx = 1\ny = 2\n"
    after = f'# {ALLOW_NEXT}\nx = 1\naws_key = "{key}"\n'

    exit_code, document, output = _staged_scan(repo, cli, "app.py", before.encode(), after.encode())

    assert exit_code == 1, output
    assert locations(document) == [("app.py", 3, "AWS Access Key")]
    assert_no_secret(output, key)


def test_nextline_pragma_yaml_follows_detect_secrets(repo: Repo, cli: Any, tmp_path: Path) -> None:
    key = fake_aws_key()
    before = f"main:\n  # {ALLOW_NEXT}\n  name: app\n"
    after = f"main:\n  # {ALLOW_NEXT}\n  aws_key: {key}\n"

    exit_code, document, output = _staged_scan(
        repo, cli, "deploy.yaml", before.encode(), after.encode()
    )

    # detect-secrets 1.5.0's YAML transformer drops comment lines, so the
    # pragma on the line above has no effect there, and the hook agrees.
    assert locations(document) == _expected(repo, tmp_path, "deploy.yaml", after.encode())
    assert exit_code == 1, output
    assert_no_secret(output, key)


def _key_body(seed: str, count: int = 6) -> list[str]:
    row = (seed * 64)[:64]
    return [row[number:] + row[:number] for number in range(count)]


def test_private_key_body_change_reported_at_begin(repo: Repo, cli: Any, tmp_path: Path) -> None:
    old_body = _key_body("MIIEowIBAAKCAQEAx7Qm")
    new_body = _key_body("MIIEpAIBAAKCAQEAr9Tz")
    before = "\n".join(["# deploy key", PRIVATE_KEY_HEADER, *old_body, PRIVATE_KEY_FOOTER, ""])
    after = "\n".join(["# deploy key", PRIVATE_KEY_HEADER, *new_body, PRIVATE_KEY_FOOTER, ""])

    exit_code, document, output = _staged_scan(
        repo, cli, "deploy_key", before.encode(), after.encode()
    )

    # A deliberate departure: detect-secrets reports the key only at its
    # BEGIN line, which did not change, so restricted to the added lines it
    # reports nothing.
    assert _added_lines(repo) == set(range(3, 3 + len(new_body)))
    assert _expected(repo, tmp_path, "deploy_key", after.encode()) == []
    assert exit_code == 1, output
    assert locations(document) == [("deploy_key", 2, "Private Key")]
    assert_no_secret(output, *new_body)


def test_private_key_footer_only_change(repo: Repo, cli: Any) -> None:
    body = _key_body("MIIEowIBAAKCAQEAx7Qm")
    before = "\n".join([PRIVATE_KEY_HEADER, *body, "", ""])
    after = "\n".join([PRIVATE_KEY_HEADER, *body, PRIVATE_KEY_FOOTER, ""])

    exit_code, document, output = _staged_scan(
        repo, cli, "key.txt", before.encode(), after.encode()
    )

    assert exit_code == 1, output
    assert locations(document) == [("key.txt", 1, "Private Key")]
    assert_no_secret(output, *body)


def test_change_after_key_block_not_tied(repo: Repo, cli: Any) -> None:
    body = _key_body("MIIEowIBAAKCAQEAx7Qm")
    before = "\n".join([PRIVATE_KEY_HEADER, *body, PRIVATE_KEY_FOOTER, "x = 1", ""])
    after = "\n".join([PRIVATE_KEY_HEADER, *body, PRIVATE_KEY_FOOTER, "x = 2", ""])

    exit_code, document, output = _staged_scan(
        repo, cli, "key.txt", before.encode(), after.encode()
    )

    assert exit_code == 0, output
    assert document["results"] == []
    assert_no_secret(output, *body)


def test_yaml_block_scalar_key_body_change(repo: Repo, cli: Any) -> None:
    old_body = _key_body("MIIEowIBAAKCAQEAx7Qm", 3)
    new_body = _key_body("MIIEpAIBAAKCAQEAr9Tz", 3)

    def document(body: list[str], port: int) -> str:
        key = [f"    {line}" for line in [PRIVATE_KEY_HEADER, *body, PRIVATE_KEY_FOOTER]]
        return "\n".join(["deploy:", "  key: |", *key, f"  port: {port}", ""])

    exit_code, found, output = _staged_scan(
        repo, cli, "deploy.yaml", document(old_body, 80).encode(), document(new_body, 80).encode()
    )

    # detect-secrets' YAML transformer reports the key on the 'key: |' line;
    # the departure reports the unchanged BEGIN line of the changed block.
    assert exit_code == 1, output
    assert locations(found) == [("deploy.yaml", 3, "Private Key")]
    assert_no_secret(output, *new_body)

    repo.commit("new key")
    repo.write("deploy.yaml", document(new_body, 8080))
    repo.stage("deploy.yaml")
    exit_code, found, output = scan_json(cli)

    assert exit_code == 0, output
    assert found["results"] == []


def test_one_line_key_is_not_a_block(repo: Repo, cli: Any) -> None:
    body = "\\n".join(_key_body("MIIEowIBAAKCAQEAx7Qm", 3))
    escaped_key = f"{PRIVATE_KEY_HEADER}\\n{body}\\n{PRIVATE_KEY_FOOTER}\\n"
    head = ["{", '  "type": "service_account",', f'  "private_key": "{escaped_key}",']
    before = "\n".join([*head, '  "client_email": "old@example.invalid"', "}", ""])
    after = "\n".join([*head, '  "client_email": "new@example.invalid"', "}", ""])

    exit_code, document, output = _staged_scan(
        repo, cli, "account.json", before.encode(), after.encode()
    )

    # The key's BEGIN and END share one line, so a later change is outside it.
    assert _added_lines(repo) == {4}
    assert exit_code == 0, output
    assert document["results"] == []
    assert_no_secret(output, body)


def test_latin1_file_scanned(repo: Repo, cli: Any, tmp_path: Path) -> None:
    password = fake_password()
    before = "name = 'caf\u00e9'\n".encode("latin-1")
    after = f"name = 'caf\u00e9'\npassword = \"{password}\"\n".encode("latin-1")

    exit_code, document, output = _staged_scan(repo, cli, "app.py", before, after)

    # A deliberate departure: detect-secrets skips files that are not UTF-8.
    assert oracle.scan_file(tmp_path / "oracle", "app.py", after) == set()
    assert exit_code == 1, output
    assert locations(document) == [("app.py", 2, "Secret Keyword")]
    assert_no_secret(output, password)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_file_scanned(repo: Repo, cli: Any, tmp_path: Path, encoding: str) -> None:
    password = fake_password()
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    lines = ["x = 1", "y = 2", "z = 3"]
    before = bom + "\n".join([*lines, ""]).encode(encoding)
    after_text = "\n".join([lines[0], f'password = "{password}"', *lines[1:], ""])
    after = bom + after_text.encode(encoding)

    exit_code, document, output = _staged_scan(repo, cli, "app.py", before, after)

    expected = oracle.scan_file(tmp_path / "oracle", "app.py", after_text.encode())
    assert {(item.line_number, item.type) for item in expected} == {(2, "Secret Keyword")}
    assert exit_code == 1, output
    assert locations(document) == [("app.py", 2, "Secret Keyword")]
    assert_no_secret(output, password)


@pytest.mark.parametrize(
    "separator",
    [
        pytest.param("\f", id="form-feed"),
        pytest.param("\x1c", id="file-separator"),
        pytest.param("\u2028", id="line-separator"),
        pytest.param("\x85", id="next-line"),
    ],
)
def test_utf16_line_numbers_with_unicode_breaks(
    repo: Repo, cli: Any, tmp_path: Path, separator: str
) -> None:
    password = fake_password()
    bom = codecs.BOM_UTF16_LE
    # Python's str.splitlines() ends a line at these characters; detect-secrets
    # reads files with universal newlines, which do not.
    head = [f"title = 'a{separator}b{separator}c'", "x = 1"]
    before_text = "\n".join([*head, "y = 2", ""])
    after_text = "\n".join([*head, f'password = "{password}"', ""])

    exit_code, document, output = _staged_scan(
        repo,
        cli,
        "app.py",
        bom + before_text.encode("utf-16-le"),
        bom + after_text.encode("utf-16-le"),
    )

    expected = oracle.scan_file(tmp_path / "oracle", "app.py", after_text.encode())
    assert {(item.line_number, item.type) for item in expected} == {(3, "Secret Keyword")}
    assert exit_code == 1, output
    assert locations(document) == [("app.py", 3, "Secret Keyword")]
    assert_no_secret(output, password)


@pytest.mark.parametrize(
    ("ending", "name"),
    [
        pytest.param("\r\n", "crlf", id="crlf"),
        pytest.param("\r", "cr", id="lone-cr"),
    ],
)
def test_line_endings_number_lines_like_detect_secrets(
    repo: Repo, cli: Any, tmp_path: Path, ending: str, name: str
) -> None:
    key = fake_aws_key()
    password = fake_password()
    # Lone CRs end lines for detect-secrets but not for git, so the added
    # LF-terminated line contains several of detect-secrets' lines.
    before = f"a = 1{ending}b = 2{ending}\n".encode()
    after = f'a = 1{ending}b = 2{ending}\naws_key = "{key}"{ending}password = "{password}"\n'

    exit_code, document, output = _staged_scan(repo, cli, f"{name}.py", before, after.encode())

    expected = oracle.scan_file(tmp_path / "oracle", f"{name}.py", after.encode())
    assert exit_code == 1, output
    assert locations(document) == sorted(
        (f"{name}.py", item.line_number, item.type) for item in expected
    )
    assert len(document["results"]) == 2
    assert_no_secret(output, key, password)


def test_utf16_numbered_by_characters_not_bytes(repo: Repo, cli: Any, tmp_path: Path) -> None:
    password = fake_password()
    bom = codecs.BOM_UTF16_LE
    # No NUL byte in the first 8000 bytes, so git diffs this as text and
    # counts lines at 0x0A bytes; U+010A is stored as 0x0A 0x01.
    head = ["\u4e2d" * 4100, "name = '\u010a\u010a'", "x = 1"]
    before_text = "\n".join([*head, "y = 2", ""])
    after_text = "\n".join([*head, f'password = "{password}"', ""])
    before = bom + before_text.encode("utf-16-le")
    after = bom + after_text.encode("utf-16-le")
    assert b"\0" not in after[:8000]

    exit_code, document, output = _staged_scan(repo, cli, "app.py", before, after)

    expected = oracle.scan_file(tmp_path / "oracle", "app.py", after_text.encode())
    assert {(item.line_number, item.type) for item in expected} == {(4, "Secret Keyword")}
    assert exit_code == 1, output
    assert locations(document) == [("app.py", 4, "Secret Keyword")]
    assert_no_secret(output, password)
