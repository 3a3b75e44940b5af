"""Shared fixtures: a fresh index per test, the sample corpus, and the third-party data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidex.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def shared_data_dir() -> Path:
    return Path(os.environ.get("EVIDEX_TEST_DATA") or ROOT.parent / "shared" / "data")


@pytest.fixture(autouse=True)
def index_dir(tmp_path, monkeypatch) -> Path:
    """Every test gets its own empty index, through EVIDEX_INDEX like a user would set it."""
    path = tmp_path / "index"
    monkeypatch.setenv("EVIDEX_INDEX", str(path))
    monkeypatch.delenv("EVIDEX_TAXONOMY", raising=False)
    return path


@pytest.fixture
def shared() -> Path:
    """../shared/data (or $EVIDEX_TEST_DATA): skipped when absent, an error under CI."""
    path = shared_data_dir()
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"third-party test data missing at {path} (required under CI)")
        pytest.skip(f"third-party test data not found at {path}; set EVIDEX_TEST_DATA")
    return path


@pytest.fixture
def corpus() -> Path:
    return CORPUS


class Evidex:
    """Runs evidex commands in-process with click's CliRunner."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool | None = True, input: str | None = None):
        result = self.runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)
        if ok is True:
            assert result.exit_code == 0, f"evidex {' '.join(map(str, args))} failed ({result.exit_code}):\n{result.output}"
        elif ok is False:
            assert result.exit_code != 0, f"evidex {' '.join(map(str, args))} should have failed:\n{result.output}"
        return result


@pytest.fixture
def evidex() -> Evidex:
    return Evidex()
