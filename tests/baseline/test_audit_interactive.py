"""The interactive audit, driven through a pseudo-terminal on a real repository."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.baseline.audit_fixtures import (
    AuditRepo,
    baseline_entries,
    identity,
    labels,
    labels_read_by_detect_secrets,
    make_audit_repo,
    set_labels,
    settings_text,
)
from tests.conftest import Repo, assert_no_secret

# How long to wait for the audit to draw something before the test fails.
SCREEN_TIMEOUT = 30

CURSOR_FORWARD = re.compile(r"\x1b\[(\d*)C")
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]|[\x07\x08\r]")
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def visible(raw: str) -> str:
    """Return the text a terminal would show, with escape sequences removed."""
    spaced = CURSOR_FORWARD.sub(lambda match: " " * int(match.group(1) or 1), raw)
    return ESCAPE.sub("", spaced)


def uses_colour(raw: str) -> bool:
    """Return whether RAW sets a foreground or background colour."""
    for match in SGR.finditer(raw):
        for parameter in match.group(1).split(";"):
            if parameter.isdigit() and (30 <= int(parameter) <= 49 or 90 <= int(parameter) <= 107):
                return True
    return False


class Terminal:
    """`staged-secrets audit` running in a pseudo-terminal."""

    def __init__(self, cwd: Path, *arguments: str, environment: dict[str, str] | None = None):
        env = {
            **os.environ,
            "TERM": "xterm",
            # pexpect does not answer prompt_toolkit's cursor position requests.
            "PROMPT_TOOLKIT_NO_CPR": "1",
            **(environment or {}),
        }
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "staged_secrets.hooks.cli", "audit", *arguments],
            cwd=str(cwd),
            env=env,
            dimensions=(50, 160),
            encoding="utf-8",
            codec_errors="replace",
            timeout=SCREEN_TIMEOUT,
        )
        self.raw = ""
        self._mark = 0

    def wait_for(self, *texts: str) -> str:
        """Read until every one of TEXTS has appeared, in order, since the last wait.

        Returns the visible text of what was read; the next wait starts after it.
        """
        deadline = time.monotonic() + SCREEN_TIMEOUT
        while not self._appeared(texts):
            if time.monotonic() > deadline:
                raise AssertionError(f"{texts!r} did not appear in:\n{self.since_mark()}")
            try:
                self.raw += self.child.read_nonblocking(65536, timeout=0.2)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                if not self._appeared(texts):
                    message = f"{texts!r} missing at exit:\n{self.since_mark()}"
                    raise AssertionError(message) from None
        text = self.since_mark()
        self._mark = len(self.raw)
        return text

    def since_mark(self) -> str:
        return visible(self.raw[self._mark :])

    def _appeared(self, texts: tuple[str, ...]) -> bool:
        position = 0
        text = self.since_mark()
        for expected in texts:
            position = text.find(expected, position)
            if position < 0:
                return False
            position += len(expected)
        return True

    def card(
        self, position: int, total: int, entry: dict[str, Any], line: int | None = None
    ) -> str:
        """Wait for the screen of ENTRY and return its text."""
        where = f"{entry['filename']}:{line or entry['line_number']}"
        return self.wait_for(f"Entry {position} of {total}", where, entry["type"], "? help")

    def press(self, key: str) -> None:
        self.child.send(key)

    def finish(self) -> int:
        """Wait for the process to exit and return its exit status."""
        self.child.expect(pexpect.EOF)
        self.raw += self.child.before or ""
        self.child.close()
        status = self.child.exitstatus
        assert status is not None
        return status


@pytest.fixture
def planted(repo: Repo) -> AuditRepo:
    return make_audit_repo(repo)


def _key(entry: dict[str, Any]) -> tuple[str, str, str]:
    return identity(entry)


def _assert_valid_baseline(planted: AuditRepo) -> None:
    json.loads(planted.baseline.read_text(encoding="utf-8"))
    leftovers = [path.name for path in planted.repo.path.iterdir() if path.suffix == ".tmp"]
    assert leftovers == []


def test_label_quit_and_resume(planted: AuditRepo) -> None:
    entries = baseline_entries(planted.baseline)
    total = len(entries)

    first = Terminal(planted.repo.path)
    first.card(1, total, entries[0])
    first.press("r")
    first.card(2, total, entries[1])
    assert labels(planted.baseline)[_key(entries[0])] is True
    first.press("f")
    first.card(3, total, entries[2])
    assert labels(planted.baseline)[_key(entries[1])] is False
    first.press("q")
    assert first.finish() == 0
    assert "resume" in visible(first.raw)
    assert_no_secret(first.raw, *planted.secrets)
    assert_no_secret(visible(first.raw), *planted.secrets)

    after_first = labels(planted.baseline)
    assert after_first[_key(entries[0])] is True
    assert after_first[_key(entries[1])] is False
    assert all(after_first[_key(entry)] is None for entry in entries[2:])
    assert labels_read_by_detect_secrets(planted.baseline) == after_first
    _assert_valid_baseline(planted)

    second = Terminal(planted.repo.path)
    second.card(1, total - 2, entries[2])
    second.press("f")
    second.card(2, total - 2, entries[3])
    second.press("s")
    assert second.finish() == 0
    assert_no_secret(second.raw, *planted.secrets)
    assert_no_secret(visible(second.raw), *planted.secrets)

    after_second = labels(planted.baseline)
    assert after_second[_key(entries[2])] is False
    assert after_second[_key(entries[3])] is None
    assert after_second[_key(entries[0])] is True

    third = Terminal(planted.repo.path)
    third.card(1, 1, entries[3])
    third.press("q")
    assert third.finish() == 0
    assert_no_secret(third.raw, *planted.secrets)


def test_resume_after_skips(planted: AuditRepo) -> None:
    entries = baseline_entries(planted.baseline)
    total = len(entries)

    first = Terminal(planted.repo.path)
    first.card(1, total, entries[0])
    first.press("s")
    first.card(2, total, entries[1])
    first.press("r")
    first.card(3, total, entries[2])
    first.press("q")
    assert first.finish() == 0
    assert_no_secret(first.raw, *planted.secrets)

    # The skipped first entry comes after the ones not yet shown.
    second = Terminal(planted.repo.path)
    second.card(1, total - 1, entries[2])
    second.press("s")
    second.card(2, total - 1, entries[3])
    second.press("s")
    second.card(3, total - 1, entries[0])
    second.press("f")
    assert second.finish() == 0
    assert_no_secret(second.raw, *planted.secrets)

    final = labels(planted.baseline)
    assert final[_key(entries[0])] is False
    assert final[_key(entries[1])] is True
    assert final[_key(entries[2])] is None
    assert final[_key(entries[3])] is None


def test_back_changes_an_answer(planted: AuditRepo) -> None:
    entries = baseline_entries(planted.baseline)
    total = len(entries)

    terminal = Terminal(planted.repo.path)
    text = terminal.card(1, total, entries[0])
    assert "label: unaudited" in text
    terminal.press("b")
    assert "This is the first entry." in terminal.card(1, total, entries[0])
    terminal.press("r")
    terminal.card(2, total, entries[1])
    terminal.press("b")
    revisited = terminal.card(1, total, entries[0])
    assert "label: real" in revisited
    # Caps Lock on: upper-case keys answer as well.
    terminal.press("F")
    terminal.card(2, total, entries[1])
    terminal.press("q")
    assert terminal.finish() == 0
    assert_no_secret(terminal.raw, *planted.secrets)

    assert labels(planted.baseline)[_key(entries[0])] is False
    assert labels(planted.baseline)[_key(entries[1])] is None


def test_reveal_only_after_key(planted: AuditRepo) -> None:
    entries = baseline_entries(planted.baseline)
    aws_index = next(i for i, e in enumerate(entries) if e["type"] == "AWS Access Key")
    aws_entry = entries[aws_index]
    assert aws_entry["filename"] == "app/settings.py"
    others = [secret for secret in planted.secrets if secret != planted.aws_key]

    terminal = Terminal(planted.repo.path)
    for position in range(aws_index):
        terminal.card(position + 1, len(entries), entries[position])
        terminal.press("s")
    masked_view = terminal.card(aws_index + 1, len(entries), aws_entry)
    assert planted.aws_key[:4] + "********" in masked_view
    # Another secret of the same file sits in the context, masked as well.
    assert planted.password[:4] + "********" in masked_view
    assert_no_secret(terminal.raw, *planted.secrets)

    before_reveal = len(terminal.raw)
    terminal.press("v")
    revealed = terminal.wait_for("press v to hide it", "? help")
    after_reveal = len(terminal.raw)
    assert planted.aws_key in revealed
    assert_no_secret(revealed, *others)

    terminal.press("v")
    terminal.wait_for("press v to reveal it", "? help")
    terminal.press("q")
    assert terminal.finish() == 0

    assert_no_secret(visible(terminal.raw[:before_reveal]), *planted.secrets)
    assert planted.aws_key in visible(terminal.raw[before_reveal:after_reveal])
    assert_no_secret(terminal.raw[after_reveal:], *planted.secrets)
    assert_no_secret(visible(terminal.raw[after_reveal:]), *planted.secrets)
    assert_no_secret(visible(terminal.raw), *others)


def test_masked_view_hides_partial_detections(planted: AuditRepo) -> None:
    # detect-secrets reports only the "ghp" prefix of a GitHub token; the
    # screen must still mask the whole token.
    entries = baseline_entries(planted.baseline)
    index = next(i for i, e in enumerate(entries) if e["type"] == "GitHub Token")

    terminal = Terminal(planted.repo.path)
    for position in range(index):
        terminal.card(position + 1, len(entries), entries[position])
        terminal.press("s")
    masked_view = terminal.card(index + 1, len(entries), entries[index])
    assert planted.token[:4] + "********" in masked_view
    assert_no_secret(terminal.raw, *planted.secrets)
    assert_no_secret(visible(terminal.raw), *planted.secrets)
    assert_no_secret(visible(terminal.raw), planted.token[4:])

    terminal.press("v")
    revealed = terminal.wait_for("press v to hide it", "? help")
    assert planted.token in revealed
    terminal.press("q")
    assert terminal.finish() == 0


def test_moved_line_found_in_index(planted: AuditRepo) -> None:
    repo = planted.repo
    entries = baseline_entries(planted.baseline)
    repo.write("app/settings.py", settings_text(planted.aws_key, planted.password, "# a\n# b\n"))
    repo.stage("app/settings.py")
    # The working tree no longer has the file: the audit must read the index.
    (repo.path / "app" / "settings.py").unlink()
    first, second = entries[0], entries[1]
    assert first["filename"] == second["filename"] == "app/settings.py"

    terminal = Terminal(repo.path)
    text = terminal.card(1, len(entries), first, line=first["line_number"] + 2)
    assert f"moved from line {first['line_number']}" in text
    terminal.press("f")
    terminal.card(2, len(entries), second, line=second["line_number"] + 2)
    terminal.press("s")
    terminal.card(3, len(entries), entries[2])
    terminal.press("q")
    assert terminal.finish() == 0
    assert_no_secret(terminal.raw, *planted.secrets)
    assert_no_secret(visible(terminal.raw), *planted.secrets)

    stored = {identity(entry): entry for entry in baseline_entries(planted.baseline)}
    assert stored[identity(first)]["line_number"] == first["line_number"] + 2
    assert stored[identity(first)]["is_secret"] is False
    # A skip keeps the entry unlabelled but still records where it is now.
    assert stored[identity(second)]["line_number"] == second["line_number"] + 2
    assert "is_secret" not in stored[identity(second)]
    assert len(stored) == len(entries)


def test_deleted_file_skip_then_remove(planted: AuditRepo) -> None:
    repo = planted.repo
    repo.git("rm", "-q", "old/legacy.py")
    entries = baseline_entries(planted.baseline)
    index = next(i for i, e in enumerate(entries) if e["filename"] == "old/legacy.py")
    deleted_entry = entries[index]

    first = Terminal(repo.path)
    for position in range(index):
        first.card(position + 1, len(entries), entries[position])
        first.press("s")
    text = first.card(index + 1, len(entries), deleted_entry)
    assert "old/legacy.py is not in the index" in text
    assert "d remove entry" in text
    assert "r real secret" not in text
    first.press("r")
    first.wait_for("Press one of the keys above")
    first.press("s")
    assert first.finish() == 0
    assert_no_secret(first.raw, *planted.secrets)
    assert_no_secret(visible(first.raw), *planted.secrets)
    assert identity(deleted_entry) in labels(planted.baseline)
    assert labels(planted.baseline)[identity(deleted_entry)] is None

    second = Terminal(repo.path)
    for position in range(index):
        second.card(position + 1, len(entries), entries[position])
        second.press("s")
    second.card(index + 1, len(entries), deleted_entry)
    second.press("d")
    assert second.finish() == 0
    assert "entry removed from the baseline" in visible(second.raw)
    assert_no_secret(second.raw, *planted.secrets)

    remaining = labels(planted.baseline)
    assert identity(deleted_entry) not in remaining
    assert sorted(remaining) == sorted(identity(e) for e in entries if e is not deleted_entry)
    _assert_valid_baseline(planted)


def test_ctrl_c_loses_nothing(planted: AuditRepo) -> None:
    entries = baseline_entries(planted.baseline)
    total = len(entries)

    terminal = Terminal(planted.repo.path)
    terminal.card(1, total, entries[0])
    terminal.press("r")
    terminal.card(2, total, entries[1])
    terminal.press("\x03")
    assert terminal.finish() == 2
    text = visible(terminal.raw)
    assert "Interrupted." in text
    assert "Every answer is saved" in text
    assert_no_secret(terminal.raw, *planted.secrets)
    assert_no_secret(text, *planted.secrets)

    assert labels(planted.baseline)[_key(entries[0])] is True
    assert all(labels(planted.baseline)[_key(e)] is None for e in entries[1:])
    _assert_valid_baseline(planted)

    resumed = Terminal(planted.repo.path)
    resumed.card(1, total - 1, entries[1])
    resumed.press("q")
    assert resumed.finish() == 0
    assert_no_secret(resumed.raw, *planted.secrets)


def test_closed_terminal_loses_nothing(planted: AuditRepo) -> None:
    entries = baseline_entries(planted.baseline)
    total = len(entries)

    terminal = Terminal(planted.repo.path)
    terminal.card(1, total, entries[0])
    terminal.press("f")
    terminal.card(2, total, entries[1])
    terminal.press("r")
    terminal.card(3, total, entries[2])
    terminal.child.close(force=True)
    assert not terminal.child.isalive()
    assert_no_secret(terminal.raw, *planted.secrets)

    assert labels(planted.baseline)[_key(entries[0])] is False
    assert labels(planted.baseline)[_key(entries[1])] is True
    assert all(labels(planted.baseline)[_key(e)] is None for e in entries[2:])
    _assert_valid_baseline(planted)

    resumed = Terminal(planted.repo.path)
    resumed.card(1, total - 2, entries[2])
    resumed.press("q")
    assert resumed.finish() == 0
    assert_no_secret(resumed.raw, *planted.secrets)


def test_all_walks_labelled_entries(planted: AuditRepo) -> None:
    entries = baseline_entries(planted.baseline)
    set_labels(planted.baseline, {identity(entry): True for entry in entries})

    plain = Terminal(planted.repo.path)
    assert plain.finish() == 0
    assert "is labelled" in visible(plain.raw)
    assert_no_secret(plain.raw, *planted.secrets)

    walk = Terminal(planted.repo.path, "--all")
    assert "label: real" in walk.card(1, len(entries), entries[0])
    walk.press("f")
    walk.card(2, len(entries), entries[1])
    walk.press("q")
    assert walk.finish() == 0
    assert_no_secret(walk.raw, *planted.secrets)
    assert labels(planted.baseline)[_key(entries[0])] is False
    assert labels(planted.baseline)[_key(entries[1])] is True


def test_keeps_changes_made_by_others(planted: AuditRepo) -> None:
    entries = baseline_entries(planted.baseline)

    terminal = Terminal(planted.repo.path)
    terminal.card(1, len(entries), entries[0])
    # Another command labels the last entry while the audit is open.
    set_labels(planted.baseline, {identity(entries[-1]): True})
    terminal.press("f")
    terminal.card(2, len(entries), entries[1])
    terminal.press("q")
    assert terminal.finish() == 0
    assert_no_secret(terminal.raw, *planted.secrets)

    assert labels(planted.baseline)[_key(entries[0])] is False
    assert labels(planted.baseline)[_key(entries[-1])] is True


@pytest.mark.parametrize(
    ("arguments", "environment", "coloured"),
    [
        pytest.param(("--color", "always"), {}, True, id="always"),
        pytest.param(("--color", "never"), {}, False, id="never"),
        pytest.param((), {}, True, id="auto"),
        pytest.param((), {"NO_COLOR": "1"}, False, id="auto-no-color"),
        pytest.param(("--color", "always"), {"NO_COLOR": "1"}, True, id="always-beats-no-color"),
    ],
)
def test_colour_choice(
    planted: AuditRepo, arguments: tuple[str, ...], environment: dict[str, str], coloured: bool
) -> None:
    entries = baseline_entries(planted.baseline)

    terminal = Terminal(planted.repo.path, *arguments, environment=environment)
    terminal.card(1, len(entries), entries[0])
    terminal.press("q")
    assert terminal.finish() == 0
    assert_no_secret(terminal.raw, *planted.secrets)

    assert uses_colour(terminal.raw) is coloured


def test_no_terminal_exits_2(planted: AuditRepo) -> None:
    before = planted.baseline.read_bytes()

    completed = subprocess.run(
        [sys.executable, "-m", "staged_secrets.hooks.cli", "audit"],
        cwd=planted.repo.path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )

    assert_no_secret(completed.stdout + completed.stderr, *planted.secrets)
    assert completed.returncode == 2
    assert "standard input is not one" in completed.stderr
    assert "staged-secrets audit --report" in completed.stderr
    assert planted.baseline.read_bytes() == before


def test_output_not_a_terminal_exits_2(planted: AuditRepo) -> None:
    controller, terminal = os.openpty()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "staged_secrets.hooks.cli", "audit"],
            cwd=planted.repo.path,
            stdin=terminal,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.close(controller)
        os.close(terminal)

    assert_no_secret(completed.stdout + completed.stderr, *planted.secrets)
    assert completed.returncode == 2
    assert "standard output is not one" in completed.stderr
    assert "--report" in completed.stderr


def test_remove_then_back_skips_removed(planted: AuditRepo) -> None:
    repo = planted.repo
    repo.git("rm", "-q", "deploy/token.py")
    entries = baseline_entries(planted.baseline)
    index = next(i for i, e in enumerate(entries) if e["filename"] == "deploy/token.py")
    assert 0 < index < len(entries) - 1

    terminal = Terminal(repo.path)
    for position in range(index):
        terminal.card(position + 1, len(entries), entries[position])
        terminal.press("s")
    terminal.card(index + 1, len(entries), entries[index])
    terminal.press("d")
    # The walk is one entry shorter, and the next entry takes the removed one's place.
    terminal.card(index + 1, len(entries) - 1, entries[index + 1])
    terminal.press("b")
    terminal.card(index, len(entries) - 1, entries[index - 1])
    terminal.press("q")
    assert terminal.finish() == 0
    assert_no_secret(terminal.raw, *planted.secrets)
    assert_no_secret(visible(terminal.raw), *planted.secrets)

    assert identity(entries[index]) not in labels(planted.baseline)
    assert len(labels(planted.baseline)) == len(entries) - 1
