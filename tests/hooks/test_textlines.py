"""TextLines reads the same lines as splitting the whole text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from staged_secrets.hooks import engine, textlines
from staged_secrets.hooks.textlines import TextLines

texts = st.text(alphabet=st.sampled_from(["a", "b", " ", "\n", "\x0c", "\u2028", "é"]))


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small blocks make lines cross block borders in short generated texts.
    monkeypatch.setattr(textlines, "BLOCK_SIZE", 4)


@settings(max_examples=300, deadline=None)
@given(text=texts, data=st.data())
def test_lines_equal_split_lines(text: str, data: st.DataObject) -> None:
    expected, _ = engine.plain_lines(text)
    lines = TextLines(text)

    assert len(lines) == len(expected)
    assert list(lines) == expected
    assert lines.to_list() == expected
    for index in range(len(expected)):
        assert lines[index] == expected[index]
        assert lines[index - len(expected)] == expected[index - len(expected)]
    start = data.draw(st.integers(min_value=-3, max_value=len(expected) + 3))
    stop = data.draw(st.integers(min_value=-3, max_value=len(expected) + 3))
    assert lines[start:stop] == expected[start:stop]


def test_index_out_of_range() -> None:
    lines = TextLines("one\ntwo\n")
    with pytest.raises(IndexError):
        lines[2]


@pytest.mark.parametrize("added", [{3}, {1, 2, 3}, None])
def test_scan_same_with_lazy_lines(added: set[int] | None) -> None:
    from staged_secrets.hooks import detectors

    from tests.conftest import fake_aws_key

    detectors.configure(detectors.default_settings_json())
    key = fake_aws_key()
    text = "".join(f"line_{number} = {number}\n" for number in range(5000))
    text += f"key = '{key}'\nother = 1\n"
    last = len(text.splitlines())
    chosen = None if added is None else {last - 1, *added}
    results = engine.scan_text("big.txt", text, chosen)
    assert [(item.line_number, item.type) for item in results] == [(last - 1, "AWS Access Key")]
