"""Shared fixtures: the bundled corpus and throw-away stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ROOT / "versions"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test touches the user's store or git configuration."""
    monkeypatch.setenv("DIFFVIEW_STORE", str(tmp_path / "default-store"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def versions_dir() -> Path:
    """The bundled corpus (read-only: copy it with `versions_copy` to change it)."""
    return VERSIONS


@pytest.fixture
def versions_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus."""
    dest = tmp_path / "versions"
    shutil.copytree(VERSIONS, dest)
    return dest
