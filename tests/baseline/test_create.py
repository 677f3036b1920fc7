"""`staged-secrets baseline create`: what it scans, what it stores, how it reports."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from collections.abc import Iterator
from typing import Any

import pexpect
import pytest
from staged_secrets.hooks import detectors, git, parallel

from tests.baseline.helpers import (
    BASELINE,
    aws_line,
    detect_secrets_scan,
    locations,
    password_line,
    read,
    results,
    set_fields,
)
from tests.conftest import PROJECT_ROOT, Repo, assert_no_secret, run_command


def test_create_scans_index_not_worktree(repo: Repo, cli: Any) -> None:
    staged, staged_key = aws_line("STAGEDKEY0000001")
    unstaged, unstaged_key = aws_line("UNSTAGEDKEY00002")
    repo.write("app.py", "x = 1\n" + staged)
    repo.stage("app.py")
    repo.write("app.py", "x = 1\n" + staged + unstaged)
    repo.write("untracked.py", unstaged)

    result = cli("baseline", "create")

    assert result.exit_code == 0, result.output
    assert locations(repo) == [("app.py", "AWS Access Key", 2)]
    assert "1 entry in 1 file" in result.stdout
    assert_no_secret(result.output, staged_key, unstaged_key)
    assert_no_secret((repo.path / BASELINE).read_text(), staged_key, unstaged_key)


def test_create_matches_detect_secrets_scan(repo: Repo, cli: Any) -> None:
    key_line, key = aws_line("ORACLEKEY0000001")
    password, secret = password_line("orcl")
    repo.commit_files(
        {
            "src/settings.py": "DEBUG = True\n" + key_line + password,
            "config.yaml": "db:\n  " + password,
            "notes.md": "nothing here\n",
            "z/deep/env.ini": "[main]\n" + password,
        }
    )

    result = cli("baseline", "create")
    oracle = detect_secrets_scan(repo)

    assert result.exit_code == 0, result.output
    document = read(repo)
    assert "generated_at" not in document
    assert document["results"] == oracle["results"]
    assert document["plugins_used"] == oracle["plugins_used"]
    assert document["filters_used"] == oracle["filters_used"]
    assert_no_secret(result.output, key, secret)


def test_create_is_byte_identical_on_rerun(repo: Repo, cli: Any) -> None:
    lines = [aws_line(f"RERUNKEY{index:08d}") for index in range(5)]
    repo.commit_files({f"module_{index}.py": line for index, (line, _) in enumerate(lines)})

    first = cli("baseline", "create")
    content = (repo.path / BASELINE).read_bytes()
    second = cli("baseline", "create")

    assert first.exit_code == 0
    assert second.exit_code == 0
    assert (repo.path / BASELINE).read_bytes() == content
    assert b"generated_at" not in content
    names = list(json.loads(content)["results"])
    assert names == sorted(names)
    assert_no_secret(first.output + second.output, *(key for _, key in lines))


@pytest.mark.parametrize(
    ("option", "pattern", "filter_path"),
    [
        pytest.param(
            "--exclude-files",
            r"^fixtures/",
            "detect_secrets.filters.regex.should_exclude_file",
            id="files",
        ),
        pytest.param(
            "--exclude-lines",
            r"EXAMPLE_ONLY",
            "detect_secrets.filters.regex.should_exclude_line",
            id="lines",
        ),
        pytest.param(
            "--exclude-secrets",
            r"EXCLUDED",
            "detect_secrets.filters.regex.should_exclude_secret",
            id="secrets",
        ),
    ],
)
def test_create_exclude_option_stored_and_applied(
    repo: Repo, cli: Any, option: str, pattern: str, filter_path: str
) -> None:
    kept_line, kept_key = aws_line("KEPTKEY000000001")
    excluded_key = aws_line("EXCLUDED00000001")[1]
    repo.commit_files(
        {
            "app.py": kept_line,
            "fixtures/sample.py": f'sample = "{excluded_key}"  # EXAMPLE_ONLY\n',
        }
    )

    result = cli("baseline", "create", option, pattern, option, "unused-second-pattern")

    assert result.exit_code == 0, result.output
    assert locations(repo) == [("app.py", "AWS Access Key", 1)]
    stored = [item for item in read(repo)["filters_used"] if item["path"] == filter_path]
    assert stored == [{"path": filter_path, "pattern": [pattern, "unused-second-pattern"]}]
    oracle = detect_secrets_scan(repo, option, pattern, option, "unused-second-pattern")
    assert read(repo)["filters_used"] == oracle["filters_used"]
    assert read(repo)["results"] == oracle["results"]
    assert_no_secret(result.output, kept_key, excluded_key)


@pytest.mark.parametrize("option", ["--exclude-files", "--exclude-lines", "--exclude-secrets"])
def test_create_invalid_regex_exits_2(repo: Repo, cli: Any, option: str) -> None:
    line, key = aws_line("REGEXKEY00000001")
    repo.commit_files({"app.py": line})
    (repo.path / BASELINE).write_text("previous content\n")

    result = cli("baseline", "create", option, "valid", option, "(unclosed")

    assert result.exit_code == 2
    assert option in result.stderr
    assert "'(unclosed' is not a valid regular expression" in result.stderr
    assert (repo.path / BASELINE).read_text() == "previous content\n"
    assert_no_secret(result.output, key)


def test_create_never_scans_baseline_file(repo: Repo, cli: Any) -> None:
    line, key = aws_line("INBASELINEFILE01")
    other, other_key = aws_line("OTHERFILEKEY0001")
    repo.commit_files({"security/known.json": line, "app.py": other})

    result = cli("baseline", "create", "--baseline", "security/known.json")

    assert result.exit_code == 0, result.output
    assert locations(repo, "security/known.json") == [("app.py", "AWS Access Key", 1)]
    assert not (repo.path / BASELINE).exists()
    assert_no_secret(result.output, key, other_key)


def test_create_from_subfolder_writes_at_top(repo: Repo, cli: Any) -> None:
    line, key = aws_line("SUBFOLDERKEY0001")
    repo.commit_files({"pkg/app.py": line})
    os.chdir(repo.path / "pkg")

    result = cli("baseline", "create")

    assert result.exit_code == 0, result.output
    assert locations(repo) == [("pkg/app.py", "AWS Access Key", 1)]
    assert os.getcwd() == str(repo.path / "pkg")
    assert_no_secret(result.output, key)


def test_create_keeps_labelled_baseline_without_force(repo: Repo, cli: Any) -> None:
    line, key = aws_line("LABELLEDKEY00001")
    repo.commit_files({"app.py": line})
    assert cli("baseline", "create").exit_code == 0
    set_fields(repo, "app.py", "AWS Access Key", is_secret=False)
    labelled = (repo.path / BASELINE).read_text()

    refused = cli("baseline", "create")
    forced = cli("baseline", "create", "--force")

    assert refused.exit_code == 2
    assert "1 labelled entries" in refused.stderr
    assert "baseline update" in refused.stderr
    assert forced.exit_code == 0, forced.output
    assert labelled != (repo.path / BASELINE).read_text()
    assert "is_secret" not in results(repo)[0]
    assert_no_secret(refused.output + forced.output, key)


def test_create_replaces_unparsable_baseline(repo: Repo, cli: Any) -> None:
    line, key = aws_line("REPLACEKEY000001")
    repo.commit_files({"app.py": line})
    (repo.path / BASELINE).write_text("<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> other\n")

    result = cli("baseline", "create")

    assert result.exit_code == 0, result.output
    assert locations(repo) == [("app.py", "AWS Access Key", 1)]
    assert_no_secret(result.output, key)


def test_create_no_progress_bar_when_piped(repo: Repo) -> None:
    line, key = aws_line("PIPEDKEY00000001")
    repo.commit_files({"app.py": line})

    result = run_command(["baseline", "create"], cwd=repo.path)

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert_no_secret(result.output, key)


def test_create_progress_bar_on_terminal(repo: Repo) -> None:
    files = {f"file_{index:03d}.py": f"value_{index} = {index}\n" for index in range(40)}
    line, key = aws_line("TERMINALKEY00001")
    files["app.py"] = line
    repo.commit_files(files)

    child = pexpect.spawn(
        sys.executable,
        ["-m", "staged_secrets.hooks.cli", "baseline", "create"],
        cwd=str(repo.path),
        env=dict(os.environ),
        encoding="utf-8",
        timeout=60,
    )
    output = child.read()
    child.close()

    assert child.exitstatus == 0, output
    assert "Scanning the index" in output
    assert "41/41" in output
    assert "Wrote .secrets.baseline: 1 entry" in output
    assert_no_secret(output, key)


def _index_blobs(repo: Repo) -> list[tuple[str, bytes]]:
    entries = git.index_entries()
    blobs = git.read_blobs(entry.object_name for entry in entries)
    return [(entry.path, blobs[entry.object_name]) for entry in entries]


def test_parallel_scan_equals_serial(repo: Repo) -> None:
    files: dict[str, str | bytes] = {}
    secrets = []
    for index in range(120):
        line, key = aws_line(f"PARALLEL{index:08d}")
        secrets.append(key)
        body = "".join(f"value_{row} = {row}\n" for row in range(index % 3 * 4))
        files[f"pkg{index % 5}/module_{index:03d}.py"] = body + line + body
    files["pkg0/data.bin"] = b"\0\x80\x81binary" * 50
    repo.commit_files(files)
    detectors.configure(detectors.default_settings_json())
    items = _index_blobs(repo)
    progress: list[tuple[int, int]] = []

    serial = parallel.scan_blobs(items, workers=1)
    spread = parallel.scan_blobs(
        items, progress=lambda *step: progress.append(step), workers=2, min_parallel_bytes=0
    )

    assert len(parallel.cut_batches(items)) > 1
    assert spread == serial
    assert len(serial.findings) == 120
    assert [finding.filename for finding in serial.findings] == sorted(
        path for path in files if path.endswith(".py")
    )
    assert serial.skipped[0].filename == "pkg0/data.bin"
    assert progress[0] == (0, len(items))
    assert progress[-1] == (len(items), len(items))
    assert_no_secret(repr(serial), *secrets)


@pytest.fixture(params=["fork", "spawn"])
def start_method(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run worker processes with each start method: spawn and forkserver inherit nothing."""
    previous = multiprocessing.get_start_method()
    multiprocessing.set_start_method(request.param, force=True)
    yield request.param
    multiprocessing.set_start_method(previous, force=True)


def test_parallel_workers_use_baseline_settings(repo: Repo, start_method: str) -> None:
    kept_line, kept_key = aws_line("WORKERKEPT000001")
    files: dict[str, str | bytes] = {"keep/app.py": kept_line}
    for index in range(20):
        files[f"skip/module_{index}.py"] = aws_line(f"WORKERSKIP{index:06d}")[0]
    repo.commit_files(files)
    settings = detectors.default_settings_json()
    settings["filters_used"].append(
        {"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": ["^skip/"]}
    )
    detectors.configure(settings)

    spread = parallel.scan_blobs(_index_blobs(repo), workers=2, min_parallel_bytes=0)

    assert [finding.filename for finding in spread.findings] == ["keep/app.py"]
    assert_no_secret(repr(spread), kept_key)


def test_create_large_repository_matches_oracle(repo: Repo) -> None:
    # Copies of this project's own modules: real code, large enough for
    # worker processes.
    sources = sorted((PROJECT_ROOT / "hooks").glob("*.py")) + sorted(
        (PROJECT_ROOT / "baseline").glob("*.py")
    )
    files: dict[str, str | bytes] = {}
    secrets = []
    copy = 0
    while sum(len(content) for content in files.values()) <= parallel.PARALLEL_MIN_BYTES:
        for source in sources:
            line, key = aws_line(f"LARGEREPO{len(secrets):07d}")
            secrets.append(key)
            files[f"copy{copy}/{source.parent.name}/{source.name}"] = source.read_text() + line
        copy += 1
    repo.commit_files(files)

    result = run_command(["baseline", "create"], cwd=repo.path)

    assert result.exit_code == 0, result.output
    assert read(repo)["results"] == detect_secrets_scan(repo)["results"]
    aws_entries = [item for item in results(repo) if item["type"] == "AWS Access Key"]
    assert len(aws_entries) == len(secrets)
    assert_no_secret(result.output, *secrets)


def test_create_twice_in_process_reads_index_only(repo: Repo, cli: Any) -> None:
    line, key = aws_line("DELETEDKEY000001")
    repo.write("app.py", line)
    repo.stage("app.py")
    (repo.path / "app.py").unlink()

    first = cli("baseline", "create")
    second = cli("baseline", "create")

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert locations(repo) == [("app.py", "AWS Access Key", 1)]
    assert_no_secret(first.output + second.output, key)
