"""Very large files and very long lines: scanned within the limits, or the scan fails closed."""

from __future__ import annotations

import json
import random
import string

from staged_secrets.hooks import git
from staged_secrets.hooks.changes import DEFAULT_LIMITS

from tests.conftest import Repo, assert_no_secret, fake_aws_key
from tests.hooks.robust_support import Cli, locations, scan_json, skipped_files

AWS = "AWS Access Key"


def minified_javascript(size: int, seed: int = 7) -> str:
    """Return one line of code-like tokens, SIZE characters long.

    The tokens avoid `name = call(...)` shapes: detect-secrets drops every
    secret on a line that looks like such an indirect reference.
    """
    generator = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        length_of_word = generator.randint(1, 9)
        word = "".join(generator.choice(string.ascii_letters) for _ in range(length_of_word))
        token = generator.choice([word, f'"{word}"', f"{word}.{word}", f"{word}:{word}"])
        token += generator.choice(";,{} ")
        parts.append(token)
        length += len(token)
    return "".join(parts)[:size]


def test_ten_megabyte_line_blocks_visibly(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    line = minified_javascript(1_000_000) * 10
    middle = len(line) // 2
    repo.write("bundle.min.js", line[:middle] + f'"{key}"' + line[middle:])
    repo.stage("bundle.min.js")

    result = cli("scan", "--format", "json")
    text = cli("scan")

    report = json.loads(result.stdout)
    reason = skipped_files(report)["bundle.min.js"]
    assert result.exit_code == 2
    assert text.exit_code == 2
    assert "characters in lines longer than" in reason
    assert f"skipped bundle.min.js: {reason}" in text.stdout
    assert "could not be scanned and may hold a secret" in text.stderr
    assert "--exclude-files" in text.stderr
    assert report["lines_scanned"] == 0
    assert_no_secret(result.output + text.output, key)


def test_million_short_lines_block_visibly(repo: Repo, cli: Cli) -> None:
    repo.write("table.csv", "".join(f"{number},row\n" for number in range(1_000_000)))
    repo.stage("table.csv")

    text = cli("scan")

    limit = DEFAULT_LIMITS.max_added_lines
    reason = f"1000000 lines to scan, over the limit of {limit} per file"
    assert text.exit_code == 2
    assert f"skipped table.csv: {reason}" in text.stdout
    assert f"table.csv ({reason}) could not be scanned" in text.stderr
    assert "No line was scanned" in text.stdout


def test_large_binary_blob_passes(repo: Repo, cli: Cli) -> None:
    repo.write("archive.dat", b"\x89PNG\0\0" + bytes(range(256)) * (git.MAX_BLOB_BYTES // 256 + 8))
    repo.stage("archive.dat")

    exit_code, report = scan_json(cli)

    assert exit_code == 0
    assert skipped_files(report)["archive.dat"].startswith("binary content (")


def test_million_line_file_small_change_scanned(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    rows = [f"{number},row\n" for number in range(1_000_000)]
    repo.commit_files({"table.csv": "".join(rows)})
    rows.insert(500_000, f"secret,{key}\n")
    repo.write("table.csv", "".join(rows))
    repo.stage("table.csv")

    exit_code, report = scan_json(cli, secrets=[key])

    assert exit_code == 1
    assert locations(report) == {("table.csv", 500_001, AWS)}
    assert report["lines_scanned"] == 1


def test_long_line_scanned_in_pieces(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    step = DEFAULT_LIMITS.max_line_length - DEFAULT_LIMITS.piece_overlap
    line = minified_javascript(200_000)
    # Straddle a piece boundary: the overlap keeps the key whole in the next piece.
    boundary = step * 40
    line = line[: boundary - 10] + f";'{key}';" + line[boundary - 10 :]
    repo.write("app.min.js", "// header\n" + line + "\n")
    repo.stage("app.min.js")

    exit_code, report = scan_json(cli, secrets=[key])
    text = cli("scan")

    assert exit_code == 1
    assert ("app.min.js", 2, AWS) in locations(report)
    assert report["notes"] == [
        {
            "filename": "app.min.js",
            "message": f"1 line longer than {DEFAULT_LIMITS.max_line_length} characters "
            "(first: line 2) scanned in overlapping pieces",
        }
    ]
    assert "note: app.min.js: 1 line longer than" in text.stdout


def test_keyword_dense_line_finishes(repo: Repo, cli: Cli) -> None:
    # detect-secrets' keyword patterns take about 10 s on this line when it
    # is scanned whole, and a minute at twice the length.
    repo.write("words.txt", "secret" * 1_400 + "\n")
    repo.stage("words.txt")

    exit_code, report = scan_json(cli)

    assert exit_code == 0
    assert report["files_scanned"] == 1
    assert len(report["notes"]) == 1


def test_long_unchanged_line_not_rescanned(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    repo.commit_files({"data.js": "secret" * 3_400 + "\nvar a = 1;\n"})
    repo.write("data.js", "secret" * 3_400 + f"\nvar a = 1;\nvar k = '{key}';\n")
    repo.stage("data.js")

    exit_code, report = scan_json(cli, secrets=[key])

    assert exit_code == 1
    assert locations(report) == {("data.js", 3, AWS)}
    assert report["notes"] == []


def test_blob_over_size_limit_not_read(repo: Repo, cli: Cli) -> None:
    key = fake_aws_key()
    size = git.MAX_BLOB_BYTES + 1024
    line = f"aws {key}\n"
    repo.write("dump.log", (line * (size // len(line) + 1)).encode()[:size])
    repo.stage("dump.log")

    result = cli("scan", "--format", "json")

    report = json.loads(result.stdout)
    assert result.exit_code == 2
    assert skipped_files(report) == {
        "dump.log": f"{size} bytes, over the limit of {git.MAX_BLOB_BYTES} bytes"
    }
    assert "dump.log" in result.stderr
    assert_no_secret(result.output, key)
