"""The audit screen's text: masking, revealing, hidden lines and long lines."""

from __future__ import annotations

import hashlib

import pytest
from staged_secrets.baseline.audit_view import Card, render
from staged_secrets.baseline.locate import Location, StagedFile, Status, split_lines
from staged_secrets.baseline.model import BaselineEntry
from staged_secrets.hooks import detectors, engine
from staged_secrets.hooks.engine import RawSecret

from tests.conftest import assert_no_secret, fake_aws_key, fake_password


def _text(card: Card, width: int = 120) -> str:
    return "".join(part for _, part in render(card, width))


def _card_for(path: str, content: str, secret_type: str) -> Card:
    """Scan CONTENT with the engine and build the card of its SECRET_TYPE finding."""
    detectors.configure(detectors.default_settings_json())
    secrets = engine.scan_text(path, content, None)
    staged = StagedFile(path, split_lines(content), secrets)
    (found,) = [secret for secret in secrets if secret.type == secret_type]
    entry = BaselineEntry(path, found.type, found.hashed_secret, found.line_number)
    location = Location(Status.PRESENT, found.line_number, found.secret, staged)
    return Card(1, 1, entry, location)


def test_masks_every_secret_in_context() -> None:
    key, password = fake_aws_key(), fake_password()
    card = _card_for("app.py", f'KEY = "{key}"\npassword = "{password}"\n', "AWS Access Key")

    text = _text(card)

    assert_no_secret(text, key, password)
    assert f'> 1 | KEY = "{key[:4]}********"' in text
    assert f'  2 | password = "{password[:4]}********"' in text


def test_reveal_shows_only_current_secret() -> None:
    key, password = fake_aws_key(), fake_password()
    card = _card_for("app.py", f'KEY = "{key}"\npassword = "{password}"\n', "AWS Access Key")
    card.revealed = True

    text = _text(card)

    assert f'> 1 | KEY = "{key}"' in text
    assert f"Secret: {key}" in text
    assert_no_secret(text, password)


def test_hides_line_without_literal_secret() -> None:
    secret = fake_password()
    lines = ["a = 1", f'password = "{secret[:6]}" "{secret[6:]}"', "b = 2"]
    hashed = hashlib.sha1(secret.encode()).hexdigest()
    staged = StagedFile("app.py", lines, [RawSecret(2, "Secret Keyword", hashed, secret)])
    entry = BaselineEntry("app.py", "Secret Keyword", hashed, 2)
    card = Card(1, 1, entry, Location(Status.PRESENT, 2, secret, staged))

    text = _text(card)

    assert "> 2 | (line hidden: it contains a secret)" in text
    assert_no_secret(text, secret, secret[6:])
    assert "  1 | a = 1" in text


def test_long_line_keeps_masked_secret_in_view() -> None:
    key = fake_aws_key()
    padding = "x" * 300
    card = _card_for("app.py", f'VALUE = "{padding}"; KEY = "{key}"\n', "AWS Access Key")

    text = _text(card, width=80)

    assert_no_secret(text, key)
    context_line = next(line for line in text.splitlines() if line.startswith("> 1 | "))
    assert f"{key[:4]}********" in context_line
    assert "…" in context_line
    assert len(context_line) <= 80


@pytest.mark.parametrize(
    ("status", "offered", "absent"),
    [
        pytest.param(Status.FILE_MISSING, ("d remove entry", "s skip"), "r real", id="file"),
        pytest.param(Status.SECRET_MISSING, ("r real", "d remove entry"), "v reveal", id="secret"),
        pytest.param(Status.NOT_TEXT, ("f false positive", "d remove entry"), "v reveal", id="bin"),
    ],
)
def test_gone_entries_offer_removal(status: Status, offered: tuple[str, ...], absent: str) -> None:
    entry = BaselineEntry("old.py", "AWS Access Key", "0" * 40, 3)

    text = _text(Card(2, 5, entry, Location(status)))

    assert "Entry 2 of 5" in text
    assert "old.py:3" in text
    for key in offered:
        assert key in text
    assert absent not in text
