"""Every benchmark, one after the other: each prints its table (see the README's Quality section).

    python benchmarks/run_all.py [--markdown]

Reads the third-party data in ../shared/data (or $EVIDEX_TEST_DATA). Takes about six minutes
on two cores.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ("PDF text fidelity (arXiv ground truth)", "pdf_fidelity.py"),
    ("Article extraction (AEB news pages)", "articles.py"),
    ("Web metadata (trafilatura evaluation pages)", "metadata.py"),
    ("Retrieval (BEIR SciFact, Cranfield)", "retrieval.py"),
    ("Themes (labelled passages)", "themes.py"),
    ("Citation pages (NCMEC and X reports)", "citation_pages.py"),
    ("Real reports: printed pages, text in order, cost of the checks", "real_reports.py"),
]


def main() -> int:
    extra = sys.argv[1:]
    failed = []
    started = time.monotonic()
    for title, script in BENCHMARKS:
        print(f"\n## {title}  (python benchmarks/{script})\n", flush=True)
        t0 = time.monotonic()
        result = subprocess.run([sys.executable, str(HERE / script), *extra])
        print(f"\n[{script}: {time.monotonic() - t0:.0f}s]", flush=True)
        if result.returncode != 0:
            failed.append(script)
    print(f"\nAll benchmarks in {time.monotonic() - started:.0f}s" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
