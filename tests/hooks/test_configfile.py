"""The linear INI transformer returns what detect-secrets' own one returns."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from staged_secrets.hooks import configfile, detectors, engine

from tests.conftest import fake_aws_key, fake_password


@pytest.fixture(autouse=True)
def default_detectors() -> None:
    detectors.configure(detectors.default_settings_json())


ALLOWLIST_NEXTLINE = "# pragma: allowlist nextline secret"

LINE_PIECES = [
    "[section]", "[other]", "[DEFAULT]", "key = value", "key=value", "key: value",
    "key = :value", "key ==value", "other = 'quoted'", 'other = "double"', "name =",
    "  continued", "  more words", "", "# comment", "; comment", ALLOWLIST_NEXTLINE,
    "ref = %(key)s", "bad = %(missing)s", "path = /srv/%%d", "url = http://a:b@c",
    "k = v # trailing", "spaced key = spaced value", "dup = 1", "dup = 2",
    "token = 'a\"b'", "x = 1", "y = 2", "a.b = c.d", "w*x = (y)", "\tkey = tabbed",
]  # fmt: skip


def expected_output(text: str, add_header: bool) -> list[str] | str:
    from detect_secrets.transformers.config import _parse_file

    try:
        return list(_parse_file(engine._NamedText(text, "c.ini"), add_header=add_header))
    except configparser.Error as error:
        return type(error).__name__


def linear_output(text: str, add_header: bool) -> list[str] | str:
    try:
        return configfile.transform(engine._NamedText(text, "c.ini"), add_header=add_header)
    except configparser.Error as error:
        return type(error).__name__


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(st.sampled_from(LINE_PIECES), max_size=14),
    header=st.booleans(),
    add_header=st.booleans(),
)
@example(pieces=["key = value", "  second", "", "  third"], header=True, add_header=False)
@example(pieces=["a = 1", ALLOWLIST_NEXTLINE, "b = 2"], header=True, add_header=True)
def test_transform_matches_detect_secrets(
    pieces: list[str], header: bool, add_header: bool
) -> None:
    text = "\n".join((["[main]"] if header else []) + pieces) + "\n"
    assert linear_output(text, add_header) == expected_output(text, add_header)


@pytest.mark.parametrize(
    ("line", "key", "value", "matches"),
    [
        pytest.param("key = value", "key", "value", True, id="spaces"),
        pytest.param("key=value", "key", "value", True, id="plain"),
        pytest.param("key = =value", "key", "=value", True, id="value-starts-with-equals"),
        pytest.param("key value", "key", "value", True, id="space-only"),
        pytest.param("keyvalue", "key", "value", False, id="no-separator"),
        pytest.param("key = ", "key", "", True, id="empty-value"),
        pytest.param("key.x = v", "key", "v", False, id="longer-key"),
    ],
)
def test_first_line_matches_cases(line: str, key: str, value: str, matches: bool) -> None:
    pattern = re.compile(rf"^\s*{re.escape(key)}[ :=]+{re.escape(value)}")
    assert configfile.first_line_matches(line, key, value) is matches
    assert bool(pattern.match(line)) is matches


def test_ini_file_scan_matches_scan_file(tmp_path: Path) -> None:
    from detect_secrets.core.scan import scan_file

    key = fake_aws_key()
    password = fake_password()
    sections = [f"[s{number}]\noption_{number} = value {number}\n" for number in range(400)]
    text = "".join(sections) + f"aws_key = {key}\npassword = '{password}'\n"
    path = tmp_path / "big.ini"
    path.write_text(text)

    first: dict[tuple[str, str], int] = {}
    for secret in scan_file(str(path)):
        first.setdefault((secret.type, secret.secret_hash), secret.line_number)
    expected = {(line, kind, hashed) for (kind, hashed), line in first.items()}
    results = engine.scan_text(str(path), text, None)

    assert {(item.line_number, item.type, item.hashed_secret) for item in results} == expected
    assert "AWS Access Key" in {item.type for item in results}
