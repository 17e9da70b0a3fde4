"""`boxoffice.sdk.__all__` lists exactly the public names, sorted."""

from __future__ import annotations

import types

import boxoffice.sdk as sdk


def test_all_matches_the_public_names():
    public = {
        name
        for name, value in vars(sdk).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(sdk.__all__) == public
    assert len(sdk.__all__) == len(public)


def test_all_is_sorted():
    assert sdk.__all__ == sorted(sdk.__all__, key=lambda name: (not name.isupper(), name))
