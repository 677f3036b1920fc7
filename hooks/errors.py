"""The one error type for "this command cannot do its job"."""

from __future__ import annotations


class FatalError(Exception):
    """A failure that ends the command with exit code 2 and a one-line message.

    The message names the value that failed and, where there is one, the fix.
    It must never contain secret text.
    """
