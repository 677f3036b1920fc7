"""Validated loading: no code named in a baseline runs, and bad files fail with exit 2."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.baseline.helpers import BASELINE, aws_line, read
from tests.conftest import CliResult, Repo, assert_no_secret, run_command

# A module that leaves a marker file behind when it is imported, and offers
# what detect-secrets looks for in a plugin file and a filter.
MARKER_MODULE = """
import pathlib
pathlib.Path({marker!r}).write_text("imported")

from detect_secrets.plugins.base import RegexBasedDetector


class MarkerDetector(RegexBasedDetector):
    secret_type = "Marker"  # pragma: allowlist secret
    denylist = []


def should_exclude(secret):
    return False
"""


def _plugin_path_builtin_name(document: dict[str, Any], module: Path) -> str:
    document["plugins_used"].append({"name": "AWSKeyDetector", "path": f"file://{module}"})
    return "'AWSKeyDetector'"


def _plugin_path_custom_name(document: dict[str, Any], module: Path) -> str:
    document["plugins_used"].append({"name": "MarkerDetector", "path": f"file://{module}"})
    return "'MarkerDetector'"


def _filter_file_url(document: dict[str, Any], module: Path) -> str:
    document["filters_used"].append({"path": f"file://{module}::should_exclude"})
    return f"'file://{module}::should_exclude'"


def _filter_outside_module(document: dict[str, Any], module: Path) -> str:
    document["filters_used"].append({"path": f"{module.stem}.should_exclude"})
    return f"'{module.stem}.should_exclude'"


def _custom_plugin_paths(document: dict[str, Any], module: Path) -> str:
    # The pre-1.0 layout: detect-secrets' upgrade imports each listed file.
    document["version"] = "0.14.3"
    document["custom_plugin_paths"] = [str(module)]
    document["word_list"] = {"file": None, "hash": None}
    del document["filters_used"]
    for plugin in document["plugins_used"]:
        if plugin["name"] == "Base64HighEntropyString":
            plugin["base64_limit"] = plugin.pop("limit")
        if plugin["name"] == "HexHighEntropyString":
            plugin["hex_limit"] = plugin.pop("limit")
    return "custom_plugin_paths"


CODE_PATHS = [
    pytest.param(_plugin_path_builtin_name, id="plugin-path-builtin-name"),
    pytest.param(_plugin_path_custom_name, id="plugin-path-custom-name"),
    pytest.param(_filter_file_url, id="filter-file-url"),
    pytest.param(_filter_outside_module, id="filter-outside-module"),
    pytest.param(_custom_plugin_paths, id="custom-plugin-paths"),
]

Plant = Callable[[dict[str, Any], Path], str]


def _plant_code_path(repo: Repo, cli: Any, plant: Plant) -> tuple[Path, str, list[str]]:
    """Commit a baseline that names code; return the marker file, the entry and the secrets."""
    line, key = aws_line("MARKERKEY0000001")
    repo.commit_files({"app.py": line})
    assert cli("baseline", "create").exit_code == 0
    (repo.path.parent / "clean.json").write_bytes((repo.path / BASELINE).read_bytes())
    marker = repo.path.parent / "marker"
    module = repo.path / "marker_module.py"
    module.write_text(MARKER_MODULE.format(marker=str(marker)))
    document = read(repo)
    entry = plant(document, module)
    (repo.path / BASELINE).write_text(json.dumps(document, indent=2) + "\n")
    repo.stage(BASELINE)
    new_line, new_key = aws_line("MARKERKEY0000002")
    repo.write("new.py", new_line)
    repo.stage("new.py")
    return marker, entry, [key, new_key]


def _run_with_module_path(repo: Repo, *args: str) -> CliResult:
    # The marker module is importable by name, so a dotted filter path
    # outside detect-secrets would load it.
    return run_command(list(args), cwd=repo.path, env={"PYTHONPATH": str(repo.path)})


def _merge_driver_args(repo: Repo) -> list[str]:
    clean = str(repo.path.parent / "clean.json")
    return ["baseline", "merge-driver", clean, clean, str(repo.path / BASELINE)]


ENTRY_POINTS = [
    pytest.param(lambda repo: ["scan"], id="scan"),
    pytest.param(lambda repo: ["scan", "--all-files"], id="scan-all-files"),
    pytest.param(lambda repo: ["baseline", "update"], id="update"),
    pytest.param(_merge_driver_args, id="merge-driver"),
    pytest.param(lambda repo: ["audit", "--report"], id="audit-report"),
    pytest.param(lambda repo: ["audit", "--stats"], id="audit-stats"),
]


@pytest.mark.parametrize("plant", CODE_PATHS)
@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_code_in_baseline_never_runs(
    repo: Repo, cli: Any, plant: Plant, entry_point: Callable[[Repo], list[str]]
) -> None:
    marker, entry, secrets = _plant_code_path(repo, cli, plant)
    before = (repo.path / BASELINE).read_bytes()

    result = _run_with_module_path(repo, *entry_point(repo))

    assert result.exit_code == 2, result.output
    assert entry in result.stderr
    assert "--allow-custom-plugins" in result.stderr
    assert not marker.exists()
    assert (repo.path / BASELINE).read_bytes() == before
    assert_no_secret(result.output, *secrets)


@pytest.mark.parametrize("plant", CODE_PATHS)
def test_allow_custom_plugins_runs_code(repo: Repo, cli: Any, plant: Plant) -> None:
    marker, _, secrets = _plant_code_path(repo, cli, plant)

    result = _run_with_module_path(repo, "scan", "--allow-custom-plugins")

    assert marker.read_text() == "imported", result.output
    assert_no_secret(result.output, *secrets)


@pytest.mark.parametrize(
    ("filter_path", "key", "named"),
    [
        pytest.param(
            "detect_secrets.filters.wordlist.should_exclude_secret",
            "file_name",
            "../words.txt",
            id="wordlist-relative",
        ),
        pytest.param(
            "detect_secrets.filters.wordlist.should_exclude_secret",
            "file_name",
            "/etc/hostname",
            id="wordlist-absolute",
        ),
        pytest.param(
            "detect_secrets.filters.gibberish.should_exclude_secret",
            "model",
            "../model.json",
            id="gibberish-model",
        ),
    ],
)
def test_filter_file_outside_repository_rejected(
    repo: Repo, cli: Any, filter_path: str, key: str, named: str
) -> None:
    line, secret = aws_line("WORDLISTKEY00001")
    repo.commit_files({"app.py": line})
    assert cli("baseline", "create").exit_code == 0
    document = read(repo)
    document["filters_used"].append({"path": filter_path, key: named, "min_length": 3})
    (repo.path / BASELINE).write_text(json.dumps(document, indent=2) + "\n")

    scan = cli("scan", "--all-files")
    update = cli("baseline", "update")

    for result in (scan, update):
        assert result.exit_code == 2
        assert f"names file {named!r} outside the repository" in result.stderr
    assert_no_secret(scan.output + update.output, secret)


def test_filter_without_its_package_rejected(repo: Repo, cli: Any) -> None:
    line, secret = aws_line("WORDLISTKEY00002")
    repo.commit_files({"app.py": line, "words.txt": "example\n"})
    assert cli("baseline", "create").exit_code == 0
    document = read(repo)
    document["filters_used"].append(
        {
            "path": "detect_secrets.filters.wordlist.should_exclude_secret",
            "file_name": "words.txt",
            "min_length": 3,
            "file_hash": "0" * 40,
        }
    )
    (repo.path / BASELINE).write_text(json.dumps(document, indent=2) + "\n")
    installed = importlib.util.find_spec("ahocorasick") is not None

    result = cli("scan", "--all-files")

    if installed:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 2
        assert "needs the pyahocorasick package" in result.stderr
    assert_no_secret(result.output, secret)


def _invalid_json(path: Path) -> None:
    path.write_text('{"version": "1.5.0", "results": {')


def _conflict_markers(path: Path) -> None:
    text = path.read_text()
    path.write_text("<<<<<<< HEAD\n" + text + "=======\n" + text + ">>>>>>> feature\n")


def _utf16_with_bom(path: Path) -> None:
    path.write_bytes(path.read_text().encode("utf-16"))


def _utf16_without_bom(path: Path) -> None:
    path.write_bytes(path.read_text().encode("utf-16-le"))


def _unknown_plugin(path: Path) -> None:
    document = json.loads(path.read_text())
    document["plugins_used"].append({"name": "NoSuchDetector"})
    path.write_text(json.dumps(document))


def _version(version: str) -> Callable[[Path], None]:
    def rewrite(path: Path) -> None:
        document = json.loads(path.read_text())
        document["version"] = version
        path.write_text(json.dumps(document))

    return rewrite


def _no_version(path: Path) -> None:
    document = json.loads(path.read_text())
    del document["version"]
    path.write_text(json.dumps(document))


def _invalid_stored_regex(path: Path) -> None:
    document = json.loads(path.read_text())
    document["filters_used"].append(
        {"path": "detect_secrets.filters.regex.should_exclude_line", "pattern": ["[unclosed"]}
    )
    path.write_text(json.dumps(document))


def _not_an_object(path: Path) -> None:
    path.write_text("[]\n")


def _plugins(change: Callable[[list[dict[str, Any]]], None]) -> Callable[[Path], None]:
    def rewrite(path: Path) -> None:
        document = json.loads(path.read_text())
        change(document["plugins_used"])
        path.write_text(json.dumps(document))

    return rewrite


def _set_option(name: str, key: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(plugins: list[dict[str, Any]]) -> None:
        for plugin in plugins:
            if plugin["name"] == name:
                plugin[key] = value

    return change


def _link_to_device(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _snapshot(path: Path) -> object:
    # Never read through a link: the link-to-device case points at /dev/zero.
    if path.is_symlink():
        return ("link", os.readlink(path))
    if path.is_dir():
        return ("folder", sorted(os.listdir(path)))
    return path.read_bytes()


def _three_bytes(path: Path) -> None:
    path.write_bytes(b"\x00\x01\x02")


BROKEN_FILES = [
    pytest.param(_invalid_json, "is not valid JSON (line 1", id="invalid-json"),
    pytest.param(_conflict_markers, "contains git conflict markers", id="conflict-markers"),
    pytest.param(_utf16_with_bom, "is UTF-16 encoded; save it as UTF-8", id="utf16-bom"),
    pytest.param(_utf16_without_bom, "is UTF-16 encoded; save it as UTF-8", id="utf16-no-bom"),
    pytest.param(_unknown_plugin, "unknown plugin 'NoSuchDetector'", id="unknown-plugin"),
    pytest.param(_version("2.0.0"), "unsupported version 2.0.0", id="version-too-new"),
    pytest.param(_version("1.6.0"), "unsupported version 1.6.0", id="version-1.6"),
    pytest.param(_version("0.9.1"), "unsupported version 0.9.1", id="version-too-old"),
    pytest.param(_no_version, "has no valid 'version' field", id="no-version"),
    pytest.param(
        _invalid_stored_regex, "'[unclosed' is not a valid regular expression", id="bad-regex"
    ),
    pytest.param(_not_an_object, "must contain a JSON object, not list", id="not-an-object"),
    pytest.param(_plugins(list.clear), "lists no plugins in plugins_used", id="no-plugins"),
    pytest.param(
        _plugins(_set_option("Base64HighEntropyString", "limit", "high")),
        "plugin 'Base64HighEntropyString' has invalid options {'limit': 'high'}",
        id="limit-not-a-number",
    ),
    pytest.param(
        _plugins(_set_option("KeywordDetector", "keyword_exclude", "(")),
        "plugin 'KeywordDetector' has invalid options",
        id="keyword-exclude-bad-regex",
    ),
    pytest.param(_link_to_device, "is not a regular file", id="link-to-device"),
    pytest.param(_folder, "is not a regular file", id="folder"),
    pytest.param(_three_bytes, "is not valid JSON (line 1", id="three-bytes"),
]


@pytest.mark.parametrize(("breakage", "message"), BROKEN_FILES)
@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["scan"], id="scan"),
        pytest.param(["baseline", "update"], id="update"),
    ],
)
def test_broken_baseline_exits_2(
    repo: Repo, cli: Any, command: list[str], breakage: Callable[[Path], None], message: str
) -> None:
    line, key = aws_line("BROKENKEY0000001")
    repo.commit_files({"app.py": line})
    assert cli("baseline", "create").exit_code == 0
    path = repo.path / BASELINE
    breakage(path)
    before = _snapshot(path)
    new_line, new_key = aws_line("BROKENKEY0000002")
    repo.write("new.py", new_line)
    repo.stage("new.py")

    result = cli(*command)

    assert result.exit_code == 2
    assert result.stderr.startswith("staged-secrets: error: baseline ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert _snapshot(path) == before
    assert_no_secret(result.output, key, new_key)


def test_conflict_marker_message_names_merge_driver(repo: Repo, cli: Any) -> None:
    line, key = aws_line("CONFLICTKEY00001")
    repo.commit_files({"app.py": line})
    assert cli("baseline", "create").exit_code == 0
    _conflict_markers(repo.path / BASELINE)

    result = cli("scan")

    assert result.exit_code == 2
    assert "staged-secrets baseline merge-driver" in result.stderr
    assert_no_secret(result.output, key)


def test_missing_default_baseline_counts_as_empty(repo: Repo, cli: Any) -> None:
    line, key = aws_line("NOBASELINEKEY002")
    repo.write("app.py", line)
    repo.stage("app.py")

    default = cli("scan")
    explicit = cli("scan", "--baseline", "missing.baseline")

    assert default.exit_code == 1
    assert "No baseline found at .secrets.baseline: every finding counts as new." in default.stdout
    assert "app.py:1: AWS Access Key" in default.stdout
    assert explicit.exit_code == 2
    assert "missing.baseline not found" in explicit.stderr
    assert_no_secret(default.output + explicit.output, key)


def test_missing_default_baseline_from_subfolder(repo: Repo, cli: Any) -> None:
    line, key = aws_line("NOBASELINEKEY003")
    repo.write("pkg/app.py", line)
    repo.stage("pkg/app.py")
    os.chdir(repo.path / "pkg")

    result = cli("scan")

    assert result.exit_code == 1
    assert "No baseline found at" in result.stdout
    assert "pkg/app.py:1" in result.stdout
    assert_no_secret(result.output, key)
