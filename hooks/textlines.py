"""The lines of a large text, split only where they are read.

A hook run on a one-line change to a 5 MB file needs a dozen lines around
the change, not the 100,000 others, and splitting them all costs more than
the scan. `TextLines` counts line breaks in C, block by block, and cuts out a
line only when it is indexed.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from typing import overload

# Characters per block of the line index. Finding a line walks at most one
# block with str.find.
BLOCK_SIZE = 1 << 14


class TextLines(Sequence[str]):
    """The lines of TEXT, each with its "\\n", for a text whose only line break is "\\n".

    Equal, item by item, to the list that `str.split("\\n")` gives with the
    breaks kept (and no empty last item).
    """

    def __init__(self, text: str) -> None:
        self._text = text
        # _block_lines[b] is the number of line breaks before block b.
        self._block_lines: list[int] = []
        breaks = 0
        for start in range(0, len(text), BLOCK_SIZE):
            self._block_lines.append(breaks)
            breaks += text.count("\n", start, start + BLOCK_SIZE)
        unterminated = 1 if text and not text.endswith("\n") else 0
        self._length = breaks + unterminated

    def __len__(self) -> int:
        return self._length

    def _start(self, index: int) -> int:
        """Return the offset where line INDEX (0-based) starts."""
        if index == 0:
            return 0
        # The line starts after break number index - 1 (0-based).
        wanted = index - 1
        block = bisect.bisect_right(self._block_lines, wanted) - 1
        position = block * BLOCK_SIZE - 1
        for _ in range(wanted - self._block_lines[block] + 1):
            position = self._text.find("\n", position + 1)
        return position + 1

    def _line_at(self, start: int) -> tuple[str, int]:
        end = self._text.find("\n", start)
        if end < 0:
            return self._text[start:], len(self._text)
        return self._text[start : end + 1], end + 1

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            first, stop, step = index.indices(self._length)
            if step != 1:
                return [self[number] for number in range(first, stop, step)]
            lines: list[str] = []
            if first >= stop:
                return lines
            position = self._start(first)
            for _ in range(first, stop):
                line, position = self._line_at(position)
                lines.append(line)
            return lines

        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("line index out of range")
        return self._line_at(self._start(index))[0]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_list())

    def to_list(self) -> list[str]:
        """Return every line, split in one pass."""
        pieces = self._text.split("\n")
        lines = [piece + "\n" for piece in pieces[:-1]]
        if pieces[-1]:
            lines.append(pieces[-1])
        return lines
