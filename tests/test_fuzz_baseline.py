"""The baseline loader on arbitrary files: a Baseline or FatalError, never another exception."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from staged_secrets.baseline.load import load_baseline, parse_json
from staged_secrets.baseline.model import Baseline
from staged_secrets.hooks.errors import FatalError

FUZZ_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

versions = st.one_of(
    st.sampled_from(["1.5.0", "1.0.3", "0.12.0", "0.13.1", "0.11.0", "2.0.0", "1.5", "x"]),
    json_values,
)
plugin_names = st.sampled_from(
    ["AWSKeyDetector", "KeywordDetector", "Base64HighEntropyString", "NoSuchPlugin", ""]
)
filter_paths = st.sampled_from(
    [
        "detect_secrets.filters.heuristic.is_sequential_string",
        "detect_secrets.filters.regex.should_exclude_line",
        "detect_secrets.filters.wordlist.should_exclude_secret",
        "detect_secrets.filters.gibberish.should_exclude_secret",
        "file:///tmp/evil.py::f",
        "os.system",
    ]
)


@st.composite
def plugin_entries(draw: st.DrawFn) -> Any:
    entry: dict[str, Any] = {"name": draw(st.one_of(plugin_names, json_values))}
    keys = st.sampled_from(["limit", "path", "keyword_exclude"])
    extra = draw(st.dictionaries(keys, json_values))
    entry.update(extra)
    return draw(st.one_of(st.just(entry), json_values))


@st.composite
def filter_entries(draw: st.DrawFn) -> Any:
    entry: dict[str, Any] = {"path": draw(st.one_of(filter_paths, json_values))}
    extra = draw(
        st.dictionaries(
            st.sampled_from(["pattern", "file_name", "model", "min_length"]),
            st.one_of(json_values, st.sampled_from(["../outside", "/etc/passwd", "a\0b", ""])),
        )
    )
    entry.update(extra)
    return draw(st.one_of(st.just(entry), json_values))


@st.composite
def result_entries(draw: st.DrawFn) -> Any:
    entry = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "type": st.one_of(st.sampled_from(["Secret Keyword"]), json_values),
                "hashed_secret": st.one_of(st.just("a" * 40), json_values),
                "line_number": json_values,
                "is_secret": json_values,
                "is_verified": json_values,
                "filename": json_values,
            },
        )
    )
    return draw(st.one_of(st.just(entry), json_values))


@st.composite
def baseline_documents(draw: st.DrawFn) -> Any:
    document = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "version": versions,
                "plugins_used": st.one_of(st.lists(plugin_entries(), max_size=3), json_values),
                "filters_used": st.one_of(st.lists(filter_entries(), max_size=3), json_values),
                "results": st.one_of(
                    st.dictionaries(
                        st.text(max_size=8),
                        st.one_of(st.lists(result_entries(), max_size=3), json_values),
                        max_size=3,
                    ),
                    json_values,
                ),
                "custom_plugin_paths": json_values,
                "exclude": json_values,
                "word_list": json_values,
                "generated_at": json_values,
            },
        )
    )
    return draw(st.one_of(st.just(document), json_values))


@pytest.fixture(scope="module")
def scratch() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield folder


def load_or_fatal(folder: str, data: bytes) -> None:
    path = os.path.join(folder, ".secrets.baseline")
    with open(path, "wb") as handle:
        handle.write(data)
    try:
        baseline = load_baseline(path, repository_root=folder)
    except FatalError as error:
        assert str(error)
        return
    assert isinstance(baseline, Baseline)


@FUZZ_SETTINGS
@given(st.text(max_size=200))
def test_parse_json_arbitrary_text(text: str) -> None:
    try:
        parsed = parse_json("fuzz.baseline", text)
    except FatalError:
        return
    assert isinstance(parsed, dict)


@FUZZ_SETTINGS
@given(data=st.binary(max_size=300))
def test_load_arbitrary_bytes(scratch: str, data: bytes) -> None:
    load_or_fatal(scratch, data)


@FUZZ_SETTINGS
@given(document=json_values)
def test_load_arbitrary_json(scratch: str, document: Any) -> None:
    load_or_fatal(scratch, json.dumps(document).encode())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=baseline_documents())
def test_load_baseline_shaped_json(scratch: str, document: Any) -> None:
    load_or_fatal(scratch, json.dumps(document).encode())


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 100_000, id="deep-nesting"),
        pytest.param('{"version": ' + "9" * 5_000 + "}", id="huge-integer"),
        pytest.param('{"version": "1.5.0", "results": {"a": [' * 3_000, id="deep-results"),
    ],
)
def test_load_pathological_json(scratch: str, text: str) -> None:
    load_or_fatal(scratch, text.encode())
