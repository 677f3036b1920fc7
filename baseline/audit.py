"""The `audit` command: label baseline entries, or report on their labels.

The command is interactive by default and needs a terminal. `--report` and
`--stats` print listings for people and CI, and `--fail-on-unaudited` and
`--fail-on-secret` turn them into gates that exit 1. Content is read from the
index, never the working tree, and no output contains a secret: only the
interactive screen shows one, in full, after the user presses the reveal key.
"""

from __future__ import annotations

import argparse
import os
import sys

from staged_secrets.baseline import audit_report
from staged_secrets.baseline.load import load_baseline
from staged_secrets.baseline.model import Baseline
from staged_secrets.hooks import detectors, git
from staged_secrets.hooks.errors import FatalError

DEFAULT_BASELINE = ".secrets.baseline"
EXIT_GATE_FAILED = 1
EXIT_INTERRUPTED = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--baseline",
        help=f"baseline file, relative to the current folder (default: {DEFAULT_BASELINE} "
        "at the top of the repository)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="also show entries that are labelled already (after the unlabelled ones)",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the interactive screen: auto (default) colours a terminal unless "
        "NO_COLOR is set",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--report",
        action="store_true",
        help="list every entry with its location, type, label and whether it is still in "
        "the index, without a prompt",
    )
    mode.add_argument(
        "--stats", action="store_true", help="count real, false positive and unaudited per type"
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format of --report and --stats",
    )
    parser.add_argument(
        "--fail-on-unaudited",
        action="store_true",
        help="with --report or --stats: exit 1 when an entry has no label",
    )
    parser.add_argument(
        "--fail-on-secret",
        action="store_true",
        help="with --report or --stats: exit 1 when an entry is labelled a real secret",
    )
    parser.add_argument(
        "--allow-custom-plugins",
        action="store_true",
        help="trust plugin and filter code paths named in the baseline (they run as code)",
    )


def _baseline_path(option_value: str | None, root: str) -> str:
    path = option_value if option_value is not None else os.path.join(root, DEFAULT_BASELINE)
    return os.path.abspath(path)


def _check_options(args: argparse.Namespace) -> None:
    listing = args.report or args.stats
    if (args.fail_on_unaudited or args.fail_on_secret) and not listing:
        raise FatalError(
            "--fail-on-unaudited and --fail-on-secret need --report or --stats, "
            "for example 'staged-secrets audit --report --fail-on-unaudited'"
        )
    if args.format != "text" and not listing:
        raise FatalError("--format applies to --report and --stats only")
    if args.all and listing:
        raise FatalError("--all applies to the interactive audit; --report lists every entry")


def _check_terminal() -> None:
    if not sys.stdin.isatty():
        raise FatalError(
            "the interactive audit needs a terminal, but standard input is not one; "
            "use 'staged-secrets audit --report' (or --stats) for a listing"
        )
    if not sys.stdout.isatty():
        # The screen can reveal a secret, which must not end up in a file or a log.
        raise FatalError(
            "the interactive audit writes only to a terminal, but standard output is not one; "
            "use 'staged-secrets audit --report' (or --stats) for a listing"
        )


def run(args: argparse.Namespace) -> int:
    _check_options(args)
    if not (args.report or args.stats):
        _check_terminal()

    root = git.top_level()
    path = _baseline_path(args.baseline, root)
    baseline = load_baseline(
        path, allow_custom_plugins=args.allow_custom_plugins, repository_root=root
    )
    shown_path = os.path.relpath(path)
    # The index lists paths relative to the current folder; baseline paths are
    # relative to the top of the repository.
    os.chdir(root)

    if args.stats:
        return _stats(args, baseline, shown_path)
    if args.report:
        return _report(args, baseline, shown_path)
    return _interactive(args, baseline, path, root)


def _gates(args: argparse.Namespace, baseline: Baseline) -> int:
    failures = audit_report.check_gates(
        baseline.entries, args.fail_on_unaudited, args.fail_on_secret
    )
    if not failures:
        return 0
    audit_report.write_gate_failures(sys.stderr, failures)
    return EXIT_GATE_FAILED


def _stats(args: argparse.Namespace, baseline: Baseline, shown_path: str) -> int:
    if args.format == "json":
        audit_report.write_json_stats(sys.stdout, shown_path, baseline.entries)
    else:
        audit_report.write_text_stats(sys.stdout, shown_path, baseline.entries)
    return _gates(args, baseline)


def _report(args: argparse.Namespace, baseline: Baseline, shown_path: str) -> int:
    from staged_secrets.baseline.locate import IndexReader

    detectors.configure(baseline.settings_json())
    rows = audit_report.build_rows(baseline, IndexReader())
    if args.format == "json":
        audit_report.write_json_report(sys.stdout, shown_path, rows)
    else:
        audit_report.write_text_report(sys.stdout, shown_path, rows)
    return _gates(args, baseline)


def _interactive(args: argparse.Namespace, baseline: Baseline, path: str, root: str) -> int:
    from staged_secrets.baseline.audit_screen import Screen
    from staged_secrets.baseline.audit_session import (
        AuditSession,
        ResumePosition,
        order_summary,
        summary,
        walk_order,
    )
    from staged_secrets.baseline.locate import IndexReader

    screen = Screen(args.color)
    position = ResumePosition(path)
    order = walk_order(baseline, args.all, position.read())
    if not baseline.entries:
        screen.say([("", f"{os.path.relpath(path)} has no entries to audit.")])
        return 0
    if not order:
        message = (
            f"Every entry of {os.path.relpath(path)} is labelled. "
            "Use --all to review them, or --report to list them."
        )
        screen.say([("", message)])
        return 0

    detectors.configure(baseline.settings_json())
    session = AuditSession(
        baseline_path=path,
        repository_root=root,
        allow_custom_plugins=args.allow_custom_plugins,
        baseline=baseline,
        reader=IndexReader(),
        screen=screen,
        position=position,
    )
    screen.say([("", order_summary(order, baseline))])
    try:
        finished = session.run(order)
    except KeyboardInterrupt:
        screen.say([("class:warning", "Interrupted.")])
        screen.say(summary(session.tally, session.baseline, False, path))
        return EXIT_INTERRUPTED

    if finished:
        position.clear()
    screen.say(summary(session.tally, session.baseline, finished, path))
    return 0
