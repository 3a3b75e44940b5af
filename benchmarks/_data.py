"""Where the third-party test data lives (never copied into the repo)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    path = Path(os.environ.get("EVIDEX_TEST_DATA") or ROOT.parent / "shared" / "data")
    if not path.is_dir():
        sys.exit(f"No test data at {path}. Put ../shared/data beside the repo or set EVIDEX_TEST_DATA.")
    return path
