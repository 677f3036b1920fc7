"""Range scans of generated histories: hundreds of commits, merges and awkward paths.

Histories are written with `git fast-import`, so building hundreds of commits
takes well under a second. Each test checks the range scan two ways: against
the findings the generator planted (the secrets it added, with detect-secrets'
own hash), and against a slow reference that diffs every commit with its own
`git diff-tree` process.
"""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pytest
from detect_secrets.core.potential_secret import PotentialSecret
from staged_secrets.hooks import commit_range, detectors, diff, git
from staged_secrets.hooks.changes import Finding, ScanResult, scan_changes

from tests.conftest import Repo, assert_no_secret, fake_password

SECRET_TYPE = "Secret Keyword"


class Planted(NamedTuple):
    """A secret the generator added: where, in which commit, and its hash."""

    mark: int
    filename: str
    line_number: int
    hashed_secret: str


@dataclass
class Branch:
    """A branch being generated: its tip's mark and the content of each file."""

    mark: int | None = None
    files: dict[str, list[str]] = field(default_factory=dict)


class HistoryWriter:
    """Build a `git fast-import` stream and keep the secrets it plants."""

    def __init__(self) -> None:
        self.stream = bytearray()
        self.next_mark = 1
        self.planted: list[Planted] = []
        self.secrets: list[str] = []
        self.serial = 0

    def new_secret(self) -> str:
        self.serial += 1
        secret = fake_password(f"s{self.serial:05d}")
        self.secrets.append(secret)
        return secret

    def commit(
        self,
        branch: Branch,
        changes: dict[str, list[str] | None],
        merge_from: Branch | None = None,
        ref: str = "refs/heads/main",
    ) -> int:
        mark = self.next_mark
        self.next_mark += 1
        message = f"commit {mark}\n".encode()
        self.stream += f"commit {ref}\nmark :{mark}\n".encode()
        self.stream += f"committer T <t@example.invalid> {1700000000 + mark} +0000\n".encode()
        self.stream += b"data %d\n%s" % (len(message), message)
        if branch.mark is not None:
            self.stream += f"from :{branch.mark}\n".encode()
        if merge_from is not None and merge_from.mark is not None:
            self.stream += f"merge :{merge_from.mark}\n".encode()
        for path, lines in changes.items():
            quoted = _quote(path)
            if lines is None:
                self.stream += b"D " + quoted + b"\n"
                branch.files.pop(path, None)
                continue
            content = "".join(line + "\n" for line in lines).encode()
            self.stream += b"M 100644 inline " + quoted + b"\n"
            self.stream += b"data %d\n%s\n" % (len(content), content)
            branch.files[path] = list(lines)
        branch.mark = mark
        return mark

    def plant(self, branch: Branch, path: str, position: int) -> list[str]:
        """Return PATH's lines with a new secret inserted at POSITION (0-based)."""
        secret = self.new_secret()
        lines = list(branch.files.get(path, []))
        position = min(position, len(lines))
        lines.insert(position, f'password = "{secret}"')
        hashed = PotentialSecret.hash_secret(secret)
        self.planted.append(Planted(self.next_mark, path, position + 1, hashed))
        return lines

    def run(self, repo: Repo) -> dict[int, str]:
        """Feed the stream to git fast-import and return each mark's commit."""
        marks_file = repo.path / ".git" / "generated-marks"
        subprocess.run(
            ["git", "fast-import", "--quiet", f"--export-marks={marks_file}"],
            cwd=repo.path,
            input=bytes(self.stream),
            check=True,
            capture_output=True,
        )
        marks = {}
        for line in marks_file.read_text().splitlines():
            mark, commit = line.split()
            marks[int(mark[1:])] = commit
        return marks


def _quote(path: str) -> bytes:
    raw = path.encode("utf-8", "surrogateescape")
    if b"\n" not in raw and not raw.startswith(b'"'):
        return raw
    escaped = raw.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\n")
    return b'"' + escaped + b'"'


def generate_linear_with_merges(writer: HistoryWriter, commit_count: int, seed: int) -> None:
    """Write COMMIT_COUNT commits on main with side branches merged back in.

    Secrets are planted, removed again and moved; side branches change
    their own files, and some merges add a line of their own (an evil
    merge) that contains a secret.
    """
    random_source = random.Random(seed)
    main = Branch()
    writer.commit(main, {"README.md": ["generated history"]})
    names = [f"src/module_{index}.py" for index in range(8)]

    while writer.next_mark <= commit_count:
        if writer.next_mark % 37 == 0:
            _write_side_branch(writer, main, random_source)
            continue
        path = random_source.choice(names)
        lines = list(main.files.get(path, []))
        action = random_source.random()
        if action < 0.25:
            lines = writer.plant(main, path, random_source.randint(0, len(lines)))
        elif action < 0.45 and any("password" in line for line in lines):
            lines = [line for line in lines if "password" not in line]
        else:
            lines.insert(random_source.randint(0, len(lines)), f"value_{writer.next_mark} = 1")
        writer.commit(main, {path: lines})


def _write_side_branch(writer: HistoryWriter, main: Branch, random_source: random.Random) -> None:
    side = Branch(main.mark, {path: list(lines) for path, lines in main.files.items()})
    side_path = f"side/feature_{writer.next_mark}.py"
    writer.commit(side, {side_path: ["enabled = True"]}, ref="refs/heads/side")
    writer.commit(side, {side_path: writer.plant(side, side_path, 1)}, ref="refs/heads/side")
    # Both branches change the shared file at opposite ends, so the merged
    # version differs from each parent; the side's secret is not new there.
    shared = "src/shared.py"
    base_shared = main.files.get(shared, [])
    side_shared = writer.plant(side, shared, 0)
    writer.commit(side, {shared: side_shared}, ref="refs/heads/side")

    main_path = "src/main_only.py"
    main_lines = [*main.files.get(main_path, []), f"step_{writer.next_mark} = 1"]
    main_shared = [*base_shared, f"tail_{writer.next_mark} = 1"]
    writer.commit(main, {main_path: main_lines, shared: main_shared})

    merged: dict[str, list[str] | None] = {
        side_path: side.files[side_path],
        shared: [side_shared[0], *main_shared],
    }
    if random_source.random() < 0.5:
        merged[main_path] = writer.plant(main, main_path, len(main_lines))
    writer.commit(main, merged, merge_from=side)


def _scan_range(from_commit: str | None, to_commit: str) -> list[Finding]:
    request = commit_range.RangeRequest(from_commit, to_commit)
    return commit_range.scan_range(request, None).result.findings


def _scan_each_commit(records: Sequence[git.CommitParents]) -> ScanResult:
    """Scan every commit with its own diff-tree processes, as a slow reference."""
    result = ScanResult()
    for record in records:
        parents = record.parents or (git.empty_tree(),)
        per_parent = [diff.parse(git.diff_trees(parent, record.commit)) for parent in parents]
        changes = per_parent[0] if len(per_parent) == 1 else commit_range.merge_changes(per_parent)
        result.extend(scan_changes(changes, commit=record.commit))
    return result


def _keys(findings: Sequence[Finding]) -> list[tuple[str, str, int, str, str]]:
    return sorted(
        (
            finding.commit or "",
            finding.filename,
            finding.line_number,
            finding.type,
            finding.hashed_secret,
        )
        for finding in findings
    )


def _expected(writer: HistoryWriter, marks: dict[int, str]) -> list[tuple[str, str, int, str, str]]:
    return sorted(
        (marks[item.mark], item.filename, item.line_number, SECRET_TYPE, item.hashed_secret)
        for item in writer.planted
    )


def _check_history(repo: Repo, commit_count: int, seed: int) -> None:
    writer = HistoryWriter()
    generate_linear_with_merges(writer, commit_count, seed)
    marks = writer.run(repo)
    detectors.configure(detectors.default_settings_json())

    findings = _scan_range(None, "main")

    assert len(marks) >= commit_count
    assert _keys(findings) == _expected(writer, marks)


def test_history_of_hundreds_of_commits(repo: Repo) -> None:
    _check_history(repo, commit_count=400, seed=1)


def test_history_of_thousands_of_commits(repo: Repo) -> None:
    _check_history(repo, commit_count=3000, seed=2)


@pytest.mark.slow
def test_history_of_tens_of_thousands_of_commits(repo: Repo) -> None:
    _check_history(repo, commit_count=20000, seed=6)


def test_history_matches_per_commit_reference(repo: Repo) -> None:
    writer = HistoryWriter()
    generate_linear_with_merges(writer, 150, seed=3)
    writer.run(repo)
    detectors.configure(detectors.default_settings_json())
    records = git.commits_with_parents([git.resolve_commit("main") or ""])

    streamed = _scan_range(None, "main")
    reference = _scan_each_commit(records)

    assert _keys(streamed) == _keys(reference.findings)
    assert len(streamed) == len(writer.planted)


def test_batches_split_anywhere(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = HistoryWriter()
    generate_linear_with_merges(writer, 90, seed=4)
    marks = writer.run(repo)
    detectors.configure(detectors.default_settings_json())

    for batch_size in (1, 2, 7):
        monkeypatch.setattr(commit_range, "COMMITS_PER_BATCH", batch_size)
        findings = _scan_range(None, "main")

        assert _keys(findings) == _expected(writer, marks), f"batch size {batch_size}"


AWKWARD_PATHS = [
    "with space.py",
    "tab\there.py",
    "new\nline.py",
    "x\n" + "f" * 40,
    '"quoted".py',
    "back\\slash.py",
    "ünïcödé.py",
    "0123456789abcdef0123456789abcdef01234567",
    "deep/ly/nested/dir/file.py",
    "-dash.py",
    "percent%20.py",
]


def test_awkward_paths_and_changes(repo: Repo, cli) -> None:
    secrets = []
    for index, path in enumerate(AWKWARD_PATHS):
        secret = fake_password(f"p{index:03d}")
        secrets.append(secret)
        (repo.path / path).parent.mkdir(parents=True, exist_ok=True)
        (repo.path / path).write_text(f'password = "{secret}"\n')
    repo.git("add", "-A")
    repo.commit("awkward paths")
    latin = fake_password("lat1")
    (repo.path / "latin.py").write_bytes(b"# caf\xe9\npassword = '" + latin.encode() + b"'\n")
    (repo.path / "blob.bin").write_bytes(b"\0\1\2binary")
    (repo.path / "empty.txt").write_text("")
    (repo.path / "link").symlink_to("with space.py")
    repo.git("add", "-A")
    repo.commit("binary, empty, symlink, non-UTF-8")
    repo.git("mv", "with space.py", "renamed space.py")
    (repo.path / "renamed space.py").write_text(f'password = "{secrets[0]}"\nx = 1\n')
    (repo.path / "tab\there.py").chmod(0o755)
    (repo.path / "link").unlink()
    (repo.path / "link").write_text("now a file\n")
    repo.git("rm", "-q", "--cached", "ünïcödé.py")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},vendor/sub")
    repo.git("add", "-A")
    repo.commit("rename, mode, type change, deletion, submodule")
    repo.git("commit", "-q", "--allow-empty", "-m", "empty")
    records = git.commits_with_parents([git.resolve_commit("HEAD") or ""])

    result = cli("scan", "--to-ref", "HEAD", "--format", "json")
    reference = _scan_each_commit(records)

    assert result.exit_code == 1, result.output
    results = json.loads(result.stdout)["results"]
    reported = {(item["filename"], item["line_number"]) for item in results}
    assert reported == {(f.filename, f.line_number) for f in reference.findings}
    assert {path for path, _ in reported} == {*AWKWARD_PATHS, "latin.py"}
    assert_no_secret(result.output, *secrets, latin)


def test_commits_with_parents_lists_merges(repo: Repo, tmp_path: Path) -> None:
    writer = HistoryWriter()
    generate_linear_with_merges(writer, 80, seed=5)
    marks = writer.run(repo)

    records = git.commits_with_parents([marks[max(marks)]])

    assert len(records) == len(marks)
    assert records[0].parents == ()
    merges = [record for record in records if len(record.parents) == 2]
    assert merges, "the generator writes merges"
    position = {record.commit: index for index, record in enumerate(records)}
    for record in records:
        for parent in record.parents:
            assert position[parent] < position[record.commit]
