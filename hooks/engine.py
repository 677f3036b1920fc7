"""Run detect-secrets' detectors on chosen lines of a file's text.

The contract: for a file's text and the set of lines a change adds, return
exactly what detect-secrets 1.5.0's `scan_file` returns for the whole file,
restricted to those lines. That function

- rewrites the whole file with a transformer when one applies (INI-style
  content of any file type, YAML), and scans the rewritten lines;
- keeps one result per (type, hashed secret), at the first line it occurs;
- runs a second, "eager" pass that reads `.env`-style files as INI, but only
  when the first pass found nothing anywhere in the file.

So the whole text always goes through the transformers, only added lines go
through the per-line detectors, and the rest of the file is scanned only when
the result depends on it. It relies on detect-secrets' private per-line
functions, which is why detect-secrets is pinned to one exact version and the
differential tests compare this module with `scan_file`.
"""

from __future__ import annotations

import configparser
import io
import re
from collections.abc import Iterable, Iterator, Sequence, Set
from typing import Any, NamedTuple, cast

from staged_secrets.hooks import configfile, prefilter
from staged_secrets.hooks.textlines import TextLines


class RawSecret(NamedTuple):
    """A detection on one line, with the plain secret (kept in memory only)."""

    line_number: int
    type: str
    hashed_secret: str
    secret: str


PRIVATE_KEY_BEGIN = re.compile(r"BEGIN .*?PRIVATE KEY|PuTTY-User-Key-File-2")
PRIVATE_KEY_END = re.compile(r"END .*PRIVATE KEY|Private-MAC:")
PRIVATE_KEY_TYPE = "Private Key"
# Text that every line matching PRIVATE_KEY_BEGIN contains; one regular
# expression search is faster than two substring tests on a large text.
PRIVATE_KEY_MARKERS = re.compile("PRIVATE KEY|PuTTY")

# A change of at most this many lines reads the lines of its file on demand
# instead of splitting the whole file.
LAZY_LINES_LIMIT = 200

# A private key block longer than this many lines is not tied back to its
# BEGIN line. NOTE: PEM keys up to RSA 16384 bits and typical PGP private key
# blocks fit; a longer block is reported only where detect-secrets reports it.
MAX_PRIVATE_KEY_LINES = 2000


class _NamedText(io.StringIO):
    """An in-memory text file with a name, as detect-secrets' transformers expect."""

    def __init__(self, text: str, name: str) -> None:
        # newline=None reads with universal newlines, as open() does.
        super().__init__(text, newline=None)
        self.name = name


class _LineScanner:
    """detect-secrets' per-line engine over one list of lines, with a cache.

    JOINED, when given, is "".join(LINES) with "\n" as the only line break; it
    lets whole-file questions be answered by substring searches in C.
    """

    def __init__(self, filename: str, lines: Sequence[str], joined: str | None = None) -> None:
        self.filename = filename
        self.lines = lines
        self.joined = joined
        self._cache: dict[int, list[RawSecret]] = {}

    def all_lines(self) -> Sequence[str]:
        """Return the lines, split in full first when they were split on demand.

        Reading many lines of a TextLines one by one walks the text each time.
        """
        if isinstance(self.lines, TextLines):
            self.lines = self.lines.to_list()
        return self.lines

    def prefilter(self, line_numbers: Iterable[int]) -> None:
        """Record an empty result for each of LINE_NUMBERS that no plugin can match."""
        wanted = [number for number in line_numbers if number not in self._cache]
        if len(wanted) < 2:
            return
        lines = self.all_lines() if len(wanted) > LAZY_LINES_LIMIT else self.lines
        candidates = prefilter.candidate_indexes(lines, [number - 1 for number in wanted])
        for number in wanted:
            if number - 1 not in candidates:
                self._cache[number] = []

    def scan(self, line_number: int) -> list[RawSecret]:
        cached = self._cache.get(line_number)
        if cached is None:
            cached = self._scan_uncached(line_number)
            self._cache[line_number] = cached
        return cached

    def _scan_uncached(self, line_number: int) -> list[RawSecret]:
        from detect_secrets.core.scan import _is_filtered_out, _scan_line
        from detect_secrets.util.code_snippet import get_code_snippet

        line = self.lines[line_number - 1].rstrip()
        # Plugins whose necessary condition fails cannot report on this line,
        # so leaving them out changes no result.
        plugins = prefilter.plugins_that_may_match(line)
        if not plugins:
            return []

        # get_code_snippet only slices the lines, which a TextLines supports.
        snippet = get_code_snippet(lines=cast("list[str]", self.lines), line_number=line_number)
        if _is_filtered_out(
            required_filter_parameters=["line"],
            filename=self.filename,
            line=line,
            context=snippet,
        ):
            return []

        found: list[RawSecret] = []
        for plugin in plugins:
            for secret in _scan_line(
                plugin=plugin,
                filename=self.filename,
                line=line,
                line_number=line_number,
                context=snippet,
            ):
                if _is_filtered_out(
                    required_filter_parameters=["context"],
                    filename=secret.filename,
                    secret=secret.secret_value,
                    plugin=plugin,
                    line=line,
                    context=snippet,
                ):
                    continue
                found.append(
                    RawSecret(
                        line_number, secret.type, secret.secret_hash, secret.secret_value or ""
                    )
                )
        found.sort(key=lambda item: (item.type, item.hashed_secret))
        return found

    def first_results(self, line_numbers: Set[int] | None) -> list[RawSecret]:
        """Scan LINE_NUMBERS (all lines when None), one result per identity at its first line.

        A secret found on a chosen line is dropped when an earlier line that
        was not chosen yields the same identity, because detect-secrets
        reports it there.
        """
        count = len(self.lines)
        chosen = range(1, count + 1) if line_numbers is None else sorted(line_numbers)
        self.prefilter(number for number in chosen if 1 <= number <= count)
        seen: set[tuple[str, str]] = set()
        results: list[RawSecret] = []
        known = self._cache
        for line_number in chosen:
            if line_number < 1 or line_number > count or known.get(line_number) == []:
                continue
            for secret in self.scan(line_number):
                identity = (secret.type, secret.hashed_secret)
                if identity in seen:
                    continue
                seen.add(identity)
                if line_numbers is not None and self._found_earlier(secret, line_numbers):
                    continue
                results.append(secret)
        return results

    def _found_earlier(self, secret: RawSecret, chosen: Set[int]) -> bool:
        identity = (secret.type, secret.hashed_secret)
        first_line = 1
        if self.joined is not None and secret.secret:
            position = self.joined.find(secret.secret)
            if position < 0:
                return False
            first_line = self.joined.count("\n", 0, position) + 1
        if secret.line_number - first_line > LAZY_LINES_LIMIT:
            self.all_lines()
        for earlier in range(first_line, secret.line_number):
            if earlier in chosen or secret.secret not in self.lines[earlier - 1]:
                continue
            if any((item.type, item.hashed_secret) == identity for item in self.scan(earlier)):
                return True
        return False

    def any_result_outside(self, chosen: Set[int]) -> bool:
        """Return whether some line outside CHOSEN yields a secret."""
        outside = [number for number in range(1, len(self.lines) + 1) if number not in chosen]
        self.prefilter(outside)
        return any(self.scan(line_number) for line_number in outside)

    def contains(self, pattern: re.Pattern[str]) -> bool:
        """Return whether some line contains a match of PATTERN (which matches no line break)."""
        if self.joined is not None:
            return pattern.search(self.joined) is not None
        return any(pattern.search(line) for line in self.lines)


def is_file_excluded(filename: str) -> bool:
    """Return whether detect-secrets' filename filters skip FILENAME."""
    from detect_secrets.core.scan import _is_filtered_out

    return bool(_is_filtered_out(required_filter_parameters=["filename"], filename=filename))


# Characters that str.splitlines() treats as line breaks but universal-newline
# reading (what detect-secrets' open() does) leaves inside a line.
_SPLITLINES_ONLY_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def plain_lines(text: str) -> tuple[list[str], str]:
    """Split TEXT as `readlines()` on a universal-newline text file does.

    Returns the lines and their concatenation, whose only line break is "\n".
    """
    joined = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    if not any(character in joined for character in _SPLITLINES_ONLY_BREAKS):
        return joined.splitlines(keepends=True), joined
    pieces = joined.split("\n")
    lines = [piece + "\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines, joined


# The transformers of detect-secrets 1.5.0 (tests check the list): the INI
# transformer tries every file, the eager INI transformer files of type OTHER,
# and the YAML transformer YAML files. Knowing this lets a scan skip loading
# them (and PyYAML) when none can succeed.
KNOWN_TRANSFORMERS = ("ConfigFileTransformer", "EagerConfigFileTransformer", "YAMLTransformer")


def _transformed_lines(filename: str, text: str, eager: bool) -> list[str] | None:
    """Return what detect-secrets' get_transformed_file returns for TEXT, or None.

    The transformers are tried in detect-secrets' order. When the prefilter
    shows that an INI transformer would fail, it is passed over as if it had
    failed, without parsing the whole text.
    """
    from detect_secrets.util.filetype import FileType, determine_file_type

    file_type = determine_file_type(filename)
    if eager:
        if file_type != FileType.OTHER:
            return None
        if not prefilter.may_parse_as_eager_config(filename, text):
            return None
        config_may_parse = True
    else:
        config_may_parse = prefilter.may_parse_as_config(filename, text)
        if not config_may_parse and file_type != FileType.YAML:
            return None

    from detect_secrets.transformers import get_transformers
    from detect_secrets.transformers.config import (
        ConfigFileTransformer,
        EagerConfigFileTransformer,
    )
    from detect_secrets.transformers.exceptions import ParsingError

    transformers: list[Any] = list(get_transformers())
    handle: _NamedText | None = None
    try:
        for transformer in transformers:
            if transformer.is_eager != eager or not transformer.should_parse_file(filename):
                continue
            if type(transformer) is ConfigFileTransformer and not config_may_parse:
                continue
            if handle is None:
                handle = _NamedText(text, filename)
            try:
                if type(transformer) in (ConfigFileTransformer, EagerConfigFileTransformer):
                    return configfile.transform(handle, add_header=transformer.is_eager)
                return list(transformer.parse_file(handle))
            except (ParsingError, configparser.Error):
                pass
            finally:
                handle.seek(0)
    except Exception:  # noqa: BLE001
        # A transformer that crashes on odd input would make detect-secrets
        # abort the file; scanning the plain lines finds more, never less.
        return None
    return None


def _first_pass_scanner(filename: str, text: str, lazy: bool) -> _LineScanner:
    lines = _transformed_lines(filename, text, eager=False)
    if lines:
        return _LineScanner(filename, lines)
    if lazy:
        joined = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
        return _LineScanner(filename, TextLines(joined), joined)
    plain, joined = plain_lines(text)
    return _LineScanner(filename, plain, joined)


def _eager_pass_lines(filename: str, text: str) -> list[str] | None:
    return _transformed_lines(filename, text, eager=True) or None


def scan_text(filename: str, text: str, added: Set[int] | None) -> list[RawSecret]:
    """Return detect-secrets' findings for FILENAME's TEXT on the ADDED lines.

    ADDED None means every line (a whole-file scan). FILENAME drives the
    file-type rules and filters; the text is never read from disk.
    """
    if is_file_excluded(filename):
        return []

    lazy = added is not None and len(added) <= LAZY_LINES_LIMIT
    first = _first_pass_scanner(filename, text, lazy)
    results = first.first_results(added)
    if added is not None:
        results.extend(_private_key_headers(first, text, added, results))
    if results:
        return sorted(results)

    eager_lines = _eager_pass_lines(filename, text)
    if eager_lines is None:
        return []
    eager = _LineScanner(filename, eager_lines)
    eager_results = eager.first_results(added)
    if not eager_results:
        return []
    if added is not None and first.any_result_outside(added):
        return []
    return sorted(eager_results)


def _private_key_blocks(lines: Sequence[str]) -> Iterator[tuple[int, int]]:
    begin: int | None = None
    for number, line in enumerate(lines, start=1):
        header = PRIVATE_KEY_BEGIN.search(line)
        if header is not None:
            # A key on one line (an escaped PEM string, or a YAML block scalar
            # after the transformer) has no body lines that change on their own.
            begin = None if PRIVATE_KEY_END.search(line, header.end()) else number
        elif begin is not None and (
            PRIVATE_KEY_END.search(line) or number - begin > MAX_PRIVATE_KEY_LINES
        ):
            yield begin, number
            begin = None
    if begin is not None:
        yield begin, len(lines)


def _private_key_headers(
    first: _LineScanner, text: str, added: Set[int], already: list[RawSecret]
) -> list[RawSecret]:
    """Report a key block's BEGIN line when only the block's body changed.

    detect-secrets matches private keys on the BEGIN line alone, so a new key
    pasted under an unchanged header would otherwise go unreported. Blocks
    are looked for in the file's own lines, because a transformer may fold a
    whole block into one line (the YAML transformer does with block scalars).
    """
    if not PRIVATE_KEY_MARKERS.search(text):
        return []
    lines = _NamedText(text, first.filename).readlines()
    scanner = first if lines == first.lines else _LineScanner(first.filename, lines)

    reported = {(secret.type, secret.hashed_secret) for secret in already}
    extra: list[RawSecret] = []
    for begin, end in _private_key_blocks(scanner.all_lines()):
        if begin in added or not any(number in added for number in range(begin + 1, end + 1)):
            continue
        for secret in scanner.scan(begin):
            identity = (secret.type, secret.hashed_secret)
            if secret.type == PRIVATE_KEY_TYPE and identity not in reported:
                reported.add(identity)
                extra.append(secret)
    return extra
