"""A git merge driver for baseline files: a three-way merge entry by entry.

git calls the driver with three temporary files (`%O %A %B`): the common
ancestor's version, ours and theirs. The result replaces ours. Entries are
matched by (filename, type, hashed_secret), so two branches that add,
remove or label different entries always merge. The only conflicts are an
entry that both sides labelled differently and a plugin or filter setting
that both sides changed differently. The result then contains both values
between git's conflict markers, which the baseline loader rejects until a
person resolves them, and the driver exits 1 so that git reports the
conflict.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from staged_secrets.baseline import write
from staged_secrets.baseline.load import load_baseline
from staged_secrets.baseline.model import (
    FORMAT_VERSION,
    Baseline,
    BaselineEntry,
    Identity,
    describe_label,
)
from staged_secrets.hooks.errors import FatalError
from staged_secrets.hooks.words import plural

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

# Stands in for a conflicting value while the merged baseline is turned into
# JSON. JSON escapes the NUL character, and no git path or baseline value
# contains one, so the text cannot occur otherwise.
PLACEHOLDER_PREFIX = "\0staged-secrets-conflict-"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", metavar="BASE", help="the common ancestor's version (git's %%O)")
    parser.add_argument(
        "ours", metavar="OURS", help="our version, replaced by the result (git's %%A)"
    )
    parser.add_argument("theirs", metavar="THEIRS", help="their version (git's %%B)")
    parser.add_argument(
        "--allow-custom-plugins",
        action="store_true",
        help="accept plugin and filter code paths named in the baselines (they run as code "
        "in later scans)",
    )


class Conflict(NamedTuple):
    """A value that both sides changed differently, with each side's JSON value."""

    description: str
    ours: Any
    theirs: Any


class MergeOutcome(NamedTuple):
    """The merged baseline and the values it could not decide.

    Where a value is undecided, BASELINE contains our side and the written
    document a placeholder, which `format_merge` replaces with both sides
    between conflict markers.
    """

    baseline: Baseline
    # Placeholder text -> the conflict it stands for.
    conflicts: dict[str, Conflict]
    # Top-level key of a settings list that both sides changed -> placeholder.
    conflicted_settings: dict[str, str]
    # Identity of an entry labelled differently on each side -> placeholder.
    conflicted_labels: dict[Identity, str]


class _Undecided:
    """The result of a three-way merge that found different changes on both sides."""

    __slots__ = ()


UNDECIDED = _Undecided()


def merge_value(base: T, ours: T, theirs: T) -> T | _Undecided:
    """Take the side that changed; UNDECIDED when both changed differently."""
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    return UNDECIDED


def merge_label(
    base: bool | None, ours: bool | None, theirs: bool | None
) -> bool | None | _Undecided:
    """Merge `is_secret` values: a label wins over a removed one, different labels conflict."""
    merged = merge_value(base, ours, theirs)
    if not isinstance(merged, _Undecided):
        return merged
    if ours is None:
        return theirs
    if theirs is None:
        return ours
    return UNDECIDED


def _prefer_ours(base: Any, ours: Any, theirs: Any) -> Any:
    merged = merge_value(base, ours, theirs)
    return ours if isinstance(merged, _Undecided) else merged


def _merge_mapping(
    base: Mapping[K, Any],
    ours: Mapping[K, Any],
    theirs: Mapping[K, Any],
    decide: Callable[[Any, Any, Any], Any],
) -> dict[K, Any]:
    """Merge key by key; a key whose decided value is None is left out."""
    merged: dict[K, Any] = {}
    for key in [*ours, *(key for key in theirs if key not in ours)]:
        value = decide(base.get(key), ours.get(key), theirs.get(key))
        if value is not None:
            merged[key] = value
    return merged


def _merge_fields(
    base: BaselineEntry | None, ours: BaselineEntry, theirs: BaselineEntry
) -> BaselineEntry:
    """Merge everything but the label; where both sides changed a field, ours wins."""
    return BaselineEntry(
        ours.filename,
        ours.type,
        ours.hashed_secret,
        # A line number is only a hint, so a disagreement is no conflict.
        line_number=_prefer_ours(
            base.line_number if base else None, ours.line_number, theirs.line_number
        ),
        is_verified=_prefer_ours(
            base.is_verified if base else False, ours.is_verified, theirs.is_verified
        ),
        extra=_merge_mapping(base.extra if base else {}, ours.extra, theirs.extra, _prefer_ours),
    )


def _merge_settings(
    key: str,
    base: list[dict[str, Any]],
    ours: list[dict[str, Any]],
    theirs: list[dict[str, Any]],
) -> list[dict[str, Any]] | _Undecided:
    """Merge plugin or filter settings item by item, keyed by their `name` or `path`."""
    undecided = False

    def decide(base_item: Any, ours_item: Any, theirs_item: Any) -> Any:
        nonlocal undecided
        merged = merge_value(base_item, ours_item, theirs_item)
        if isinstance(merged, _Undecided):
            undecided = True
            return ours_item
        return merged

    merged = _merge_mapping(
        {item[key]: item for item in base},
        {item[key]: item for item in ours},
        {item[key]: item for item in theirs},
        decide,
    )
    return UNDECIDED if undecided else list(merged.values())


def _keep_entry(base: BaselineEntry | None, remaining: BaselineEntry) -> bool:
    """Decide whether an entry that one side removed stays.

    It stays when the other side added it, or changed its label or fields
    since the common ancestor: dropping it would lose that change. A line
    number that moved does not count.
    """
    if base is None:
        return True
    return (remaining.is_secret, remaining.is_verified, remaining.extra) != (
        base.is_secret,
        base.is_verified,
        base.extra,
    )


class _Merger:
    """Collects the conflicts of one merge and hands out their placeholders."""

    def __init__(self) -> None:
        self.conflicts: dict[str, Conflict] = {}

    def placeholder(self, conflict: Conflict) -> str:
        text = f"{PLACEHOLDER_PREFIX}{len(self.conflicts)}"
        self.conflicts[text] = conflict
        return text

    def merge_entries(
        self, base: Baseline, ours: Baseline, theirs: Baseline
    ) -> tuple[list[BaselineEntry], dict[Identity, str]]:
        base_entries = base.entry_map()
        ours_entries = ours.entry_map()
        theirs_entries = theirs.entry_map()
        entries: list[BaselineEntry] = []
        conflicted: dict[Identity, str] = {}
        for identity in sorted(set(ours_entries) | set(theirs_entries)):
            base_entry = base_entries.get(identity)
            ours_entry = ours_entries.get(identity)
            theirs_entry = theirs_entries.get(identity)
            if ours_entry is not None and theirs_entry is not None:
                merged = _merge_fields(base_entry, ours_entry, theirs_entry)
                label = merge_label(
                    base_entry.is_secret if base_entry else None,
                    ours_entry.is_secret,
                    theirs_entry.is_secret,
                )
                if isinstance(label, _Undecided):
                    merged.is_secret = ours_entry.is_secret
                    conflicted[identity] = self.placeholder(
                        Conflict(
                            f"{ours_entry.describe()}: ours "
                            f"{describe_label(ours_entry.is_secret)}, theirs "
                            f"{describe_label(theirs_entry.is_secret)}",
                            ours_entry.is_secret,
                            theirs_entry.is_secret,
                        )
                    )
                else:
                    merged.is_secret = label
                entries.append(merged)
            elif ours_entry is not None and _keep_entry(base_entry, ours_entry):
                entries.append(ours_entry)
            elif theirs_entry is not None and _keep_entry(base_entry, theirs_entry):
                entries.append(theirs_entry)
        return entries, conflicted

    def merge_settings(
        self, base: Baseline, ours: Baseline, theirs: Baseline
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str]]:
        conflicted: dict[str, str] = {}
        lists: list[list[dict[str, Any]]] = []
        for field, key, order in (
            ("plugins_used", "name", write.ordered_plugins),
            ("filters_used", "path", write.ordered_filters),
        ):
            ours_list: list[dict[str, Any]] = getattr(ours, field)
            theirs_list: list[dict[str, Any]] = getattr(theirs, field)
            merged = _merge_settings(key, getattr(base, field), ours_list, theirs_list)
            if isinstance(merged, _Undecided):
                conflicted[field] = self.placeholder(
                    Conflict(
                        f"{field}: both sides changed the same setting",
                        order(ours_list),
                        order(theirs_list),
                    )
                )
                merged = ours_list
            lists.append(merged)
        return lists[0], lists[1], conflicted


def merge_baselines(base: Baseline, ours: Baseline, theirs: Baseline) -> MergeOutcome:
    """Merge THEIRS into OURS, with BASE as the common ancestor."""
    merger = _Merger()
    entries, conflicted_labels = merger.merge_entries(base, ours, theirs)
    plugins, filters, conflicted_settings = merger.merge_settings(base, ours, theirs)
    merged = Baseline(
        version=FORMAT_VERSION,
        plugins_used=plugins,
        filters_used=filters,
        entries=entries,
        extra=_merge_mapping(base.extra, ours.extra, theirs.extra, _prefer_ours),
        slim=ours.slim,
    )
    return MergeOutcome(merged, merger.conflicts, conflicted_settings, conflicted_labels)


def _conflict_lines(line: str, placeholder: str, conflict: Conflict) -> list[str]:
    """Replace the JSON line holding PLACEHOLDER with both sides between conflict markers."""
    quoted = json.dumps(placeholder)
    indent = line[: len(line) - len(line.lstrip())]
    before, _, after = line.partition(quoted)
    comma = "," if after.rstrip().endswith(",") else ""

    def render(value: Any) -> list[str]:
        text = before + json.dumps(value, indent=2).replace("\n", "\n" + indent) + comma
        return text.split("\n")

    return [
        "<<<<<<< ours",
        *render(conflict.ours),
        "=======",
        *render(conflict.theirs),
        ">>>>>>> theirs",
    ]


def format_merge(outcome: MergeOutcome) -> str:
    """Return the merged file content, with conflict markers where a value is undecided."""
    document = write.to_json(outcome.baseline)
    document.update(outcome.conflicted_settings)
    for identity, placeholder in outcome.conflicted_labels.items():
        for item in document["results"][identity.filename]:
            if (item["type"], item["hashed_secret"]) == identity[1:]:
                item["is_secret"] = placeholder
    text = write.format_json(document)
    if not outcome.conflicts:
        return text

    lines: list[str] = []
    for line in text.split("\n"):
        found = next((key for key in outcome.conflicts if json.dumps(key) in line), None)
        if found is None:
            lines.append(line)
        else:
            lines.extend(_conflict_lines(line, found, outcome.conflicts[found]))
    return "\n".join(lines)


def _load_side(path: str, side: str, allow_custom_plugins: bool) -> Baseline:
    if side == "BASE" and _is_blank(path):
        # git passes an empty file when both sides added the baseline.
        return Baseline(FORMAT_VERSION, [], [], [])
    try:
        return load_baseline(path, allow_custom_plugins=allow_custom_plugins)
    except FatalError as error:
        raise FatalError(f"merge driver could not read the {side} version: {error}") from error


def _is_blank(path: str) -> bool:
    try:
        return not Path(path).read_bytes().strip()
    except OSError:
        return False


def run(args: argparse.Namespace) -> int:
    base = _load_side(args.base, "BASE", args.allow_custom_plugins)
    ours = _load_side(args.ours, "OURS", args.allow_custom_plugins)
    theirs = _load_side(args.theirs, "THEIRS", args.allow_custom_plugins)

    outcome = merge_baselines(base, ours, theirs)
    write.write_atomically(args.ours, format_merge(outcome))
    if not outcome.conflicts:
        return 0

    sys.stderr.write(
        f"staged-secrets: the baseline merge has {plural(len(outcome.conflicts), 'conflict')}; "
        "both sides changed these differently:\n"
    )
    for conflict in outcome.conflicts.values():
        sys.stderr.write(f"  {conflict.description}\n")
    sys.stderr.write(
        "Keep one side of each block between '<<<<<<< ours' and '>>>>>>> theirs' in the "
        "baseline, then stage it.\n"
    )
    return 1
