"""detect-secrets' INI transformer, with the same output in linear time.

detect-secrets 1.5.0 rewrites INI-looking files (`transformers/config.py`)
into `key = "value"` lines placed at each value's line number. To find the
line numbers it compiles one regular expression per option and copies the
remaining list of lines after each option, which makes a file of 50,000
options take minutes. This module keeps configparser for the parse, so
sections, defaults and interpolation stay as they are, and it keeps the
transformer's line-matching rules. It matches the first line of each option
with string operations and walks the lines with an index instead of copying
them.

The tests compare `transform` with detect-secrets' own `_parse_file` on
generated files.
"""

from __future__ import annotations

import re
from typing import Any

# Characters that the transformer's first-line pattern `[ :=]+` accepts
# between an option's name and its value.
SEPARATORS = frozenset(" :=")
LEADING_WHITESPACE = re.compile(r"\s*")


def first_line_matches(line: str, key: str, value: str) -> bool:
    """Return whether LINE starts like `KEY = VALUE`, as the transformer's pattern decides.

    The pattern is `^\\s*KEY[ :=]+VALUE` with KEY and VALUE escaped. Because
    `[ :=]+` may give back characters, any split of the separator run counts.
    """
    leading = LEADING_WHITESPACE.match(line)
    start_max = leading.end() if leading else 0
    for start in range(start_max, -1, -1):
        if not line.startswith(key, start):
            continue
        position = start + len(key)
        end = position
        while end < len(line) and line[end] in SEPARATORS:
            end += 1
        for value_start in range(position + 1, end + 1):
            if line.startswith(value, value_start):
                return True
    return False


def _parser_class() -> Any:
    from detect_secrets.transformers.config import (
        IniFileParser,
        _construct_values_list,
        _is_allowlist_nextline_secret_comment,
    )

    class LinearIniFileParser(IniFileParser):
        """IniFileParser whose line search walks an index instead of copying lists."""

        def _get_value_and_line_offset(self, key: str, values: str) -> list[tuple[str, int]]:
            # self.lines stays whole; self.line_offset is the index where the
            # original's shortened list would start.
            values_list = _construct_values_list(values)
            if not values_list:
                return []

            lines: list[str] = self.lines
            start: int = self.line_offset
            current = 0
            output: list[tuple[str, int]] = []
            for index in range(start, len(lines)):
                line = lines[index]
                if "pragma" in line and _is_allowlist_nextline_secret_comment(line):
                    output.append((line, index + 1))
                    continue
                if not line or self._comment_regex.match(line):
                    continue

                if current == 0:
                    if first_line_matches(line, key, values_list[0]):
                        output.append((values_list[0], index + 1))
                        current += 1
                    continue

                if current == len(values_list):
                    # The original drops the lines before this one (at least
                    # one line, even when this is the first line it holds).
                    self.line_offset = max(index, start + 1)
                    break

                output.append((values_list[current], index + 1))
                current += 1
            else:
                self.line_offset = len(lines)
            return output

    return LinearIniFileParser


_linear_parser: Any = None


def transform(file: Any, add_header: bool = False) -> list[str]:
    """Return detect-secrets' INI transformer output for FILE.

    Raises configparser.Error where detect-secrets' `_parse_file` raises it
    (the transformer turns that into ParsingError).
    """
    global _linear_parser
    from detect_secrets.transformers.config import _is_allowlist_nextline_secret_comment

    if _linear_parser is None:
        _linear_parser = _parser_class()

    lines: list[str] = []
    for key, value, line_number in _linear_parser(file, add_header=add_header):
        while len(lines) < line_number - 1:
            lines.append("")

        if _is_allowlist_nextline_secret_comment(value):
            lines.append(value)
            continue

        # Config values are strings, so the transformer quotes them (after
        # removing one pair of matching quotes) for the entropy plugins.
        if value[0] in ("'", '"') and value[-1] == value[0]:
            value = value[1:-1]
        escaped = value.replace('"', '\\"')
        lines.append(f'{key} = "{escaped}"')
    return lines
