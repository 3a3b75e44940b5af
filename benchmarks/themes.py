"""Theme tagging quality: per-theme precision, recall and F1 of `evidex tag --jsonl` on
themes/dev.jsonl (labelled by ../shared/data/themes/GUIDELINE.md).

    python benchmarks/themes.py [--errors]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import data_dir, print_table  # noqa: E402

THEMES = ("ai", "encryption", "sextortion", "prevention")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the passages tagged wrongly")
    parser.add_argument("--file", default=None, help="a labelled JSONL file (default: themes/dev.jsonl)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    path = Path(args.file) if args.file else data_dir() / "themes" / "dev.jsonl"
    gold = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    run = subprocess.run(
        [sys.executable, "-m", "evidex", "tag", "--jsonl", "-i", str(path)], capture_output=True, text=True, check=True
    )
    predicted = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(predicted) == len(gold)
    print(f"{len(gold)} labelled passages from {path}\n")
    rows = []
    worst = 1.0
    for theme in THEMES:
        tp = sum(theme in g["themes"] and theme in p["themes"] for g, p in zip(gold, predicted))
        fp = sum(theme not in g["themes"] and theme in p["themes"] for g, p in zip(gold, predicted))
        fn = sum(theme in g["themes"] and theme not in p["themes"] for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        worst = min(worst, f1)
        rows.append([theme, str(tp + fn), str(tp + fp), f"{precision:.3f}", f"{recall:.3f}", f"{f1:.3f}", "0.90"])
    print_table(["theme", "gold", "tagged", "precision", "recall", "F1", "target F1"], rows, args.markdown)
    print(f"\nlowest F1: {worst:.3f} (target >= 0.90 for every theme)")
    if args.errors:
        for g, p in zip(gold, predicted):
            missed = set(g["themes"]) - set(p["themes"])
            extra = set(p["themes"]) - set(g["themes"])
            if missed or extra:
                print(f"\n{g['id']} missed={sorted(missed)} extra={sorted(extra)} evidence={p['theme_evidence']}")
                print(f"  {g['text'][:400]}")
                if g.get("note"):
                    print(f"  note: {g['note'][:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
