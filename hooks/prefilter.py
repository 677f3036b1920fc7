"""Cheap, exact checks that let the scanner skip work detect-secrets would waste.

Each function may answer True when in doubt; it answers False only when
detect-secrets could not produce a result from the input.
"""

from __future__ import annotations


def may_match(line: str) -> bool:
    """Return False only when no configured detector can report anything on LINE."""
    return True


def may_parse_as_eager_config(filename: str, text: str) -> bool:
    """Return False only when the eager INI transformer would fail on TEXT."""
    return True
