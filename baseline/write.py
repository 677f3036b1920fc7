"""Write a baseline deterministically and atomically.

The same content always gives the same bytes: keys in detect-secrets'
order, plugins sorted by name, filters by path, files by name, and results
by line number, type and hash. Nothing time-dependent is added, so two
branches that touch different files merge without conflicts.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

from staged_secrets.baseline.model import Baseline, BaselineEntry
from staged_secrets.hooks.errors import FatalError


def _entry_sort_key(entry: BaselineEntry) -> tuple[int, str, str]:
    return (entry.line_number or 0, entry.type, entry.hashed_secret)


def to_json(baseline: Baseline) -> dict[str, Any]:
    """Return the baseline as the JSON object detect-secrets 1.5.0 writes."""
    results: dict[str, list[dict[str, Any]]] = {}
    for entry in sorted(baseline.entries, key=lambda e: (e.filename, *_entry_sort_key(e))):
        results.setdefault(entry.filename, []).append(entry.to_json())

    output: dict[str, Any] = {
        "version": baseline.version,
        "plugins_used": sorted(baseline.plugins_used, key=lambda p: str(p["name"]).lower()),
        "filters_used": sorted(baseline.filters_used, key=lambda f: str(f["path"]).lower()),
        "results": results,
    }
    for key, value in sorted(baseline.extra.items()):
        output.setdefault(key, value)
    return output


def format_baseline(baseline: Baseline) -> str:
    """Return the file content for BASELINE."""
    return json.dumps(to_json(baseline), indent=2) + "\n"


def write_atomically(path: str, content: str) -> None:
    """Replace PATH with CONTENT so that readers see the old or the new file, never a mix.

    The temporary file lives in the same folder so that the final rename
    does not cross file systems.
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


def save(path: str, baseline: Baseline) -> None:
    write_atomically(path, format_baseline(baseline))
