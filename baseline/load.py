"""Read a baseline file and check it before any detect-secrets code reads it.

detect-secrets imports Python code named in a baseline: any plugin entry with
a `path` key (even under a built-in plugin's name), any filter given as a
`file://` path or as a dotted path outside its own filters, and, for pre-1.0
baselines, every file in `custom_plugin_paths`. A baseline comes from the
repository, so a cloned repository could run code on every commit. This
module accepts only built-in plugins and filters unless the caller opts in.
"""

from __future__ import annotations

import codecs
import importlib.util
import json
import os
import re
import stat
from typing import Any

from staged_secrets.baseline.model import FORMAT_VERSION, Baseline, BaselineEntry
from staged_secrets.hooks.errors import FatalError
from staged_secrets.hooks.words import plural

BUILTIN_FILTERS = frozenset(
    {
        "detect_secrets.filters.allowlist.is_line_allowlisted",
        "detect_secrets.filters.common.is_baseline_file",
        "detect_secrets.filters.common.is_ignored_due_to_verification_policies",
        "detect_secrets.filters.common.is_invalid_file",
        "detect_secrets.filters.gibberish.should_exclude_secret",
        "detect_secrets.filters.heuristic.is_indirect_reference",
        "detect_secrets.filters.heuristic.is_likely_id_string",
        "detect_secrets.filters.heuristic.is_lock_file",
        "detect_secrets.filters.heuristic.is_non_text_file",
        "detect_secrets.filters.heuristic.is_not_alphanumeric_string",
        "detect_secrets.filters.heuristic.is_potential_uuid",
        "detect_secrets.filters.heuristic.is_prefixed_with_dollar_sign",
        "detect_secrets.filters.heuristic.is_sequential_string",
        "detect_secrets.filters.heuristic.is_swagger_file",
        "detect_secrets.filters.heuristic.is_templated_secret",
        "detect_secrets.filters.regex.should_exclude_file",
        "detect_secrets.filters.regex.should_exclude_line",
        "detect_secrets.filters.regex.should_exclude_secret",
        "detect_secrets.filters.wordlist.should_exclude_secret",
    }
)

# Filters that read a file named in the baseline (a word list, a model).
# detect-secrets reads the file when it loads the settings.
FILE_READING_FILTERS = {
    "detect_secrets.filters.wordlist.should_exclude_secret": "file_name",
    "detect_secrets.filters.gibberish.should_exclude_secret": "model",
}

# Filters that need a package detect-secrets does not install: the filter's
# path, then the module it imports and the package that provides it.
OPTIONAL_PACKAGES = {
    "detect_secrets.filters.wordlist.should_exclude_secret": ("ahocorasick", "pyahocorasick"),
    "detect_secrets.filters.gibberish.should_exclude_secret": (
        "gibberish_detector",
        "gibberish-detector",
    ),
}

# Filters whose `pattern` list contains regular expressions (the
# --exclude-files, --exclude-lines and --exclude-secrets options).
REGEX_FILTERS = {
    "files": "detect_secrets.filters.regex.should_exclude_file",
    "lines": "detect_secrets.filters.regex.should_exclude_line",
    "secrets": "detect_secrets.filters.regex.should_exclude_secret",  # pragma: allowlist secret
}

# The oldest and newest baseline format versions this tool reads.
OLDEST_VERSION = (0, 12, 0)
NEWEST_VERSION = (1, 5, 0)

CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})(?: |$)", re.MULTILINE)
VERSION_PATTERN = re.compile(r"^(\d+)\.(\d+)\.(\d+)")

MERGE_DRIVER_KEY = "merge.staged-secrets.driver"
DRIVER_MARKER = "<<<<<<< ours"
# A `"key": "string value"` or `"key": other` line of the indented JSON.
JSON_KEY = re.compile(r'^"([^"\\]+)":(?: "((?:[^"\\]|\\.)*)")?')

MERGE_DRIVER_HINT = (
    "resolve the conflict, or set up the merge driver: "
    "'staged-secrets baseline merge-driver' (see the README)"
)


def check_pattern(pattern: str, where: str) -> None:
    """Raise FatalError unless PATTERN compiles as a Python regular expression."""
    try:
        re.compile(pattern)
    except re.error as error:
        raise FatalError(
            f"{where}: {pattern!r} is not a valid regular expression ({error}); fix the pattern"
        ) from error


def check_regex_filters(path: str, filters: list[dict[str, Any]]) -> None:
    """Check the pattern lists of the regex filters, which detect-secrets compiles unchecked."""
    for filter_config in filters:
        filter_path = filter_config.get("path") if isinstance(filter_config, dict) else None
        if filter_path not in REGEX_FILTERS.values():
            continue
        patterns = filter_config.get("pattern")
        if not isinstance(patterns, list) or not all(isinstance(item, str) for item in patterns):
            raise FatalError(
                f"baseline {path}: filter {filter_path!r} needs a 'pattern' list of "
                "regular expressions"
            )
        for pattern in patterns:
            check_pattern(pattern, f"baseline {path}: filter {filter_path!r}")


def check_optional_packages(path: str, filters: list[dict[str, Any]]) -> None:
    """Raise FatalError when a filter needs a package that is not installed."""
    for filter_config in filters:
        filter_path = filter_config.get("path") if isinstance(filter_config, dict) else None
        needed = OPTIONAL_PACKAGES.get(str(filter_path))
        if needed is not None and importlib.util.find_spec(needed[0]) is None:
            raise FatalError(
                f"baseline {path}: filter {filter_path!r} needs the {needed[1]} package: "
                f"install it ('pip install {needed[1]}') or remove the filter"
            )


def builtin_plugin_classes() -> dict[str, Any]:
    """Return detect-secrets' built-in plugin classes by class name.

    detect-secrets' own lookup also imports custom plugin files named in its
    global settings and caches the result, so the package is listed here.
    """
    from staged_secrets.hooks.detectors import install_deferred_requests

    install_deferred_requests()
    from detect_secrets import plugins
    from detect_secrets.core.plugins.util import _is_valid_plugin
    from detect_secrets.util.importlib import import_types_from_package

    classes = import_types_from_package(plugins, filter=lambda item: not _is_valid_plugin(item))
    return {plugin_class.__name__: plugin_class for plugin_class in classes}


def builtin_plugin_names() -> frozenset[str]:
    """Return the class names of detect-secrets' built-in plugins."""
    return frozenset(builtin_plugin_classes())


# A baseline lists hashes, not content: even a very large repository's
# baseline stays far below this size. The limit stops a symbolic link to a
# device (such as /dev/zero) from filling memory.
MAX_BASELINE_BYTES = 256 * 1024 * 1024


def _looks_like_utf16(data: bytes) -> bool:
    # A JSON document starts with ASCII, which UTF-16 stores with a NUL in
    # every other byte.
    if len(data) < 4 or len(data) % 2:
        return False
    return (data[1] == 0 and data[3] == 0) or (data[0] == 0 and data[2] == 0)


def read_text(path: str) -> str:
    """Read the baseline file as UTF-8 text; each error names the fix."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise FatalError(f"baseline {path} is not a regular file: name a baseline file")
        with open(path, "rb") as stream:
            data = stream.read(MAX_BASELINE_BYTES + 1)
    except FileNotFoundError as error:
        raise FatalError(
            f"baseline {path} not found: create it with 'staged-secrets baseline create'"
        ) from error
    except OSError as error:
        raise FatalError(f"baseline {path} could not be read: {error.strerror}") from error
    if len(data) > MAX_BASELINE_BYTES:
        raise FatalError(
            f"baseline {path} is larger than {MAX_BASELINE_BYTES} bytes: "
            "name the right file or recreate it with 'staged-secrets baseline create'"
        )

    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_like_utf16(data):
        raise FatalError(
            f"baseline {path} is UTF-16 encoded; save it as UTF-8 "
            "(PowerShell: Out-File -Encoding utf8) or recreate it"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FatalError(f"baseline {path} is not valid UTF-8 (byte {error.start})") from error


def conflict_message(path: str, text: str) -> str:
    """Return what to do about the conflict markers in baseline TEXT.

    The merge driver marks each value that both sides changed differently
    with `<<<<<<< ours` and `>>>>>>> theirs`. Other markers mean that git
    merged the file line by line, without the driver.
    """
    from staged_secrets.hooks import git

    if not git.config_value(MERGE_DRIVER_KEY, os.path.dirname(os.path.abspath(path))):
        return f"baseline {path} contains git conflict markers: {MERGE_DRIVER_HINT}"

    lines = text.split("\n")
    starts = [number for number, line in enumerate(lines) if line.startswith("<<<<<<<")]
    if any(lines[number] != DRIVER_MARKER for number in starts):
        return (
            f"baseline {path} contains git conflict markers that the merge driver did not write: "
            "resolve them by hand, and check that .gitattributes names the baseline with "
            "'merge=staged-secrets'"
        )
    conflicts = "; ".join(_describe_conflict(lines, number) for number in starts)
    return (
        f"baseline {path} contains conflict markers from the merge driver around "
        f"{plural(len(starts), 'value')} that both branches changed ({conflicts}): "
        "keep one side of each, delete the marker lines, and stage the file"
    )


def _describe_conflict(lines: list[str], start: int) -> str:
    following = JSON_KEY.match(lines[start + 1].strip()) if start + 1 < len(lines) else None
    key = following.group(1) if following else "a value"
    fields: dict[str, str] = {}
    for previous in reversed(lines[:start]):
        stripped = previous.strip()
        if stripped.startswith(("{", "}", "[", "]")) or CONFLICT_MARKER.match(stripped):
            break
        match = JSON_KEY.match(stripped)
        if match and match.group(2) is not None:
            fields[match.group(1)] = match.group(2)
    where = f"line {start + 1}: {key}"
    if "filename" in fields:
        where += f" of the {fields.get('type', 'entry')} entry in {fields['filename']}"
    return where


def parse_json(path: str, text: str) -> dict[str, Any]:
    """Parse TEXT as a baseline's JSON object."""
    if CONFLICT_MARKER.search(text):
        raise FatalError(conflict_message(path, text))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FatalError(
            f"baseline {path} is not valid JSON (line {error.lineno}, column {error.colno}): "
            "fix it or recreate it with 'staged-secrets baseline create'"
        ) from error
    except (RecursionError, ValueError) as error:
        # Nesting deeper than Python's recursion limit, or an integer longer
        # than its 4300-digit conversion limit.
        raise FatalError(
            f"baseline {path} is not a usable JSON document ({type(error).__name__}): "
            "recreate it with 'staged-secrets baseline create'"
        ) from error
    if not isinstance(data, dict):
        raise FatalError(f"baseline {path} must contain a JSON object, not {type(data).__name__}")
    return data


def _parse_version(path: str, data: dict[str, Any]) -> tuple[int, int, int]:
    version = data.get("version")
    match = VERSION_PATTERN.match(version) if isinstance(version, str) else None
    if match is None:
        raise FatalError(f"baseline {path} has no valid 'version' field (found {version!r})")
    parsed = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if parsed < OLDEST_VERSION or parsed[:2] > NEWEST_VERSION[:2]:
        raise FatalError(
            f"baseline {path} has unsupported version {version}: this tool reads versions "
            "0.12 to 1.5; recreate it with 'staged-secrets baseline create'"
        )
    return parsed


def check_code_paths(path: str, data: dict[str, Any], repository_root: str | None) -> None:
    """Reject every entry that would make detect-secrets import or read outside files."""
    if data.get("custom_plugin_paths"):
        raise FatalError(
            f"baseline {path} lists custom_plugin_paths {data['custom_plugin_paths']!r}, "
            "which would run code from those files; pass --allow-custom-plugins if you trust them"
        )

    plugins = data.get("plugins_used", [])
    if not isinstance(plugins, list):
        raise FatalError(f"baseline {path}: 'plugins_used' must be a list")
    builtin = builtin_plugin_names()
    for plugin in plugins:
        if not isinstance(plugin, dict) or not isinstance(plugin.get("name"), str):
            raise FatalError(f"baseline {path}: every plugins_used entry needs a 'name' string")
        if "path" in plugin:
            raise FatalError(
                f"baseline {path}: plugin {plugin['name']!r} has a 'path' ({plugin['path']!r}), "
                "which would run code from that file; pass --allow-custom-plugins if you trust it"
            )
        if plugin["name"] not in builtin:
            raise FatalError(
                f"baseline {path}: unknown plugin {plugin['name']!r}; "
                "remove it or upgrade detect-secrets' pinned version"
            )

    filters = data.get("filters_used", [])
    if not isinstance(filters, list):
        raise FatalError(f"baseline {path}: 'filters_used' must be a list")
    for filter_config in filters:
        if not isinstance(filter_config, dict) or not isinstance(filter_config.get("path"), str):
            raise FatalError(f"baseline {path}: every filters_used entry needs a 'path' string")
        filter_path = filter_config["path"]
        if filter_path not in BUILTIN_FILTERS:
            raise FatalError(
                f"baseline {path}: filter {filter_path!r} is not one of detect-secrets' "
                "built-in filters and would run code; pass --allow-custom-plugins if you trust it"
            )
        _check_filter_file(path, filter_config, repository_root)


def _check_filter_file(
    path: str, filter_config: dict[str, Any], repository_root: str | None
) -> None:
    key = FILE_READING_FILTERS.get(filter_config["path"])
    if key is None or not filter_config.get(key):
        return
    named = str(filter_config[key])
    if "\0" in named:
        raise FatalError(
            f"baseline {path}: filter {filter_config['path']!r} names a file with a NUL "
            "character; use a path inside the repository"
        )
    root = os.path.realpath(repository_root or os.getcwd())
    resolved = os.path.realpath(os.path.join(root, named))
    if os.path.isabs(named) or not resolved.startswith(root + os.sep):
        raise FatalError(
            f"baseline {path}: filter {filter_config['path']!r} names file {named!r} outside "
            "the repository; use a path inside the repository"
        )


def _parse_results(path: str, data: dict[str, Any]) -> list[BaselineEntry]:
    results = data.get("results", {})
    if not isinstance(results, dict):
        raise FatalError(f"baseline {path}: 'results' must be an object of filename to list")

    entries: list[BaselineEntry] = []
    for filename, items in results.items():
        if not isinstance(items, list):
            raise FatalError(f"baseline {path}: results for {filename!r} must be a list")
        for item in items:
            entries.append(_parse_entry(path, filename, item))
    return entries


def _parse_entry(path: str, filename: str, item: Any) -> BaselineEntry:
    if not isinstance(item, dict):
        raise FatalError(f"baseline {path}: a result under {filename!r} is not an object")
    secret_type = item.get("type")
    hashed_secret = item.get("hashed_secret")
    if not isinstance(secret_type, str) or not isinstance(hashed_secret, str):
        raise FatalError(
            f"baseline {path}: a result under {filename!r} lacks 'type' or 'hashed_secret'"
        )

    line_number = item.get("line_number")
    if line_number is not None and (
        not isinstance(line_number, int) or isinstance(line_number, bool)
    ):
        raise FatalError(f"baseline {path}: line_number under {filename!r} must be an integer")
    is_secret = item.get("is_secret")
    if is_secret is not None and not isinstance(is_secret, bool):
        raise FatalError(f"baseline {path}: is_secret under {filename!r} must be true or false")
    is_verified = item.get("is_verified", False)
    if not isinstance(is_verified, bool):
        raise FatalError(f"baseline {path}: is_verified under {filename!r} must be true or false")

    known = {"type", "filename", "hashed_secret", "line_number", "is_secret", "is_verified"}
    return BaselineEntry(
        filename=filename,
        type=secret_type,
        hashed_secret=hashed_secret,
        line_number=line_number,
        is_secret=is_secret,
        is_verified=is_verified,
        extra={key: value for key, value in item.items() if key not in known},
    )


def _upgrade_settings(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older baseline's settings to the 1.5 layout with detect-secrets' upgraders."""
    from staged_secrets.hooks.detectors import install_deferred_requests

    install_deferred_requests()
    from detect_secrets.core.baseline import upgrade

    upgraded: dict[str, Any] = upgrade(dict(data))
    return upgraded


def check_plugin_options(path: str, plugins: list[dict[str, Any]]) -> None:
    """Build each listed plugin once, so that unusable options fail here with a clear message.

    detect-secrets passes a plugin's options straight to its constructor, so
    a wrong type or an invalid pattern would otherwise surface mid-scan.
    """
    if not plugins:
        raise FatalError(
            f"baseline {path} lists no plugins in plugins_used, so no secret would be found: "
            "recreate it with 'staged-secrets baseline create'"
        )

    classes = builtin_plugin_classes()
    for plugin in plugins:
        if not isinstance(plugin, dict) or not isinstance(plugin.get("name"), str):
            raise FatalError(f"baseline {path}: every plugins_used entry needs a 'name' string")
        options = {key: value for key, value in plugin.items() if key not in ("name", "path")}
        plugin_class = classes.get(plugin["name"])
        if plugin_class is None or "path" in plugin:
            # A custom plugin the user allowed: detect-secrets loads it later.
            continue
        try:
            instance = plugin_class(**options)
            list(instance.analyze_string("key = 'value'"))
        except Exception as error:  # noqa: BLE001
            raise FatalError(
                f"baseline {path}: plugin {plugin['name']!r} has invalid options {options!r} "
                f"({type(error).__name__}): fix them or recreate the baseline"
            ) from error


def load_baseline(
    path: str,
    allow_custom_plugins: bool = False,
    repository_root: str | None = None,
) -> Baseline:
    """Read, check and parse the baseline at PATH.

    Raises FatalError (exit 2) for anything unsafe or unreadable; the file
    is never modified here.
    """
    data = parse_json(path, read_text(path))
    version = _parse_version(path, data)
    if not allow_custom_plugins:
        check_code_paths(path, data, repository_root)

    if version < NEWEST_VERSION:
        try:
            data = _upgrade_settings(data)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
            raise FatalError(
                f"baseline {path} could not be upgraded from {data['version']}: {error}"
            ) from error
        if not allow_custom_plugins:
            check_code_paths(path, data, repository_root)

    check_plugin_options(path, data.get("plugins_used", []))
    filters = list(data.get("filters_used", []))
    check_regex_filters(path, filters)
    check_optional_packages(path, filters)
    entries = _parse_results(path, data)
    known = {"version", "plugins_used", "filters_used", "results"}
    return Baseline(
        version=FORMAT_VERSION,
        plugins_used=list(data.get("plugins_used", [])),
        filters_used=filters,
        entries=entries,
        extra={key: value for key, value in data.items() if key not in known},
        slim=bool(entries) and all(entry.line_number is None for entry in entries),
    )
