"""Differential tests: the hook's findings equal detect-secrets' whole-file scan of the
staged file, restricted to the lines the change adds.

Two departures from that rule are deliberate and handled here explicitly:
- a change inside a private key block whose BEGIN line is unchanged reports the
  block's Private Key finding at the BEGIN line (expected findings are added
  by `_key_block_findings`);
- blobs that are not UTF-8 are decoded and scanned, where detect-secrets skips
  them. The generated files here are all UTF-8, and test_file_types.py covers
  the other encodings.
"""

from __future__ import annotations

import bisect
import difflib
import io
import json
import random
import re
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from staged_secrets.hooks import detectors, engine
from staged_secrets.hooks.changes import EXCLUDED_REASON

from tests.conftest import Repo, assert_no_secret
from tests.hooks import oracle
from tests.hooks.generator import GeneratedFile, generate_file, join_lines

KEY_BEGIN = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
KEY_END = re.compile(r"-----END [A-Z ]*PRIVATE KEY-----")
PRIVATE_KEY = "Private Key"
KEY_HEADER = "-----BEGIN RSA " + "PRIVATE KEY-----"

ENGINE_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def universal_lines(text: str) -> list[str]:
    """Split TEXT the way open() reads it: LF, CR and CRLF end a line."""
    return [line.rstrip("\n") for line in io.StringIO(text, newline=None).readlines()]


def added_by_difflib(old: list[str], new: list[str]) -> set[int]:
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    added: set[int] = set()
    for tag, _, _, start, end in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            added.update(range(start + 1, end + 1))
    return added


def _key_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Return (BEGIN line, last line) of each multi-line private key block."""
    blocks = []
    begin: int | None = None
    for number, line in enumerate(lines, start=1):
        header = KEY_BEGIN.search(line)
        if header is not None:
            begin = None if KEY_END.search(line, header.end()) else number
        elif begin is not None and KEY_END.search(line):
            blocks.append((begin, number))
            begin = None
    if begin is not None:
        blocks.append((begin, len(lines)))
    return blocks


def _name_is_scanned(folder: Path, filename: str) -> bool:
    """Return whether detect-secrets scans a file named FILENAME (lock files, images are not)."""
    probe = (KEY_HEADER + "\n").encode()
    return bool(oracle.scan_file(folder / "probe", filename, probe))


def _key_block_findings(
    folder: Path,
    filename: str,
    lines: list[str],
    added: set[int],
    expected: set[oracle.Detection],
) -> set[oracle.Detection]:
    """Return the Private Key findings the BEGIN-line departure adds to EXPECTED.

    What detect-secrets finds on a BEGIN line by itself comes from scanning a
    file that keeps only that line and the one above it (the context of a
    'nextline' pragma). A key header above is left out: it cannot be a pragma,
    and it would take the finding. The file is named `.py`: no transformer
    rewrites such a file without a section header, and no eager pass reads
    it. Pragma comments are matched alike in every file type but YAML, where
    the generator writes only '#' comments.
    """
    known = {(item.type, item.hashed_secret) for item in expected}
    extra: set[oracle.Detection] = set()
    for begin, end in _key_blocks(lines):
        if begin in added or not added.intersection(range(begin + 1, end + 1)):
            continue
        if not _name_is_scanned(folder, filename):
            break
        variant = [""] * (begin - 1) + [lines[begin - 1]]
        if begin > 1 and not KEY_BEGIN.search(lines[begin - 2]):
            variant[begin - 2] = lines[begin - 2]
        content = "".join(f"{line}\n" for line in variant).encode()
        for item in sorted(oracle.scan_file(folder, "departure.py", content)):
            identity = (item.type, item.hashed_secret)
            if item.line_number == begin and item.type == PRIVATE_KEY and identity not in known:
                known.add(identity)
                extra.add(item)
    return extra


def expected_findings(
    folder: Path, filename: str, content: bytes, added: set[int]
) -> set[oracle.Detection]:
    """Return detect-secrets' findings on ADDED lines, plus the BEGIN-line departure."""
    detections = oracle.scan_file(folder, filename, content)
    expected = oracle.restricted(detections, added)
    lines = universal_lines(content.decode("utf-8"))
    return expected | _key_block_findings(folder, filename, lines, added, expected)


def _engine_findings(filename: str, text: str, added: set[int] | None) -> set[oracle.Detection]:
    return {
        oracle.Detection(item.line_number, item.type, item.hashed_secret)
        for item in engine.scan_text(filename, text, added)
    }


def _describe(generated: GeneratedFile, added: set[int]) -> str:
    # Shown only when an assertion fails; the values are generated fakes.
    return f"{generated.filename} added={sorted(added)}\n" + "\n".join(generated.new_lines)


def check_engine_case(rng: random.Random, root: Path) -> None:
    generated = generate_file(rng)
    old_text = join_lines(rng, generated.old_lines, lone_cr=True)
    new_text = join_lines(rng, generated.new_lines, lone_cr=True)
    if rng.random() < 0.05:
        new_text = "\ufeff" + new_text
    added = added_by_difflib(universal_lines(old_text), universal_lines(new_text))
    folder = Path(tempfile.mkdtemp(dir=root))

    detectors.configure(detectors.default_settings_json())
    found = _engine_findings(generated.filename, new_text, added)
    whole_file = _engine_findings(generated.filename, new_text, None)

    content = new_text.encode("utf-8")
    expected = expected_findings(folder, generated.filename, content, added)
    detections = oracle.scan_file(folder, generated.filename, content)
    assert found == expected, _describe(generated, added)
    assert whole_file == detections, _describe(generated, added)


@pytest.fixture(scope="module")
def oracle_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("oracle")


@ENGINE_SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_engine_matches_detect_secrets(oracle_root: Path, rng: random.Random) -> None:
    check_engine_case(rng, oracle_root)


@pytest.mark.slow
@settings(ENGINE_SETTINGS, max_examples=5000)
@given(rng=st.randoms(use_true_random=False))
def test_engine_matches_detect_secrets_long(oracle_root: Path, rng: random.Random) -> None:
    check_engine_case(rng, oracle_root)


# Through real repositories and `staged-secrets scan --format json`.

HUNK_NEW_SIDE = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def git_added_lines(repo: Repo, path: str) -> set[int]:
    """Return the added lines of PATH from the hunk headers of `git diff --cached -U0`."""
    patch = repo.git("diff", "--cached", "-U0", "--no-color", "--no-ext-diff", "--", path)
    added: set[int] = set()
    for match in HUNK_NEW_SIDE.finditer(patch):
        start = int(match.group(1))
        count = int(match.group(2)) if match.group(2) is not None else 1
        added.update(range(start, start + count))
    return added


def universal_added_lines(text: str, git_lines: set[int]) -> set[int]:
    """Translate git's added lines (counted at LF) into lines as open() reads them.

    A line as open() reads it is added when it starts inside an added git line.
    """
    git_starts = [0] + [match.end() for match in re.finditer("\n", text)]
    starts = [0] + [match.end() for match in re.finditer("\r\n|\r|\n", text)]
    count = len(universal_lines(text))
    return {
        number
        for number, offset in enumerate(starts[:count], start=1)
        if bisect.bisect_right(git_starts, offset) in git_lines
    }


class _StagedFile(NamedTuple):
    generated: GeneratedFile
    old_text: str | None
    new_text: str | None


def _draw_files(rng: random.Random) -> dict[str, _StagedFile]:
    """Draw one file of each kind; some are new in the staged change, some deleted."""
    files: dict[str, _StagedFile] = {}
    for kind in ("python", "javascript", "yaml", "ini", "env", "json", "markdown"):
        generated = generate_file(rng, kind)
        if generated.filename in files:
            continue
        old_text = join_lines(rng, generated.old_lines, lone_cr=True)
        new_text = join_lines(rng, generated.new_lines, lone_cr=True)
        if rng.random() < 0.1:
            new_text = "\ufeff" + new_text
        roll = rng.random()
        if roll < 0.15:
            files[generated.filename] = _StagedFile(generated, None, new_text)
        elif roll < 0.22:
            files[generated.filename] = _StagedFile(generated, old_text, None)
        else:
            files[generated.filename] = _StagedFile(generated, old_text, new_text)
    return files


def _repository_case(seed: int, repo: Repo, cli: Any, folder: Path) -> None:
    files = _draw_files(random.Random(seed))
    repo.commit_files({"README.txt": "generated files\n"}, "start")
    for path, staged_file in files.items():
        if staged_file.old_text is not None:
            repo.write(path, staged_file.old_text)
    repo.git("add", "-A")
    repo.commit(f"base {seed}")
    for path, staged_file in files.items():
        if staged_file.new_text is None:
            (repo.path / path).unlink()
        else:
            repo.write(path, staged_file.new_text)
    repo.git("add", "-A")

    expected: set[tuple[str, int, str, str]] = set()
    for path, staged_file in files.items():
        if staged_file.new_text is None:
            continue
        added = universal_added_lines(staged_file.new_text, git_added_lines(repo, path))
        content = staged_file.new_text.encode()
        for item in expected_findings(folder / path.replace("/", "_"), path, content, added):
            expected.add((path, item.line_number, item.type, item.hashed_secret))

    result = cli("scan", "--format", "json")
    document = json.loads(result.stdout)
    found = {
        (item["filename"], item["line_number"], item["type"], item["hashed_secret"])
        for item in document["results"]
    }
    assert found == expected, f"seed {seed}"
    assert result.exit_code == (1 if expected else 0), result.stderr
    # Only files that detect-secrets' own file name filters exclude (lock
    # files, for example) may be listed as skipped.
    skipped_reasons = {item["reason"] for item in document["skipped"]}
    assert skipped_reasons <= {EXCLUDED_REASON}
    planted = [
        value for item in files.values() for value in item.generated.values if len(value) >= 10
    ]
    assert_no_secret(result.output, *planted)


@pytest.mark.parametrize("seed", range(12))
def test_repository_scan_matches_detect_secrets(
    repo: Repo, cli: Any, tmp_path: Path, seed: int
) -> None:
    _repository_case(seed, repo, cli, tmp_path / "oracle")


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12, 212))
def test_repository_scan_matches_detect_secrets_long(
    repo: Repo, cli: Any, tmp_path: Path, seed: int
) -> None:
    _repository_case(seed, repo, cli, tmp_path / "oracle")
