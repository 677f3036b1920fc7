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

import math
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

# Necessary conditions of detect-secrets 1.5.0's regex-based plugins, keyed by
# plugin class. Each is a part that every match of the plugin's denylist
# contains (see each plugin's module), so a line without it yields nothing.
REGEX_PLUGIN_CONDITIONS = {
    "detect_secrets.plugins.artifactory.ArtifactoryDetector": r"AKC|AP[\dABCDEF]",
    # Key IDs, or the case-insensitive "aws" that starts the secret-key pattern.
    "detect_secrets.plugins.aws.AWSKeyDetector": r"A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA|(?i:aws)",
    "detect_secrets.plugins.azure_storage_key.AzureStorageKeyDetector": r"AccountKey=",
    "detect_secrets.plugins.basic_auth.BasicAuthDetector": r"://",
    # The assignment form is prefix, optional dash or underscore, optional
    # "api", then a keyword ("pwd" and "password" start with "pw" and "pass");
    # both URL forms end in ".cloudant.com".
    "detect_secrets.plugins.cloudant.CloudantDetector": (
        r"(?i:cl(?:oudant|ou)?[-_]?(?:api)?(?:key|pw|pass|token)|\.cloudant\.com)"
    ),
    "detect_secrets.plugins.discord.DiscordBotTokenDetector": (
        r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"
    ),
    "detect_secrets.plugins.github_token.GitHubTokenDetector": r"gh[pousr]_",
    "detect_secrets.plugins.gitlab_token.GitLabTokenDetector": (
        r"gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-|GR1348941"
    ),
    # The key name may be as short as "key", so the 44-character secret itself
    # is the condition (case-insensitive, like the plugin's pattern).
    "detect_secrets.plugins.ibm_cloud_iam.IbmCloudIamDetector": r"(?i:[a-zA-Z0-9_\-]{44})",
    "detect_secrets.plugins.ibm_cos_hmac.IbmCosHmacDetector": r"(?i:secret)",
    # Four dotted groups of one to three ASCII digits.
    "detect_secrets.plugins.ip_public.IPPublicDetector": r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]",
    "detect_secrets.plugins.jwt.JwtTokenDetector": r"eyJ",
    "detect_secrets.plugins.mailchimp.MailchimpDetector": r"-us[0-9]",
    "detect_secrets.plugins.npm.NpmDetector": r"/:_authToken=",
    "detect_secrets.plugins.openai.OpenAIDetector": r"T3BlbkFJ",
    # Every BEGIN marker in the plugin's denylist contains "PRIVATE KEY".
    "detect_secrets.plugins.private_key.PrivateKeyDetector": r"PRIVATE KEY|PuTTY-User-Key-File-2",
    "detect_secrets.plugins.pypi_token.PypiTokenDetector": r"pypi-AgE",
    "detect_secrets.plugins.sendgrid.SendGridDetector": r"SG\.",
    "detect_secrets.plugins.slack.SlackDetector": r"(?i:xox[abposr]-|hooks\.slack\.com)",
    # Prefix "softlayer" or "sl", optional separators and "api", then a keyword.
    "detect_secrets.plugins.softlayer.SoftlayerDetector": (
        r"(?i:softlayer|sl[-_]?(?:api)?[-_]?(?:key|pw|pass|token))"
    ),
    "detect_secrets.plugins.square_oauth.SquareOAuthDetector": r"sq0csp-",
    "detect_secrets.plugins.stripe.StripeDetector": r"[rs]k_live_",
    "detect_secrets.plugins.telegram_token.TelegramBotTokenDetector": r"\d{8}:",
    "detect_secrets.plugins.twilio.TwilioKeyDetector": r"AC[a-z0-9]{32}|SK[a-z0-9]{32}",
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
    """A configured plugin and the pattern a line must contain for it to report."""

    plugin: Any
    pattern: re.Pattern[str] | None


class Conditions(NamedTuple):
    """The per-plugin conditions and their union, for one plugin list."""

    plugins: list[Any]
    per_plugin: list[PluginCondition]
    # None when some plugin may report on any line.
    combined: re.Pattern[str] | None


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


def _entropy_condition(plugin: Any, group: str) -> str:
    # The plugin only reports quoted runs of its charset. Its unquoted search
    # runs only in ad-hoc string scans, which the scanner never requests.
    length = min_entropy_length(float(plugin.entropy_limit))
    charset = re.escape(plugin.charset)
    return rf"(?P<{group}>['\"])[{charset}]{{{length},}}(?P={group})"


def _keyword_condition() -> str:
    from detect_secrets.plugins.keyword import DENYLIST

    # Every keyword pattern of the plugin starts from one of these words;
    # all but one of its patterns ignore case, so the union does too.
    return "(?i:" + "|".join(DENYLIST) + ")"


def plugin_condition(plugin: Any, group: str) -> str | None:
    """Return the necessary-condition pattern for PLUGIN, or None when it has none."""
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
        source = plugin_condition(plugin, f"quote{index}")
        if source is None:
            unconditional = True
            per_plugin.append(PluginCondition(plugin, None))
            continue
        parts.append(f"(?:{source})")
        per_plugin.append(PluginCondition(plugin, re.compile(source)))

    combined = None if unconditional else re.compile("|".join(parts) or r"(?!)")
    return Conditions(plugins, per_plugin, combined)


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


def candidate_indexes(lines: Sequence[str], indexes: Iterable[int]) -> set[int]:
    """Return those of INDEXES (0-based positions in LINES) whose line may match.

    The chosen lines are joined with newlines and searched in one pass. No
    condition can match a newline, so every match lies inside one line and
    the set is the same as calling `may_match` on each line.
    """
    chosen = list(indexes)
    combined = current_conditions().combined
    if combined is None:
        return set(chosen)

    text = "\n".join([lines[index] for index in chosen])
    ends: list[int] = []
    position = 0
    for index in chosen:
        position += len(lines[index])
        ends.append(position)
        position += 1

    found: set[int] = set()
    slot = 0
    match = combined.search(text)
    while match is not None:
        start = match.start()
        while ends[slot] < start:
            slot += 1
        found.add(chosen[slot])
        match = combined.search(text, ends[slot] + 1)
    return found


# A line that configparser with default options rejects in any context. It is
# not indented, so it is never a continuation line. It is neither blank nor a
# full-line comment, does not start with "[" (a possible section header), and
# has no "=" or ":", so it is not an option either. configparser records a
# parsing error for it, or raises MissingSectionHeaderError before the first
# section, and the whole parse fails. NOTE: checked against the configparser
# of Python 3.11; the tests compare the rule with the real transformer.
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
