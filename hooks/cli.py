"""The `staged-secrets` command line: a table of sub-commands and one error handler.

Exit codes: 0 nothing new, 1 new secrets (or a failed audit gate), 2 the
command could not do its job. The hook fails closed: exit 2 blocks a commit
just as exit 1 does.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TextIO, cast

from staged_secrets.hooks.errors import FatalError

EXIT_CLEAN = 0
EXIT_FOUND = 1
EXIT_ERROR = 2


class Command(NamedTuple):
    """A sub-command: where it sits, its help, its arguments and its work."""

    path: tuple[str, ...]
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def _scan_arguments(parser: argparse.ArgumentParser) -> None:
    from staged_secrets.hooks import scan

    scan.add_arguments(parser)


def _scan(args: argparse.Namespace) -> int:
    from staged_secrets.hooks import scan

    return scan.run(args)


def _create_arguments(parser: argparse.ArgumentParser) -> None:
    from staged_secrets.baseline import commands

    commands.add_create_arguments(parser)


def _create(args: argparse.Namespace) -> int:
    from staged_secrets.baseline import commands

    return commands.run_create(args)


def _update_arguments(parser: argparse.ArgumentParser) -> None:
    from staged_secrets.baseline import commands

    commands.add_update_arguments(parser)


def _update(args: argparse.Namespace) -> int:
    from staged_secrets.baseline import commands

    return commands.run_update(args)


def _merge_driver_arguments(parser: argparse.ArgumentParser) -> None:
    from staged_secrets.baseline import merge

    merge.add_arguments(parser)


def _merge_driver(args: argparse.Namespace) -> int:
    from staged_secrets.baseline import merge

    return merge.run(args)


def _audit_arguments(parser: argparse.ArgumentParser) -> None:
    from staged_secrets.baseline import audit

    audit.add_arguments(parser)


def _audit(args: argparse.Namespace) -> int:
    from staged_secrets.baseline import audit

    return audit.run(args)


COMMANDS = (
    Command(
        ("scan",), "scan staged changes (or a commit range) for new secrets", _scan_arguments, _scan
    ),
    Command(
        ("baseline", "create"),
        "scan every file in the index and write a new baseline",
        _create_arguments,
        _create,
    ),
    Command(
        ("baseline", "update"),
        "rescan the index and update the baseline, keeping labels",
        _update_arguments,
        _update,
    ),
    Command(
        ("baseline", "merge-driver"),
        "git merge driver for baseline files (%O %A %B)",
        _merge_driver_arguments,
        _merge_driver,
    ),
    Command(
        ("audit",),
        "label baseline entries as real secrets or false positives",
        _audit_arguments,
        _audit,
    ),
)


def _add_verbose(parser: argparse.ArgumentParser, default: object = argparse.SUPPRESS) -> None:
    # Sub-commands accept --verbose too. Their default is SUPPRESS so that
    # they do not reset a --verbose given before the sub-command.
    parser.add_argument(
        "--verbose", action="store_true", default=default, help="show more detail on errors"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staged-secrets",
        description="Block commits that add secrets, scanning only the lines they add.",
    )
    _add_verbose(parser, default=False)
    groups: dict[tuple[str, ...], argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    groups[()] = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parents: dict[tuple[str, ...], argparse.ArgumentParser] = {(): parser}

    for command in COMMANDS:
        for depth in range(1, len(command.path)):
            prefix = command.path[:depth]
            if prefix not in groups:
                group_parser = groups[prefix[:-1]].add_parser(
                    prefix[-1], help=f"{prefix[-1]} commands"
                )
                _add_verbose(group_parser)
                parents[prefix] = group_parser
                groups[prefix] = group_parser.add_subparsers(
                    dest=f"{'_'.join(prefix)}_command", metavar="COMMAND", required=True
                )
        sub = groups[command.path[:-1]].add_parser(
            command.path[-1], help=command.help, description=command.help
        )
        _add_verbose(sub)
        command.add_arguments(sub)
        sub.set_defaults(handler=command.run)
    return parser


def _describe_internal_error(error: BaseException) -> str:
    # The exception's message may quote scanned text, so only its type and
    # where it was raised are printed.
    frames = traceback.extract_tb(error.__traceback__)
    where = f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    return f"internal error ({type(error).__name__}{where})"


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    found: set[str] = set()
    for action in parser._actions:
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found.update(_option_strings(sub))
    return found


def protect_dash_paths(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """Prefix `./` to arguments that name existing files but look like options.

    pre-commit appends file names after the hook's arguments without a `--`,
    so a staged file named `-x.py` would otherwise be read as an option.
    """
    known = _option_strings(parser)
    protected: list[str] = []
    for position, argument in enumerate(argv):
        if argument == "--":
            protected.extend(argv[position:])
            break
        looks_like_option = argument.startswith("-") and argument != "-"
        if looks_like_option and argument not in known and os.path.lexists(argument):
            argument = os.path.join(os.curdir, argument)
        protected.append(argument)
    return protected


def _tolerate_unencodable_output() -> None:
    # A file name that the terminal's encoding cannot show must not turn a
    # finished scan into a crash.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


class ReportStream:
    """Standard output for a command: a failed write becomes a FatalError.

    A closed pipe (`| head`), a full disk or a closed descriptor (`>&-`, where
    Python sets sys.stdout to None) is a problem with where the report goes,
    not a bug in the scan, so it gets the one-line exit-2 message.
    """

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        self.failed = False

    def _fail(self, reason: str) -> FatalError:
        self.failed = True
        return FatalError(f"could not write the report: {reason}")

    def write(self, text: str) -> int:
        if self._stream is None:
            raise self._fail("standard output is closed")
        try:
            return self._stream.write(text)
        except (OSError, ValueError) as error:
            raise self._fail(_describe_output_error(error)) from None

    def flush(self) -> None:
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except (OSError, ValueError) as error:
            raise self._fail(_describe_output_error(error)) from None

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _describe_output_error(error: OSError | ValueError) -> str:
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror} on standard output"
    return "standard output is closed"


def _discard_pending_output() -> None:
    # Python flushes sys.stdout again at exit. After a broken pipe that flush
    # fails too and prints an "Exception ignored" trace, so the descriptor is
    # pointed at the null device. Streams without a descriptor need nothing.
    stream = sys.__stdout__
    if stream is None:
        return
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError):
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)


def _run_handler(args: argparse.Namespace) -> int:
    output = ReportStream(sys.stdout)
    original = sys.stdout
    sys.stdout = cast(TextIO, output)
    try:
        result: int = args.handler(args)
        output.flush()
        return result
    finally:
        sys.stdout = original
        if output.failed:
            _discard_pending_output()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    _tolerate_unencodable_output()
    arguments = protect_dash_paths(sys.argv[1:] if argv is None else argv, parser)
    try:
        args = parser.parse_args(arguments)
    except SystemExit as exit_request:
        code = exit_request.code
        return code if isinstance(code, int) and code == 0 else EXIT_ERROR

    try:
        return _run_handler(args)
    except FatalError as error:
        sys.stderr.write(f"staged-secrets: error: {error}\n")
    except KeyboardInterrupt:
        sys.stderr.write("staged-secrets: interrupted\n")
    except (Exception, SystemExit) as error:  # noqa: BLE001
        # SystemExit too: a library calling sys.exit() must not end the hook
        # with a passing exit code.
        sys.stderr.write(f"staged-secrets: {_describe_internal_error(error)}; please report it\n")
        if args.verbose:
            for frame in traceback.extract_tb(error.__traceback__):
                sys.stderr.write(f"  {frame.filename}:{frame.lineno} in {frame.name}\n")
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
