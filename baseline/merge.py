"""Placeholder until the merge command lands."""

from __future__ import annotations

import argparse

from staged_secrets.hooks.errors import FatalError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs="*")


def run(args: argparse.Namespace) -> int:
    raise FatalError("this command is not available yet")
