"""`prepare_qt_environment`: what it sets, and that it never overrides what is already set."""

from __future__ import annotations

import os

import pytest

from boxoffice.desktop.qt_env import prepare_qt_environment

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def test_the_app_gets_only_the_sandbox_switch():
    env: dict[str, str] = {}
    prepare_qt_environment(env)
    assert env == ({"QTWEBENGINE_DISABLE_SANDBOX": "1"} if AS_ROOT else {})


def test_offscreen_and_chromium_flags():
    env: dict[str, str] = {}
    prepare_qt_environment(env, offscreen=True, chromium_flags="--disable-gpu")
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    assert env["QTWEBENGINE_CHROMIUM_FLAGS"] == "--disable-gpu"
    assert ("QTWEBENGINE_DISABLE_SANDBOX" in env) == AS_ROOT


@pytest.mark.parametrize("name", ["QT_QPA_PLATFORM", "QTWEBENGINE_CHROMIUM_FLAGS"])
def test_what_is_set_wins(name):
    env = {name: "asked for"}
    prepare_qt_environment(env, offscreen=True, chromium_flags="--disable-gpu")
    assert env[name] == "asked for"
