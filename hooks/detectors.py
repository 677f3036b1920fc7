"""Load detect-secrets' plugins and filters without its network code.

detect-secrets 1.5.0 imports `requests` in every plugin module only for
optional verification against live services, which this product never
performs. Importing it costs most of detect-secrets' start-up time. A
stand-in module is registered under that name before detect-secrets loads,
and it imports the real `requests` the first time anything is read from it.
"""

from __future__ import annotations

import importlib
import logging
import sys
import types
from collections.abc import Mapping
from typing import Any

# The settings loaded into detect-secrets' process-wide settings object, and
# that object, kept so that a second configure() with the same settings does
# nothing. detect-secrets replaces the object whenever its settings cache is
# cleared (every `transient_settings` block does that, `default_settings_json`
# included) and the new one has the invalid-file filter enabled again.
_configured: tuple[dict[str, Any], object] | None = None

INVALID_FILE_FILTER = "detect_secrets.filters.common.is_invalid_file"

# Baselines written by `detect-secrets scan` without --no-verify (and every
# pre-1.0 baseline after detect-secrets' upgrade) list this filter. It calls
# each plugin's verify(), which sends candidate secrets to live services, so
# it is never handed to detect-secrets; the baseline file keeps it.
VERIFICATION_FILTER = "detect_secrets.filters.common.is_ignored_due_to_verification_policies"


class _DeferredRequests(types.ModuleType):
    """Stand-in for `requests` that loads the real module on first use."""

    # detect-secrets 1.5.0 reads `requests.Response` in one return annotation
    # (plugins/ibm_cloud_iam.py) while its module loads; nothing else is read
    # at import time.
    Response = object

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get("requests") is self:
            del sys.modules["requests"]
        real = importlib.import_module("requests")
        return getattr(real, name)


def install_deferred_requests() -> None:
    """Register the stand-in unless `requests` is already imported."""
    if "requests" not in sys.modules:
        sys.modules["requests"] = _DeferredRequests("requests")


def default_settings_json() -> dict[str, Any]:
    """Return the settings `detect-secrets scan` uses by default (all plugins)."""
    install_deferred_requests()
    from detect_secrets.settings import default_settings

    with default_settings() as settings:
        result: dict[str, Any] = settings.json()
    # Leaving default_settings() replaces detect-secrets' settings object, so
    # the next configure() sees a different object and loads its settings again.
    return result


def configure(settings_json: Mapping[str, Any]) -> None:
    """Load plugins_used and filters_used into detect-secrets' settings.

    The caller has validated the settings (see the baseline loader), so no
    custom plugin or filter path reaches this point. The network
    verification filter is left out.
    """
    global _configured
    requested = {
        "plugins_used": list(settings_json.get("plugins_used", [])),
        "filters_used": [
            filter_config
            for filter_config in settings_json.get("filters_used", [])
            if filter_config.get("path") != VERIFICATION_FILTER
        ],
    }
    install_deferred_requests()
    from detect_secrets.settings import cache_bust, configure_settings_from_baseline, get_settings

    if _configured is not None and _configured[0] == requested and _configured[1] is get_settings():
        return

    silence_detect_secrets_log()
    cache_bust()
    get_settings().clear()
    configure_settings_from_baseline(requested)
    # The scanner reads blobs from git, so the file usually does not exist on
    # disk under its name; this filter would drop every staged file.
    get_settings().disable_filters(INVALID_FILE_FILTER)
    _configured = (requested, get_settings())


def silence_detect_secrets_log() -> None:
    """Turn off detect-secrets' own logger.

    At its info level it logs skipped secrets in plain text, and its error
    lines duplicate the one-line messages this tool prints.
    """
    logging.getLogger("detect-secrets").disabled = True


def configured_settings() -> dict[str, Any]:
    """Return the settings of the last configure() call, for worker processes."""
    if _configured is None:
        raise RuntimeError("detectors.configure() has not been called")
    return _configured[0]
