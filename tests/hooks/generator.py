"""Generated files with planted fake secrets, and a staged modification of each.

Everything is drawn from one `random.Random`, so the same generator serves
hypothesis (through `st.randoms()`, which records and shrinks every draw) and
seeded loops. Secret values are assembled at run time; none is written in
this source.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable
from typing import NamedTuple

UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
LOWER_DIGITS = string.ascii_lowercase + string.digits
BASE64 = ALNUM + "+/"
HEX = "0123456789abcdef"

ALLOW = "pragma: allowlist secret"
ALLOW_NEXT = "pragma: allowlist nextline secret"

KEYWORD_NAMES = ["password", "db_pass", "secret", "api_key", "auth_token", "private_key", "pwd"]
NEUTRAL_NAMES = ["value", "build_hash", "checksum", "endpoint", "payload", "label", "digest"]
# Non-ASCII words, and characters that str.splitlines() treats as line ends
# but universal newlines (how detect-secrets reads files) do not.
WORDS = [
    "alpha",
    "bravo",
    "main",
    "localhost",
    "example",
    "caf\u00e9",
    "\u4e2d\u6587",
    "page\x0cbreak",
    "line\u2028separator",
    "next\x85line",
]


def _pick(rng: random.Random, alphabet: str, length: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# Secret values by detector. Prefixes are split so this file contains no token.
def _aws_key(rng: random.Random) -> str:
    return "AK" + "IA" + _pick(rng, UPPER_DIGITS, 16)


def _github_token(rng: random.Random) -> str:
    return "gh" + rng.choice("pousr") + "_" + _pick(rng, ALNUM, 36)


def _slack_token(rng: random.Random) -> str:
    numbers = "-".join(_pick(rng, string.digits, rng.randint(9, 12)) for _ in range(2))
    return "xo" + "x" + rng.choice("bpa") + "-" + numbers + "-" + _pick(rng, LOWER_DIGITS, 24)


def _stripe_key(rng: random.Random) -> str:
    return rng.choice("sr") + "k_" + "live_" + _pick(rng, ALNUM, 24)


def _jwt(rng: random.Random) -> str:
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": _pick(rng, LOWER_DIGITS, rng.randint(4, 12)), "iat": rng.randint(1, 10**9)}
    payload = _b64url(json.dumps(claims).encode())
    signature = _b64url(bytes(rng.randrange(256) for _ in range(32)))
    return f"{header}.{payload}.{signature}"


def _base64_string(rng: random.Random) -> str:
    return _pick(rng, BASE64, rng.randint(16, 48)) + rng.choice(["", "=", "=="])


def _hex_string(rng: random.Random) -> str:
    return _pick(rng, HEX, rng.choice([24, 32, 40, 64]))


def _password(rng: random.Random) -> str:
    return _pick(rng, ALNUM + "#%!*-", rng.randint(6, 24))


def _basic_auth_url(rng: random.Random) -> str:
    user = _pick(rng, string.ascii_lowercase, rng.randint(3, 8))
    return f"https://{user}:{_password(rng)}@db.example.invalid:5432/app"


def _benign(rng: random.Random) -> str:
    choices = [
        rng.choice(WORDS),
        "${" + _pick(rng, string.ascii_uppercase, 6) + "}",
        "<your-password-here>",
        "abcdefghijklmnop",
        "0123456789abcdef0123",
        "8f14e45f-ceea-467a-9b0e-" + _pick(rng, HEX, 12),
        "{{ secrets.token }}",
        "$" + _pick(rng, string.ascii_lowercase, 8),
        "changeme",
        "",
    ]
    return rng.choice(choices)


SECRET_MAKERS: list[Callable[[random.Random], str]] = [
    _aws_key,
    _github_token,
    _slack_token,
    _stripe_key,
    _jwt,
    _base64_string,
    _hex_string,
    _password,
    _basic_auth_url,
    _benign,
]


class FileKind(NamedTuple):
    """A file type: candidate names, comment marker, line templates for values and filler."""

    names: tuple[str, ...]
    comment: str
    value_lines: tuple[str, ...]
    filler: tuple[str, ...]


KINDS: dict[str, FileKind] = {
    "python": FileKind(
        ("app.py", "src/settings.py"),
        "#",
        (
            '{name} = "{value}"',
            "{name} = '{value}'",
            'connect({name}="{value}")',
            '    "{name}": "{value}",',
            "{name} = {value}",
            "# {value}",
        ),
        ("import os", "def main():", "    return {n}", "x_{n} = {n}", "# note {word}", ""),
    ),
    "javascript": FileKind(
        ("web/app.js",),
        "//",
        ('const {name} = "{value}";', "let {name} = '{value}';", '  {name}: "{value}",'),
        ("function f{n}() {{", "}}", "const n{n} = {n};", "// {word}", ""),
    ),
    "yaml": FileKind(
        ("deploy.yaml", "ci/config.yml"),
        "#",
        ("{name}: {value}", '{name}: "{value}"', "  {name}: {value}", "  - {value}"),
        ("service:", "  name: {word}", "  port: {n}", "# {word}", "items:", "  - {word}", ""),
    ),
    "ini": FileKind(
        ("settings.ini", "setup.cfg", "app.conf"),
        "#",
        ("{name} = {value}", "{name}: {value}", "{name}={value}", "    {value}"),
        ("[section_{n}]", "name = {word}", "count = {n}", "# {word}", "; {word}", ""),
    ),
    "env": FileKind(
        (".env", "prod.env", "Procfile", "config"),
        "#",
        ("{upper}={value}", 'export {upper}="{value}"', "{upper}='{value}'", "{upper} = {value}"),
        ("APP_NAME_{n}={word}", "RETRIES_{n}={n}", "# {word}", ""),
    ),
    "json": FileKind(
        ("data.json", "package-lock.json"),
        "//",
        ('  "{name}": "{value}",', '    "{value}",'),
        ("{{", "}}", '  "name": "{word}",', '  "count": {n},', '  "items": ['),
    ),
    "markdown": FileKind(
        ("README.md", "docs/setup.md"),
        "<!--",
        ("Log in with `{value}`.", "- {name}: {value}", '    {name} = "{value}"'),
        ("# Title {n}", "Some text about {word}.", "- item {n}", "```", ""),
    ),
}

KEY_HEADERS = ["RSA ", "EC ", "OPENSSH ", "DSA ", "", "ENCRYPTED "]


class GeneratedFile(NamedTuple):
    """A file's name, committed lines, staged lines (no line endings) and planted values."""

    filename: str
    old_lines: list[str]
    new_lines: list[str]
    values: list[str]


# Values that most detectors miss, so that whole files often have no
# finding at all, which is when detect-secrets runs its eager .env pass.
QUIET_MAKERS: list[Callable[[random.Random], str]] = [_hex_string, _base64_string, _benign]


class _Writer:
    """Draws lines of one file kind, remembering values to plant duplicates.

    A quiet writer plants only entropy strings and benign values, unquoted
    where the file kind allows, under names no keyword rule matches, and no
    private keys.
    """

    def __init__(self, rng: random.Random, kind: FileKind, quiet: bool) -> None:
        self.rng = rng
        self.kind = kind
        self.quiet = quiet
        self.values: list[str] = []

    def _comment(self, text: str) -> str:
        if self.kind.comment == "<!--":
            return f"<!-- {text} -->"
        return f"{self.kind.comment} {text}"

    def value(self) -> str:
        if self.values and self.rng.random() < 0.25:
            return self.rng.choice(self.values)
        value = self.rng.choice(QUIET_MAKERS if self.quiet else SECRET_MAKERS)(self.rng)
        self.values.append(value)
        return value

    def filler_line(self) -> str:
        template = self.rng.choice(self.kind.filler)
        return template.format(n=self.rng.randint(0, 99), word=self.rng.choice(WORDS))

    def value_line(self) -> list[str]:
        rng = self.rng
        keyword = not self.quiet and rng.random() < 0.5
        name = rng.choice(KEYWORD_NAMES if keyword else NEUTRAL_NAMES)
        if rng.random() < 0.6:
            # INI parsers reject a key repeated in one section.
            name += f"_{rng.randint(0, 999)}"
        templates = self.kind.value_lines
        if self.quiet:
            # Unquoted values hide from the entropy detectors until the eager
            # pass (or a transformer) quotes them.
            templates = tuple(t for t in templates if "'" not in t and '"' not in t) or templates
        template = rng.choice(templates)
        line = template.format(name=name, upper=name.upper(), value=self.value())
        roll = rng.random()
        if roll < 0.12:
            return [f"{line}  {self._comment(ALLOW)}"]
        if roll < 0.24:
            return [self._comment(ALLOW_NEXT), line]
        return [line]

    def key_body_line(self) -> str:
        line = _pick(self.rng, BASE64, self.rng.choice([44, 64]))
        self.values.append(line)
        return line

    def key_block(self) -> list[str]:
        rng = self.rng
        label = rng.choice(KEY_HEADERS)
        header = f"-----BEGIN {label}PRIVATE KEY-----"
        footer = f"-----END {label}PRIVATE KEY-----"
        body = [self.key_body_line() for _ in range(rng.randint(1, 4))]
        style = rng.choice(["plain", "plain", "nested", "one-line"])
        if style == "one-line":
            # The whole key on one line, as JSON and .env files store it.
            return [f'"key": "{header}\\n' + "\\n".join(body) + f'\\n{footer}\\n",']

        # "nested" is a YAML block scalar or an INI value continued on
        # indented lines; both are plain text to the other file types.
        indent = "  " if style == "nested" else ""
        lines = [indent + line for line in [header, *body]]
        if rng.random() < 0.85:
            lines.append(indent + footer)
        if style == "nested":
            lines.insert(
                0, "deploy_key =" if self.kind.comment == "#" and rng.random() < 0.5 else "key: |"
            )
        elif rng.random() < 0.2:
            lines.insert(0, self._comment(ALLOW_NEXT))
        return lines

    def block(self) -> list[str]:
        roll = self.rng.random()
        if roll < 0.45:
            return [self.filler_line()]
        if roll < 0.9 or self.quiet:
            return self.value_line()
        return self.key_block()

    def blocks(self, count: int) -> list[str]:
        lines: list[str] = []
        for _ in range(count):
            lines.extend(self.block())
        return lines


def _edit(rng: random.Random, writer: _Writer, lines: list[str]) -> list[str]:
    """Apply one random edit: insert, replace, delete, copy, or change a line in place."""
    position = rng.randint(0, len(lines))
    end = min(len(lines), position + rng.randint(1, 3))
    action = rng.randrange(7)
    if action == 0 or not lines:
        return lines[:position] + writer.blocks(rng.randint(1, 3)) + lines[position:]
    if action == 1:
        return lines[:position] + writer.blocks(rng.randint(1, 3)) + lines[end:]
    if action == 2:
        return lines[:position] + lines[end:]
    source = rng.randrange(len(lines))
    if action == 3:
        return lines[:position] + [lines[source]] + lines[position:]
    if action == 4:
        return (
            lines[:source] + [lines[source] + f"  {writer._comment(ALLOW)}"] + lines[source + 1 :]
        )
    if action == 5:
        return lines[:source] + [writer._comment(ALLOW_NEXT)] + lines[source:]
    # Change a private key's body (or any line) without touching its BEGIN line.
    body = [
        number
        for number, line in enumerate(lines)
        if set(line.strip()) <= set(BASE64 + "=") and len(line.strip()) >= 40
    ]
    target = rng.choice(body) if body else source
    indent = lines[target][: len(lines[target]) - len(lines[target].lstrip())]
    return lines[:target] + [indent + writer.key_body_line()] + lines[target + 1 :]


def generate_file(rng: random.Random, kind_name: str | None = None) -> GeneratedFile:
    """Draw a file of one kind and a staged modification of it."""
    kind_name = kind_name or rng.choice(sorted(KINDS))
    kind = KINDS[kind_name]
    writer = _Writer(rng, kind, quiet=rng.random() < 0.3)
    filename = rng.choice(kind.names)
    old_lines = writer.blocks(rng.randint(0, 12))
    new_lines = list(old_lines)
    for _ in range(rng.randint(1, 3)):
        new_lines = _edit(rng, writer, new_lines)
    return GeneratedFile(filename, old_lines, new_lines, writer.values)


def join_lines(rng: random.Random, lines: list[str], lone_cr: bool) -> str:
    """Join LINES with LF, CRLF or (when LONE_CR) some lone CR endings."""
    endings = ["\n"] * 8 + ["\r\n"] * 2 + (["\r"] if lone_cr else [])
    style = rng.choice(["\n", "\r\n", "mixed"])
    parts = []
    for line in lines:
        ending = rng.choice(endings) if style == "mixed" else style
        parts.append(line + ending)
    text = "".join(parts)
    if text and rng.random() < 0.2:
        text = text.rstrip("\r\n")
    return text
