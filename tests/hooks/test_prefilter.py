"""The prefilter's shortcuts leave every result as detect-secrets' own scan has it."""

from __future__ import annotations

import io
import math
import random
import re
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from staged_secrets.hooks import detectors, engine, prefilter

from tests.conftest import (
    PRIVATE_KEY_FOOTER,
    PRIVATE_KEY_HEADER,
    Repo,
    assert_no_secret,
    fake_aws_key,
    fake_github_token,
    fake_password,
)

# Random base64 and hex strings, built from a fixed generator so that the
# files hold no literal secret.
BASE64_CHARS = string.ascii_letters + string.digits + "+/"
HEX_CHARS = "0123456789abcdef"


def distinct(charset: str, length: int, offset: int = 0) -> str:
    """Return LENGTH distinct characters of CHARSET in a shuffled order (maximum entropy).

    The order is shuffled so that detect-secrets' filter for sequential
    strings ("abcdef...") does not hide the result. Beyond the charset's size
    characters repeat.
    """
    generator = random.Random(offset)
    chosen: list[str] = []
    while len(chosen) < length:
        chosen.extend(generator.sample(charset, min(len(charset), length - len(chosen))))
    return "".join(chosen)


@pytest.fixture(autouse=True)
def default_detectors() -> None:
    detectors.configure(detectors.default_settings_json())


def disable_prefilter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every prefilter check return True, as if the module did not exist."""
    monkeypatch.setattr(prefilter, "plugin_condition", lambda plugin, group: None)
    monkeypatch.setattr(prefilter, "_conditions", None)
    monkeypatch.setattr(prefilter, "may_parse_as_config", lambda filename, text: True)
    monkeypatch.setattr(prefilter, "may_parse_as_eager_config", lambda filename, text: True)


def plugins() -> list[Any]:
    from detect_secrets.settings import get_plugins

    return list(get_plugins())


def oracle(path: Path) -> set[tuple[int, str, str]]:
    """Return detect-secrets' own findings for the file at PATH.

    Like detect-secrets' SecretsCollection, keep one result per type and
    hashed secret, at the first line that yields it.
    """
    from detect_secrets.core.scan import scan_file

    first: dict[tuple[str, str], int] = {}
    for secret in scan_file(str(path)):
        first.setdefault((secret.type, secret.secret_hash), secret.line_number)
    return {(line, kind, hashed) for (kind, hashed), line in first.items()}


def engine_results(path: Path, text: str) -> set[tuple[int, str, str]]:
    return {
        (secret.line_number, secret.type, secret.hashed_secret)
        for secret in engine.scan_text(str(path), text, None)
    }


def plugin_results(line: str, filename: str) -> set[tuple[str, str]]:
    """Run every configured plugin on LINE the way detect-secrets' file scan does."""
    from detect_secrets.core.scan import _scan_line
    from detect_secrets.util.code_snippet import get_code_snippet

    context = get_code_snippet([line], 1)
    return {
        (secret.type, secret.secret_hash)
        for plugin in plugins()
        for secret in _scan_line(
            plugin=plugin, filename=filename, line=line, line_number=1, context=context
        )
    }


def compare_with_oracle(tmp_path: Path, name: str, text: str) -> set[tuple[int, str, str]]:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    expected = oracle(path)
    assert engine_results(path, text) == expected
    return expected


# --- entropy limits ----------------------------------------------------------


@pytest.mark.parametrize("limit", [0.0, 1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5])
@pytest.mark.parametrize("plugin_name", ["Base64HighEntropyString", "HexHighEntropyString"])
def test_min_entropy_length_matches_plugin(plugin_name: str, limit: float) -> None:
    from detect_secrets.plugins import high_entropy_strings

    plugin = getattr(high_entropy_strings, plugin_name)(limit=limit)
    length = prefilter.min_entropy_length(limit)
    letters = "".join(character for character in plugin.charset if not character.isdigit())
    for size in range(1, 70):
        top = max(
            plugin.calculate_shannon_entropy(distinct(plugin.charset, size)),
            plugin.calculate_shannon_entropy(distinct(letters, size)),
        )
        if size < length:
            assert top <= limit, f"length {size} reaches the limit"
    assert length == 1 or math.log2(length) > limit - 1e-6


@pytest.mark.parametrize(
    ("charset", "length", "reported"),
    [
        pytest.param(BASE64_CHARS, 22, False, id="base64-22"),
        pytest.param(BASE64_CHARS, 23, True, id="base64-23"),
        pytest.param(HEX_CHARS, 8, False, id="hex-8"),
        pytest.param(HEX_CHARS, 9, True, id="hex-9"),
        pytest.param("0123456789", 9, False, id="digits-9"),
    ],
)
@pytest.mark.parametrize("quote", ['"', "'"])
def test_entropy_threshold_lengths(
    tmp_path: Path, charset: str, length: int, reported: bool, quote: str
) -> None:
    value = distinct(charset, length, offset=3)
    line = f"token = {quote}{value}{quote}\n"
    results = compare_with_oracle(tmp_path, "threshold.py", line)
    entropy_types = {item[1] for item in results if "Entropy" in item[1]}
    assert bool(entropy_types) == reported
    if not prefilter.may_match(line.rstrip()):
        assert not plugin_results(line.rstrip(), "threshold.py")


def test_repeated_secret_reported_once(tmp_path: Path) -> None:
    password = fake_password()
    text = f"a = 1\npassword = '{password}'\nb = 2\nold_password = '{password}'\n"
    results = compare_with_oracle(tmp_path, "repeat.py", text)
    assert {item[0] for item in results} == {2}


def test_entropy_run_needs_matching_quotes(tmp_path: Path) -> None:
    value = distinct(BASE64_CHARS, 40, offset=5)
    lines = [f"a = \"{value}'\n", f"b = '{value}'\n", f"c = {value}\n"]
    results = compare_with_oracle(tmp_path, "quotes.py", "".join(lines))
    assert {item[0] for item in results if "Base64" in item[1]} == {2}


# --- keywords ----------------------------------------------------------------

KEYWORD_LINES = [
    pytest.param("PASSWORD = 'hunter2value'", id="upper"),
    pytest.param("PaSsWoRd: 'hunter2value'", id="mixed"),
    pytest.param('db_PASS = "value-1234"', id="db-pass"),
    pytest.param("api_\u212aey = 'value-1234'", id="kelvin-sign"),
    pytest.param("\u017fecret = 'value-1234'", id="long-s"),
    pytest.param("contrase\u00d1a = 'value-1234'", id="enye-upper"),
    pytest.param("if ('value1234' == my_password) {}", id="reverse-comparison"),
    pytest.param('secret.assign("value1234",9);', id="assign"),
    pytest.param('private_key "value1234";', id="semicolon"),
]


@pytest.mark.parametrize("line", KEYWORD_LINES)
@pytest.mark.parametrize("name", ["k.py", "k.yaml", "k.conf", "k.go", "k.c", "k.cpp", "k.txt"])
def test_keyword_lines(tmp_path: Path, line: str, name: str) -> None:
    compare_with_oracle(tmp_path, name, line + "\n")
    if plugin_results(line, name):
        assert prefilter.may_match(line)


@pytest.mark.parametrize("name", ["app.conf", "app.ini", "app.properties", "settings.yaml"])
def test_unquoted_config_values(tmp_path: Path, name: str) -> None:
    value = distinct(BASE64_CHARS, 40, offset=9)
    password = fake_password()
    if name.endswith(".yaml"):
        text = f"service:\n  token: {value}\n  password: {password}\n"
    else:
        text = f"[service]\ntoken = {value}\npassword = {password}\n"
    results = compare_with_oracle(tmp_path, name, text)
    assert results


def test_env_file_eager_pass(tmp_path: Path) -> None:
    value = distinct(BASE64_CHARS, 40, offset=11)
    results = compare_with_oracle(tmp_path, "service.env", f"TOKEN={value}\nMODE=fast\n")
    assert results


# --- every plugin's own patterns ---------------------------------------------


def _denylist_cases() -> list[Any]:
    detectors.configure(detectors.default_settings_json())
    cases = []
    for plugin in plugins():
        for index in range(len(getattr(plugin, "denylist", []))):
            cases.append(
                pytest.param(type(plugin).__name__, index, id=f"{type(plugin).__name__}-{index}")
            )
    return cases


@pytest.mark.parametrize(("plugin_name", "index"), _denylist_cases())
@pytest.mark.parametrize("ascii_only", [True, False], ids=["ascii", "unicode"])
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.data())
def test_condition_holds_on_pattern_matches(
    plugin_name: str, index: int, ascii_only: bool, data: Any
) -> None:
    plugin = next(item for item in plugins() if type(item).__name__ == plugin_name)
    pattern = plugin.denylist[index]
    alphabet = st.characters(codec="ascii") if ascii_only else None
    line = data.draw(
        st.from_regex(pattern, alphabet=alphabet).filter(lambda text: "\n" not in text)
    )
    assert pattern.search(line)

    spec = prefilter.plugin_condition(plugin, "quote")
    assert spec is not None
    assert re.search(spec.pattern, line), f"{plugin_name} condition misses {line!r}"
    if line.isascii() and (spec.anchors or spec.lower_anchors):
        lowered = line.lower()
        assert any(anchor in line for anchor in spec.anchors) or any(
            anchor in lowered for anchor in spec.lower_anchors
        ), f"{plugin_name} anchors miss {line!r}"
    assert prefilter.may_match(line)
    assert plugin in prefilter.plugins_that_may_match(line)
    assert prefilter.candidate_indexes(["x", line], [0, 1]) == {1}


MINIMAL_MATCHES = [
    pytest.param(fake_aws_key(), id="aws-key-id"),
    pytest.param("aws_secret_key = '" + distinct(BASE64_CHARS, 40, 1) + "'", id="aws-secret"),
    pytest.param("AccountKey=" + distinct(BASE64_CHARS, 64, 2) * 2, id="azure"),
    pytest.param("https://user:" + "pa55word" + "@example.invalid/", id="basic-auth"),
    pytest.param("cloudant_password = '" + "a" * 64 + "'", id="cloudant"),
    pytest.param(fake_github_token(), id="github"),
    pytest.param("gl" + "pat-" + distinct(BASE64_CHARS[:62], 20, 4), id="gitlab"),
    pytest.param("ibm_cloud_iam_key = '" + distinct(BASE64_CHARS[:62], 44, 6) + "'", id="ibm-iam"),
    pytest.param("secret_access_key = '" + distinct(HEX_CHARS, 16) * 3 + "'", id="ibm-cos"),
    pytest.param("host = 8.8.4.4", id="public-ip"),
    pytest.param(PRIVATE_KEY_HEADER, id="private-key"),
    pytest.param("PuTTY-User-Key-File-2: ssh-rsa", id="putty"),
    pytest.param("xo" + "xb-1234-abcd", id="slack"),
    pytest.param("s" + "k_live_" + distinct(BASE64_CHARS[:62], 24, 7), id="stripe"),
    pytest.param("12345678" + ":" + distinct(BASE64_CHARS[:62], 35, 8), id="telegram"),
    pytest.param("A" + "C" + distinct(HEX_CHARS, 16) * 2, id="twilio"),
    pytest.param("s" + "q0csp-" + distinct(BASE64_CHARS[:62], 43, 9), id="square"),
    pytest.param(
        "SG." + distinct(BASE64_CHARS[:62], 22, 1) + "." + distinct(BASE64_CHARS[:62], 43, 2),
        id="sendgrid",
    ),
]


@pytest.mark.parametrize("line", MINIMAL_MATCHES)
def test_minimal_matches_pass(tmp_path: Path, line: str) -> None:
    # Before detect-secrets' filters: the plugin itself must fire on the case.
    hits = [
        plugin
        for plugin in plugins()
        if plugin.analyze_line(filename="m.txt", line=line, line_number=1, context=None)
    ]
    assert hits, "the case should make some plugin report"
    candidates = [id(plugin) for plugin in prefilter.plugins_that_may_match(line)]
    assert all(id(plugin) in candidates for plugin in hits)
    assert prefilter.may_match(line)
    compare_with_oracle(tmp_path, "m.txt", line + "\n")


def test_unknown_plugin_disables_the_filter() -> None:
    class CustomDetector:
        secret_type = "Custom"

    conditions = prefilter.build_conditions([*plugins(), CustomDetector()])
    assert conditions.combined is None
    assert conditions.per_plugin[-1].pattern is None


def test_subclass_of_known_plugin_is_unknown() -> None:
    from detect_secrets.plugins.aws import AWSKeyDetector

    class Wider(AWSKeyDetector):
        denylist = (re.compile("anything"),)

    assert prefilter.plugin_condition(Wider(), "quote") is None


def test_keyword_anchors_cover_denylist() -> None:
    from detect_secrets.plugins.keyword import DENYLIST, KeywordDetector

    spec = prefilter.plugin_condition(KeywordDetector(), "quote")
    assert spec is not None
    assert "api_key" in spec.lower_anchors
    assert "apikey" in spec.lower_anchors
    for entry in DENYLIST:
        assert re.search(spec.pattern, entry.replace("_?", "_").upper())


# --- random lines -------------------------------------------------------------

TOKENS = [
    "password", "PASSWORD", "secret", "api_key", "apikey", "pwd", "aws", "AKIA", "=", ":", ":=",
    "==", "=>", "(", ")", ";", ",", "'", '"', "`", " ", "  ", "[", "]", "@", "://", "/", ".",
    "-", "_", "eyJ", "gh" + "p_", "xo" + "xb-", "sk_live_", "PRIVATE KEY", "BEGIN ", "\t",
    "\u212a", "\u017f", "1.2.3.4", "8.8.8.8", "12345678:", "-us1", "AC", "SK",
]  # fmt: skip
FILENAMES = ["r.py", "r.yaml", "r.ini", "r.go", "r.js", "r.txt", "r.env", "r.cs", "r.tf"]

random_chunk = st.one_of(
    st.sampled_from(TOKENS),
    st.text(alphabet=BASE64_CHARS, min_size=1, max_size=50),
    st.text(alphabet=HEX_CHARS, min_size=1, max_size=20),
    st.text(min_size=1, max_size=5).filter(lambda text: "\n" not in text and "\r" not in text),
)
random_line = st.lists(random_chunk, max_size=12).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=random_line, filename=st.sampled_from(FILENAMES))
@example(line="password = 'x'", filename="r.py")
@example(line="key: " + "a" * 44, filename="r.yaml")
def test_random_line_never_loses_a_result(line: str, filename: str) -> None:
    stripped = line.rstrip()
    found = plugin_results(stripped, filename)
    if not prefilter.may_match(stripped):
        assert not found
    matching = prefilter.plugins_that_may_match(stripped)
    by_plugin = {
        (secret.type, secret.secret_hash) for secret in _plugins_scan(stripped, filename, matching)
    }
    assert by_plugin == found


def _plugins_scan(line: str, filename: str, chosen: list[Any]) -> Iterator[Any]:
    from detect_secrets.core.scan import _scan_line
    from detect_secrets.util.code_snippet import get_code_snippet

    context = get_code_snippet([line], 1)
    for plugin in chosen:
        yield from _scan_line(
            plugin=plugin, filename=filename, line=line, line_number=1, context=context
        )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(random_line, max_size=20))
def test_candidate_indexes_equal_per_line_checks(lines: list[str]) -> None:
    expected = {index for index, line in enumerate(lines) if prefilter.may_match(line)}
    assert prefilter.candidate_indexes(lines, range(len(lines))) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(random_line, min_size=1, max_size=15), filename=st.sampled_from(FILENAMES))
def test_random_file_matches_oracle(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], filename: str
) -> None:
    folder = tmp_path_factory.mktemp("random")
    text = "\n".join(lines) + "\n"
    expected = compare_with_oracle(folder, filename, text)
    with pytest.MonkeyPatch.context() as monkeypatch:
        disable_prefilter(monkeypatch)
        assert engine_results(folder / filename, text) == expected
    prefilter._conditions = None


def test_engine_same_with_and_without_prefilter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = fake_aws_key()
    password = fake_password()
    value = distinct(BASE64_CHARS, 30, offset=2)
    text = "".join(
        [
            "import os\n",
            f'KEY = "{key}"\n',
            f"password = '{password}'\n",
            f"data = '{value}'\n",
            PRIVATE_KEY_HEADER + "\n",
            "abc\n",
            PRIVATE_KEY_FOOTER + "\n",
            "print('done')\n",
        ]
    )
    path = tmp_path / "mixed.py"
    path.write_text(text)
    added = {3, 6, 8}
    with_filter = engine.scan_text(str(path), text, added)
    disable_prefilter(monkeypatch)
    without_filter = engine.scan_text(str(path), text, added)
    monkeypatch.undo()
    prefilter._conditions = None
    assert with_filter == without_filter
    assert {secret.line_number for secret in with_filter} == {3, 5}


# --- configparser shortcuts ---------------------------------------------------

CONFIG_PIECES = [
    "[section]", "[other]", "[", "]", "key = value", "key: value", "key", "  indented",
    "\tvalue", "# comment", "; comment", "", "   ", "=", ":", "[a] trailing", "name = ",
    "x=1", "DUPLICATE = 1", "\x0cfeed", "\u2028", "\x85", "\r",
]  # fmt: skip


def _transformer_fails(transformer: Any, name: str, text: str) -> bool:
    from detect_secrets.transformers.exceptions import ParsingError

    try:
        transformer.parse_file(engine._NamedText(text, name))
    except ParsingError:
        return True
    return False


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(CONFIG_PIECES), max_size=10),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
)
@example(pieces=["{", '  "a": 1', "}"], ending="\n")
@example(pieces=["[s]", "a = 1", "plain words"], ending="\n")
def test_config_shortcuts_only_skip_failing_parses(pieces: list[str], ending: str) -> None:
    from detect_secrets.transformers.config import (
        ConfigFileTransformer,
        EagerConfigFileTransformer,
    )

    text = ending.join(pieces) + ending
    if not prefilter.may_parse_as_config("c.txt", text):
        assert _transformer_fails(ConfigFileTransformer(), "c.txt", text)
    if not prefilter.may_parse_as_eager_config("c.txt", text):
        assert _transformer_fails(EagerConfigFileTransformer(), "c.txt", text)


@pytest.mark.parametrize(
    ("text", "first", "eager"),
    [
        pytest.param('{\n  "a": 1\n}\n', False, False, id="json"),
        pytest.param("[s]\na = 1\n", True, True, id="ini"),
        pytest.param("a = 1\nb: 2\n", False, True, id="env-like"),
        pytest.param("# c\n\n[s]\na = 1\nwords\n", False, False, id="error-line-late"),
        pytest.param("[s]\na = 1\n  continued\n", True, True, id="continuation"),
    ],
)
def test_config_shortcut_cases(text: str, first: bool, eager: bool) -> None:
    assert prefilter.may_parse_as_config("c.txt", text) is first
    assert prefilter.may_parse_as_eager_config("c.txt", text) is eager


def test_known_transformers_are_all() -> None:
    from detect_secrets.transformers import get_transformers

    names = tuple(type(transformer).__name__ for transformer in get_transformers())
    assert names == engine.KNOWN_TRANSFORMERS


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("a.yaml", "key: value\nother: 2\n", id="yaml"),
        pytest.param("a.yaml", "[s]\nkey = value\n", id="yaml-ini"),
        pytest.param("a.txt", "[s]\nkey = value\n", id="ini"),
        pytest.param("a.txt", "key = value\n", id="env"),
        pytest.param("a.py", "key = value\n", id="python"),
        pytest.param("a.json", '{\n  "key": "value"\n}\n', id="json"),
    ],
)
@pytest.mark.parametrize("eager", [False, True])
def test_transformed_lines_match_detect_secrets(name: str, text: str, eager: bool) -> None:
    from detect_secrets.transformers import get_transformed_file

    expected = get_transformed_file(engine._NamedText(text, name), use_eager_transformers=eager)
    assert engine._transformed_lines(name, text, eager) == expected


# --- line splitting -----------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(
            ["a", " ", "\n", "\r", "\v", "\x0c", "\x1c", "\x85", "\u2028", "é"]
        )
    )
)
def test_plain_lines_equal_universal_newline_readlines(text: str) -> None:
    lines, joined = engine.plain_lines(text)
    assert lines == io.StringIO(text, newline=None).readlines()
    assert joined == "".join(lines)


# --- start-up -----------------------------------------------------------------


def test_hook_run_does_not_import_requests(repo: Repo) -> None:
    key = fake_aws_key()
    repo.commit_files({"app.py": "x = 1\n"})
    repo.write("app.py", f"x = 1\nKEY = '{key}'\n")
    repo.stage("app.py")
    probe = (
        "import sys\n"
        "from staged_secrets.hooks.cli import main\n"
        "code = main(['scan'])\n"
        "loaded = type(sys.modules.get('requests')).__name__\n"
        "print('requests-module', loaded, 'urllib3' in sys.modules)\n"
        "sys.exit(code)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=repo.path, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 1
    assert "requests-module _DeferredRequests False" in completed.stdout
    assert_no_secret(completed.stdout + completed.stderr, key)
