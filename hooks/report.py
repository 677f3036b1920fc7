"""Print scan results as text or JSON. No output ever contains a secret."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from typing import Any, TextIO

from staged_secrets.hooks.changes import Finding, ScanResult
from staged_secrets.hooks.words import plural


def display_path(path: str) -> str:
    """Return PATH as one printable line.

    Bytes that are not UTF-8 (kept as surrogate escapes by the diff reader)
    become `\\xNN`, and control characters such as a newline become escapes,
    so a file name cannot break or forge a line of the report.
    """
    text = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(
        character if character.isprintable() else character.encode("unicode_escape").decode()
        for character in text
    )


def json_path(path: str) -> str:
    """Return PATH as valid Unicode for JSON: bytes that are not UTF-8 become `\\xNN`."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def json_path_fields(path: str, key: str = "filename") -> dict[str, str]:
    """Return PATH under KEY, plus its bytes in hex under KEY_bytes_hex when it is not UTF-8.

    The `\\xNN` text of such a name could also be a real name, so the raw
    bytes let a consumer find the file.
    """
    fields = {key: json_path(path)}
    raw = path.encode("utf-8", "surrogateescape")
    if fields[key] != path:
        fields[f"{key}_bytes_hex"] = raw.hex()
    return fields


class ReportContext:
    """Context the report prints besides the findings: baseline and scope."""

    def __init__(
        self,
        baseline_path: str,
        baseline_found: bool,
        range_description: str | None = None,
        baseline_given: bool = False,
        whole_files: bool = False,
    ) -> None:
        self.baseline_path = baseline_path
        self.baseline_found = baseline_found
        self.range_description = range_description
        self.baseline_given = baseline_given
        self.whole_files = whole_files

    def baseline_option(self) -> str:
        """Return the `--baseline` option that suggested commands need, or ''."""
        if not self.baseline_given:
            return ""
        return f" --baseline {shlex.quote(display_path(self.baseline_path))}"


def _location(finding: Finding) -> str:
    location = f"{display_path(finding.filename)}:{finding.line_number}"
    if finding.commit:
        location = f"{finding.commit[:12]} {location}"
    return location


def write_text(
    stream: TextIO, result: ScanResult, new: Sequence[Finding], context: ReportContext
) -> None:
    """Write the human-readable report."""
    scope = context.range_description or "staged changes"
    if context.whole_files:
        lines = plural(result.lines_scanned, "line")
        files = plural(result.files_scanned, "whole file")
        summary = f"staged-secrets: scanned {lines} of {files} ({scope})"
    else:
        lines = plural(result.lines_scanned, "added line")
        files = plural(result.files_scanned, "file")
        summary = f"staged-secrets: scanned {lines} in {files} ({scope})"
    known = len(result.findings) - len(new)
    if known:
        summary += f"; {known} known to the baseline"
    stream.write(summary + "\n")

    if not context.baseline_found:
        stream.write(
            f"No baseline found at {context.baseline_path}: every finding counts as new.\n"
        )
    for skipped in result.skipped:
        stream.write(f"skipped {display_path(skipped.filename)}: {skipped.reason}\n")
    for note in result.notes:
        stream.write(f"note: {display_path(note.filename)}: {note.message}\n")
    _write_empty_scan(stream, result, scope)

    if not new:
        return

    stream.write(f"\nFound {plural(len(new), 'new potential secret')}:\n")
    for finding in new:
        stream.write(f"  {_location(finding)}: {finding.type}: {finding.preview}\n")

    if any(finding.commit for finding in new):
        stream.write(_next_steps_for_commits(context))
    else:
        stream.write(_next_steps_for_staged(context))


def _next_steps_for_staged(context: ReportContext) -> str:
    baseline_command = "update" if context.baseline_found else "create"
    option = context.baseline_option()
    return (
        "\nWhat to do next:\n"
        "  - a real secret: remove it from the file, unstage it, and rotate it if it was "
        "shared;\n"
        "  - a false positive on one line: add the comment 'pragma: allowlist secret' at the end\n"
        "    of that line (or 'pragma: allowlist nextline secret' on the line above);\n"
        f"  - accept it in the baseline: run 'staged-secrets baseline {baseline_command}{option}',"
        "\n"
        f"    then 'staged-secrets audit{option}' to label it, and stage "
        f"{display_path(context.baseline_path)}.\n"
    )


def _next_steps_for_commits(context: ReportContext) -> str:
    # The secrets are in commits already made, so a change to the working
    # tree alone leaves them in the history that is pushed.
    baseline_command = "update" if context.baseline_found else "create"
    option = context.baseline_option()
    return (
        "\nWhat to do next:\n"
        "  - a real secret: remove it from the commits listed by rewriting them (git rebase -i,\n"
        "    git commit --amend), because a later commit that deletes it leaves it in the\n"
        "    history; and rotate it;\n"
        "  - a false positive: add it to the baseline with "
        f"'staged-secrets baseline {baseline_command}{option}'\n"
        "    (it scans the staged files, which must still contain it), label it with\n"
        f"    'staged-secrets audit{option}', and commit {display_path(context.baseline_path)}.\n"
    )


def _write_empty_scan(stream: TextIO, result: ScanResult, scope: str) -> None:
    if result.lines_scanned:
        return
    if not result.files_changed:
        stream.write(f"Nothing to scan: no changed files in the {scope}.\n")
        return
    stream.write(
        f"No line was scanned: {plural(result.files_changed, 'changed file')}, with no added "
        "text lines (deletions, renames, mode changes, submodules, empty files) or skipped.\n"
    )


def finding_json(finding: Finding) -> dict[str, Any]:
    output: dict[str, Any] = {
        **json_path_fields(finding.filename),
        "line_number": finding.line_number,
        "type": finding.type,
        "hashed_secret": finding.hashed_secret,
    }
    if finding.commit:
        output["commit"] = finding.commit
    return output


def write_json(
    stream: TextIO, result: ScanResult, new: Sequence[Finding], context: ReportContext
) -> None:
    """Write one JSON object with the new findings under `results`."""
    document = {
        "results": [finding_json(finding) for finding in new],
        "known_to_baseline": len(result.findings) - len(new),
        "files_scanned": result.files_scanned,
        "lines_scanned": result.lines_scanned,
        "files_changed": result.files_changed,
        "skipped": [
            {**json_path_fields(skipped.filename), "reason": skipped.reason}
            for skipped in result.skipped
        ],
        "notes": [
            {**json_path_fields(note.filename), "message": note.message} for note in result.notes
        ],
        "baseline": json_path(context.baseline_path) if context.baseline_found else None,
    }
    json.dump(document, stream, indent=2)
    stream.write("\n")
