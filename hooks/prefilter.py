"""Cheap, exact checks that let the scanner skip work detect-secrets would waste.

Each function may return True when in doubt; it returns False only when
detect-secrets 1.5.0 could not produce a result from the input.

`may_match` rests on one necessary condition per configured plugin: a
substring or short pattern that every match of the plugin's own regular
expressions contains. The conditions use the plugins' character classes and
case rules. `re.IGNORECASE` on a `str` pattern also folds characters such as
the Kelvin sign, so case-insensitive parts stay regular expressions rather
than `str.lower()` tests. A plugin missing from the table below, or a
subclass of a listed one, makes every line a candidate.
"""

from __future__ import annotations

import bisect
import math
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple


class Spec(NamedTuple):
    """A plugin's necessary condition and the literals that find candidate lines fast.

    Every match of `pattern` contains one of `anchors`, or (for an ASCII
    line) one of `lower_anchors` in the lower-cased line. With no anchors,
    `pattern` itself is searched in the whole text.
    """

    pattern: str
    anchors: tuple[str, ...] = ()
    lower_anchors: tuple[str, ...] = ()


# Words that every key-or-password name of the cloud plugins contains
# ("pwd" and "password" contain "pw" and "pass").
CLOUD_KEY_WORDS = ("key", "pw", "pass", "token")

# Necessary conditions of detect-secrets 1.5.0's regex-based plugins, keyed by
# plugin class. Each is a part that every match of the plugin's denylist
# contains (see each plugin's module), so a line without it yields nothing.
REGEX_PLUGIN_CONDITIONS = {
    "detect_secrets.plugins.artifactory.ArtifactoryDetector": Spec(
        r"AKC|AP[\dABCDEF]", anchors=("AKC", "AP")
    ),
    # Key IDs, or the case-insensitive "aws" that starts the secret-key pattern.
    "detect_secrets.plugins.aws.AWSKeyDetector": Spec(
        r"A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA|(?i:aws)",
        anchors=("A3T", "ABIA", "ACCA", "AKIA", "ASIA"),
        lower_anchors=("aws",),
    ),
    "detect_secrets.plugins.azure_storage_key.AzureStorageKeyDetector": Spec(
        r"AccountKey=", anchors=("AccountKey=",)
    ),
    "detect_secrets.plugins.basic_auth.BasicAuthDetector": Spec(r"://", anchors=("://",)),
    # The assignment form is prefix, optional dash or underscore, optional
    # "api", then a keyword. Both URL forms end in ".cloudant.com".
    "detect_secrets.plugins.cloudant.CloudantDetector": Spec(
        r"(?i:cl(?:oudant|ou)?[-_]?(?:api)?(?:key|pw|pass|token)|\.cloudant\.com)",
        lower_anchors=(*CLOUD_KEY_WORDS, ".cloudant.com"),
    ),
    "detect_secrets.plugins.discord.DiscordBotTokenDetector": Spec(
        r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"
    ),
    "detect_secrets.plugins.github_token.GitHubTokenDetector": Spec(
        r"gh[pousr]_", anchors=("ghp_", "gho_", "ghu_", "ghs_", "ghr_")
    ),
    "detect_secrets.plugins.gitlab_token.GitLabTokenDetector": Spec(
        r"gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-|GR1348941",
        anchors=(
            *(f"gl{kind}-" for kind in ("pat", "dt", "ft", "soat", "rt", "cbt", "imt", "ptt")),
            "glagent-",
            "gloas-",
            "GR1348941",
        ),
    ),
    # The key name may be as short as "key", so the 44-character secret that
    # follows it is part of the condition (case-insensitive, like the
    # plugin's pattern). The secret follows an assignment sign, a space or a
    # quote, so it starts a run and the lookbehind rejects no plugin match.
    "detect_secrets.plugins.ibm_cloud_iam.IbmCloudIamDetector": Spec(
        r"(?i:(?:key|pw|pass|token).*?(?<![a-zA-Z0-9_\-])[a-zA-Z0-9_\-]{44})",
        lower_anchors=CLOUD_KEY_WORDS,
    ),
    "detect_secrets.plugins.ibm_cos_hmac.IbmCosHmacDetector": Spec(
        r"(?i:secret)", lower_anchors=("secret",)
    ),
    # Four dotted groups of one to three ASCII digits; the leading "\." lets
    # the regular expression engine jump from dot to dot.
    "detect_secrets.plugins.ip_public.IPPublicDetector": Spec(
        r"\.(?<=[0-9]\.)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]"
    ),
    "detect_secrets.plugins.jwt.JwtTokenDetector": Spec(r"eyJ", anchors=("eyJ",)),
    "detect_secrets.plugins.mailchimp.MailchimpDetector": Spec(r"-us[0-9]", anchors=("-us",)),
    "detect_secrets.plugins.npm.NpmDetector": Spec(r"/:_authToken=", anchors=("/:_authToken=",)),
    "detect_secrets.plugins.openai.OpenAIDetector": Spec(r"T3BlbkFJ", anchors=("T3BlbkFJ",)),
    # Every BEGIN marker in the plugin's denylist contains "PRIVATE KEY".
    "detect_secrets.plugins.private_key.PrivateKeyDetector": Spec(
        r"PRIVATE KEY|PuTTY-User-Key-File-2", anchors=("PRIVATE KEY", "PuTTY-User-Key-File-2")
    ),
    "detect_secrets.plugins.pypi_token.PypiTokenDetector": Spec(r"pypi-AgE", anchors=("pypi-AgE",)),
    "detect_secrets.plugins.sendgrid.SendGridDetector": Spec(r"SG\.", anchors=("SG.",)),
    "detect_secrets.plugins.slack.SlackDetector": Spec(
        r"(?i:xox[abposr]-|hooks\.slack\.com)", lower_anchors=("xox", "hooks.slack.com")
    ),
    # Prefix "softlayer" or "sl", optional separators and "api", then a keyword.
    "detect_secrets.plugins.softlayer.SoftlayerDetector": Spec(
        r"(?i:softlayer|sl[-_]?(?:api)?[-_]?(?:key|pw|pass|token))",
        lower_anchors=("softlayer", *CLOUD_KEY_WORDS),
    ),
    "detect_secrets.plugins.square_oauth.SquareOAuthDetector": Spec(
        r"sq0csp-", anchors=("sq0csp-",)
    ),
    "detect_secrets.plugins.stripe.StripeDetector": Spec(
        r"[rs]k_live_", anchors=("rk_live_", "sk_live_")
    ),
    # Eight digits before a colon, written colon first so that the engine
    # jumps from colon to colon.
    "detect_secrets.plugins.telegram_token.TelegramBotTokenDetector": Spec(r":(?<=\d{8}:)"),
    "detect_secrets.plugins.twilio.TwilioKeyDetector": Spec(r"AC[a-z0-9]{32}|SK[a-z0-9]{32}"),
}

KEYWORD_PLUGIN = "detect_secrets.plugins.keyword.KeywordDetector"
ENTROPY_PLUGINS = (
    "detect_secrets.plugins.high_entropy_strings.Base64HighEntropyString",
    "detect_secrets.plugins.high_entropy_strings.HexHighEntropyString",
)

# Slack for floating-point rounding in detect-secrets' entropy sum, which can
# land a hair above log2(n) for n distinct characters.
ENTROPY_ROUNDING_SLACK = 1e-9


class PluginCondition(NamedTuple):
    """A configured plugin, its condition compiled, and the condition's anchors."""

    plugin: Any
    # None when the plugin may report on any line.
    pattern: re.Pattern[str] | None
    anchors: tuple[str, ...] = ()
    lower_anchors: tuple[str, ...] = ()


class Conditions(NamedTuple):
    """The per-plugin conditions and their union, for one plugin list."""

    plugins: list[Any]
    per_plugin: list[PluginCondition]
    # None when some plugin may report on any line.
    combined: re.Pattern[str] | None
    # Each anchor once, with the numbers of the conditions (in per_plugin)
    # that it stands for, and the conditions without anchors.
    anchors: dict[str, list[int]]
    lower_anchors: dict[str, list[int]]
    unanchored: list[re.Pattern[str]]


_conditions: Conditions | None = None


def _class_path(plugin: Any) -> str | None:
    """Return the dotted name of PLUGIN's class if it is exactly that built-in class."""
    cls = type(plugin)
    path = f"{cls.__module__}.{cls.__qualname__}"
    module = sys.modules.get(cls.__module__)
    if module is None or getattr(module, cls.__qualname__, None) is not cls:
        return None
    return path


def min_entropy_length(limit: float) -> int:
    """Return the shortest string length whose Shannon entropy can exceed LIMIT bits.

    A string of n characters has at most log2(n) bits per character (all
    characters distinct), so a shorter string never passes the limit.
    """
    length = max(1, math.ceil(2 ** (limit - ENTROPY_ROUNDING_SLACK)))
    while length > 1 and math.log2(length - 1) > limit - ENTROPY_ROUNDING_SLACK:
        length -= 1
    return length


def _entropy_condition(plugin: Any, group: str) -> Spec:
    # The plugin only reports quoted runs of its charset. Its unquoted search
    # runs only in ad-hoc string scans, which the scanner never requests.
    length = min_entropy_length(float(plugin.entropy_limit))
    charset = re.escape(plugin.charset)
    return Spec(rf"(?P<{group}>['\"])[{charset}]{{{length},}}(?P={group})")


def _keyword_condition() -> Spec:
    from detect_secrets.plugins.keyword import DENYLIST

    # Every keyword pattern of the plugin starts from one of these words, and
    # all but one of its patterns ignore case, so the union does too.
    pattern = "(?i:" + "|".join(DENYLIST) + ")"
    words = [
        word for entry in DENYLIST for word in (entry.replace("_?", "_"), entry.replace("_?", ""))
    ]
    if any(re.escape(word) != word for word in words):
        return Spec(pattern)
    return Spec(pattern, lower_anchors=tuple(dict.fromkeys(words)))


def plugin_condition(plugin: Any, group: str) -> Spec | None:
    """Return the necessary condition for PLUGIN, or None when it has none."""
    path = _class_path(plugin)
    if path is None:
        return None
    if path in REGEX_PLUGIN_CONDITIONS:
        return REGEX_PLUGIN_CONDITIONS[path]
    if path == KEYWORD_PLUGIN:
        return _keyword_condition()
    if path in ENTROPY_PLUGINS:
        return _entropy_condition(plugin, group)
    return None


def build_conditions(plugins: list[Any]) -> Conditions:
    """Compile the conditions for PLUGINS, detect-secrets plugin instances."""
    per_plugin: list[PluginCondition] = []
    parts: list[str] = []
    unconditional = False
    for index, plugin in enumerate(plugins):
        spec = plugin_condition(plugin, f"quote{index}")
        if spec is None:
            unconditional = True
            per_plugin.append(PluginCondition(plugin, None))
            continue
        parts.append(f"(?:{spec.pattern})")
        per_plugin.append(
            PluginCondition(plugin, re.compile(spec.pattern), spec.anchors, spec.lower_anchors)
        )

    anchors: dict[str, list[int]] = {}
    lower_anchors: dict[str, list[int]] = {}
    unanchored: list[re.Pattern[str]] = []
    for number, condition in enumerate(per_plugin):
        if condition.pattern is not None and not (condition.anchors or condition.lower_anchors):
            unanchored.append(condition.pattern)
        for anchor in condition.anchors:
            anchors.setdefault(anchor, []).append(number)
        for anchor in condition.lower_anchors:
            lower_anchors.setdefault(anchor, []).append(number)

    combined = None if unconditional else re.compile("|".join(parts) or r"(?!)")
    return Conditions(plugins, per_plugin, combined, anchors, lower_anchors, unanchored)


def current_conditions() -> Conditions:
    """Return the conditions for detect-secrets' configured plugins, cached per plugin list."""
    global _conditions
    from detect_secrets.settings import get_plugins

    plugins = get_plugins()
    # get_plugins() returns the same list object until the settings change.
    if _conditions is None or _conditions.plugins is not plugins:
        _conditions = build_conditions(plugins)
    return _conditions


def may_match(line: str) -> bool:
    """Return False only when no configured detector can report anything on LINE."""
    combined = current_conditions().combined
    return combined is None or combined.search(line) is not None


def plugins_that_may_match(line: str) -> list[Any]:
    """Return the configured plugins, in order, that can report something on LINE."""
    return [
        condition.plugin
        for condition in current_conditions().per_plugin
        if condition.pattern is None or condition.pattern.search(line) is not None
    ]


def _literal_slots(text: str, literal: str, ends: list[int]) -> Iterator[int]:
    """Yield the numbers of the newline-separated segments of TEXT that contain LITERAL."""
    position = text.find(literal)
    while position >= 0:
        slot = bisect.bisect_left(ends, position)
        yield slot
        position = text.find(literal, ends[slot] + 1)


def _pattern_slots(text: str, pattern: re.Pattern[str], ends: list[int]) -> Iterator[int]:
    match = pattern.search(text)
    while match is not None:
        slot = bisect.bisect_left(ends, match.start())
        yield slot
        match = pattern.search(text, ends[slot] + 1)


def candidate_indexes(lines: Sequence[str], indexes: Iterable[int]) -> set[int]:
    """Return those of INDEXES (0-based positions in LINES) whose line may match.

    The result is the set of lines on which `may_match` returns True, found
    for all lines at once. No condition or anchor can match a newline, so the
    chosen lines are joined with newlines and every match lies inside one
    line. Anchors find the lines worth checking, and the exact condition is
    then checked on those lines only.
    """
    chosen = list(indexes)
    conditions = current_conditions()
    if conditions.combined is None:
        return set(chosen)

    texts = [lines[index] for index in chosen]
    joined = "\n".join(texts)
    ends: list[int] = []
    position = 0
    for text in texts:
        position += len(text)
        ends.append(position)
        position += 1

    # Lower-case anchors stand for case-insensitive parts. That is exact on
    # ASCII text only, because re.IGNORECASE also folds some non-ASCII
    # characters onto ASCII letters, so other lines get the full check.
    if joined.isascii():
        lowered = joined.lower()
        full_check: list[int] = []
    else:
        ascii_flags = [text.isascii() for text in texts]
        lowered = "\n".join(
            text.lower() if is_ascii else "\0" * len(text)
            for text, is_ascii in zip(texts, ascii_flags)
        )
        full_check = [slot for slot, is_ascii in enumerate(ascii_flags) if not is_ascii]

    found: set[int] = set()
    for pattern in conditions.unanchored:
        found.update(_pattern_slots(joined, pattern, ends))

    to_verify: dict[int, set[int]] = {}
    for source, table in ((joined, conditions.anchors), (lowered, conditions.lower_anchors)):
        for anchor, numbers in table.items():
            for slot in _literal_slots(source, anchor, ends):
                to_verify.setdefault(slot, set()).update(numbers)

    for slot, wanted in to_verify.items():
        if slot in found:
            continue
        for number in wanted:
            condition_pattern = conditions.per_plugin[number].pattern
            if condition_pattern is not None and condition_pattern.search(texts[slot]):
                found.add(slot)
                break

    combined = conditions.combined
    found.update(slot for slot in full_check if slot not in found and combined.search(texts[slot]))
    return {chosen[slot] for slot in found}


# A line that configparser with default options rejects in any context. It is
# not indented, so it is never a continuation line. It is neither blank nor a
# full-line comment, does not start with "[" (a possible section header), and
# has no "=" or ":", so it is not an option either. configparser records a
# parsing error for it, or raises MissingSectionHeaderError before the first
# section, and the whole parse fails. The tests compare this rule with the
# real transformer (run on Python 3.9, 3.11 and 3.13).
_CERTAIN_CONFIG_ERROR = re.compile(r"^[^\s#;\[=:][^\n=:]*$", re.MULTILINE)


def _config_text(text: str) -> str:
    # detect-secrets reads files with universal newlines, so configparser
    # reads "\r\n" and a lone "\r" as "\n", and it splits lines at "\n" only.
    if "\r" in text:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _first_value_line(text: str) -> str | None:
    """Return the first line that is neither blank nor a full-line comment, stripped."""
    position = 0
    while position <= len(text):
        end = text.find("\n", position)
        if end < 0:
            end = len(text)
        stripped = text[position:end].strip()
        if stripped and not stripped.startswith(("#", ";")):
            return stripped
        position = end + 1
    return None


def may_parse_as_config(filename: str, text: str) -> bool:
    """Return False only when detect-secrets' first-pass INI transformer would fail on TEXT.

    Without an added header, configparser raises MissingSectionHeaderError
    unless the first line with content is a section header.
    """
    config_text = _config_text(text)
    first = _first_value_line(config_text)
    if first is not None and not first.startswith("["):
        return False
    return _CERTAIN_CONFIG_ERROR.search(config_text) is None


def may_parse_as_eager_config(filename: str, text: str) -> bool:
    """Return False only when the eager INI transformer would fail on TEXT.

    The eager pass puts a "[global]" header in front of the text, so only a
    line that configparser rejects anywhere makes the parse fail for certain.
    """
    return _CERTAIN_CONFIG_ERROR.search(_config_text(text)) is None
