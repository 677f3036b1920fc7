"""Write a baseline deterministically and atomically.

The same content always gives the same bytes. Top-level keys come in
detect-secrets' order, plugins sorted by name and filters by path, each with
its name or path first and the other keys sorted. Files are sorted by name,
and the results of a file by line number, hash and type, as detect-secrets
1.5.0 orders them. Nothing time-dependent is written, so two branches that
add findings to files that are not neighbours in that order merge without
conflicts.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from staged_secrets.baseline.model import Baseline
from staged_secrets.hooks.errors import FatalError

# detect-secrets writes the time of each scan here; a rewrite with the same
# content would then differ, and every branch would conflict on this line.
DROPPED_KEYS = frozenset({"generated_at"})


def _ordered(config: dict[str, Any], first: str) -> dict[str, Any]:
    output = {first: config[first]}
    for key in sorted(config):
        output.setdefault(key, config[key])
    return output


def ordered_plugins(plugins_used: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the `plugins_used` list in the order this tool writes it."""
    plugins = sorted(plugins_used, key=lambda plugin: str(plugin["name"]).lower())
    return [_ordered(plugin, "name") for plugin in plugins]


def ordered_filters(filters_used: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the `filters_used` list in the order this tool writes it."""
    filters = sorted(filters_used, key=lambda config: str(config["path"]).lower())
    return [_ordered(config, "path") for config in filters]


def to_json(baseline: Baseline) -> dict[str, Any]:
    """Return the baseline as the JSON object detect-secrets 1.5.0 writes."""
    results: dict[str, list[dict[str, Any]]] = {}
    for entry in sorted(baseline.entries, key=lambda entry: entry.sort_key()):
        results.setdefault(entry.filename, []).append(entry.to_json())

    output: dict[str, Any] = {
        "version": baseline.version,
        "plugins_used": ordered_plugins(baseline.plugins_used),
        "filters_used": ordered_filters(baseline.filters_used),
        "results": results,
    }
    for key in sorted(baseline.extra):
        if key not in DROPPED_KEYS:
            output.setdefault(key, baseline.extra[key])
    return output


def format_json(document: dict[str, Any]) -> str:
    """Return the file content for a baseline's JSON DOCUMENT, as detect-secrets formats it."""
    return json.dumps(document, indent=2) + "\n"


def format_baseline(baseline: Baseline) -> str:
    """Return the file content for BASELINE."""
    return format_json(to_json(baseline))


def write_atomically(path: str, content: str) -> None:
    """Replace PATH with CONTENT so that readers see the old or the new file, never a mix.

    The temporary file lives in the same folder so that the final rename
    does not cross file systems. If the process dies before the rename, the
    old file is untouched and a `.secrets-baseline-*.tmp` file may remain.
    """
    folder = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".secrets-baseline-", suffix=".tmp", dir=folder)
    except OSError as error:
        raise FatalError(f"could not write baseline {path}: {error.strerror}") from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        if os.path.exists(path):
            os.chmod(temporary, os.stat(path).st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        raise FatalError(f"could not write baseline {path}: {error.strerror}") from error
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def save(path: str, baseline: Baseline) -> bool:
    """Write BASELINE to PATH unless the file already has that content.

    Returns whether the file was written.
    """
    content = format_baseline(baseline)
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            if stream.read() == content:
                return False
    except (OSError, UnicodeDecodeError):
        pass
    write_atomically(path, content)
    return True
