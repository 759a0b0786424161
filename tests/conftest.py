"""Shared test fixtures: every test gets its own BACKPROP_HOME so no real progress file is touched."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "backprop-home"
    monkeypatch.setenv("BACKPROP_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    return home
