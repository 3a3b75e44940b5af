"""Where the third-party test data lives (never copied into the repo)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    path = Path(os.environ.get("EVIDEX_TEST_DATA") or ROOT.parent / "shared" / "data")
    if not path.is_dir():
        sys.exit(f"No test data at {path}. Put ../shared/data beside the repo or set EVIDEX_TEST_DATA.")
    return path


def _numeric(cell) -> bool:
    return bool(re.fullmatch(r"[\d.,%-]+", str(cell)))


def print_table(headers: list[str], rows: list[list[str]], markdown: bool = False) -> None:
    """A table as aligned text (numbers right-aligned), or as Markdown."""
    if markdown:
        print("| " + " | ".join(headers) + " |")
        print("|" + "|".join("---" for _ in headers) + "|")
        for row in rows:
            print("| " + " | ".join(str(c) for c in row) + " |")
        return
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    for r, row in enumerate([headers] + rows):
        cells = (str(c).rjust(widths[i]) if i and _numeric(c) else str(c).ljust(widths[i]) for i, c in enumerate(row))
        print("  ".join(cells).rstrip())
        if r == 0:
            print("  ".join("-" * w for w in widths))
