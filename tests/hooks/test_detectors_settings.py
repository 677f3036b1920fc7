"""Configuring the detectors twice leaves the same filters in force."""

from __future__ import annotations

from staged_secrets.hooks import detectors


def test_configure_after_default_settings_keeps_filters() -> None:
    from detect_secrets.settings import get_settings

    detectors.configure(detectors.default_settings_json())
    assert detectors.INVALID_FILE_FILTER not in get_settings().filters

    detectors.configure(detectors.default_settings_json())

    assert detectors.INVALID_FILE_FILTER not in get_settings().filters
