"""PDF text fidelity: evidex extract vs the ground truth of pdf-groundtruth/arxiv/.

Prints, per file and on average, the Levenshtein similarity (whitespace-normalised) and
word-level F1 of `evidex extract` (with its pdfium and its pypdf path), beside raw pypdf extract_text() and pdftotext (when
installed) on the same files in the same run.

    python benchmarks/pdf_fidelity.py [--markdown]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import data_dir, print_table  # noqa: E402


def normalise(text: str) -> str:
    return " ".join(text.split())


def similarity(a: str, b: str) -> float:
    return Levenshtein.normalized_similarity(normalise(a), normalise(b))


def word_f1(candidate: str, truth: str) -> float:
    c, t = Counter(candidate.split()), Counter(truth.split())
    overlap = sum((c & t).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(c.values()), overlap / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def running_heads(truth: str) -> set[str]:
    """The running heads the ground truth keeps: lines that begin or end with a page number and
    stand, digits aside, on three or more pages ("4 1.1. TOPOLOGISCHE RÄUME", "2 Mani et al.")."""
    lines = [" ".join(line.split()) for line in truth.splitlines()]
    numbered = [line for line in lines if re.match(r"^\d{1,4} \S|.*\S \d{1,4}$", line)]
    shapes = Counter(re.sub(r"\d+", "#", line) for line in numbered)
    return {line for line in numbered if shapes[re.sub(r"\d+", "#", line)] >= 3}


def without(text: str, heads: set[str]) -> str:
    return "\n".join(line for line in text.splitlines() if " ".join(line.split()) not in heads)


def evidex_text(pdf: Path, engine: str) -> str:
    command = [sys.executable, "-m", "evidex", "extract", "--pdf-engine", engine, str(pdf)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return out.stdout.replace("\f", "\n")


def pypdf_text(pdf: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)


def pdftotext_text(pdf: Path) -> str | None:
    if not shutil.which("pdftotext"):
        return None
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    folder = data_dir() / "pdf-groundtruth" / "arxiv"
    extractors = {
        "evidex pdfium": lambda pdf: evidex_text(pdf, "pdfium"),
        "evidex pypdf": lambda pdf: evidex_text(pdf, "pypdf"),
        "pypdf raw": pypdf_text,
        "pdftotext": pdftotext_text,
    }
    rows = []
    totals: dict[str, list[tuple[float, float]]] = {name: [] for name in extractors}
    headless: dict[str, list[float]] = {name: [] for name in extractors}
    for pdf in sorted(folder.glob("*.pdf")):
        truth = pdf.with_suffix(".txt").read_text(encoding="utf-8")
        heads = running_heads(truth)
        row = [pdf.name]
        for name, fn in extractors.items():
            text = fn(pdf)
            if text is None:
                row += ["-", "-"]
                continue
            lev, f1 = similarity(text, truth), word_f1(text, truth)
            totals[name].append((lev, f1))
            headless[name].append(similarity(without(text, heads), without(truth, heads)))
            row += [f"{lev:.3f}", f"{f1:.3f}"]
        rows.append(row)
    mean = ["mean"]
    for name in extractors:
        values = totals[name]
        if values:
            mean += [f"{sum(v[0] for v in values) / len(values):.3f}", f"{sum(v[1] for v in values) / len(values):.3f}"]
        else:
            mean += ["-", "-"]
    rows.append(mean)
    headers = ["file"] + [f"{name} {metric}" for name in extractors for metric in ("lev", "wordF1")]
    print_table(headers, rows, args.markdown)
    print()
    names = [pdf.name for pdf in sorted(folder.glob("*.pdf"))]
    print("Without the running heads the ground truth keeps (removed alike from it and from every text):")
    print()
    heads_rows = [[name, *[f"{headless[e][i]:.3f}" if i < len(headless[e]) else "-" for e in extractors]] for i, name in enumerate(names)]
    heads_rows.append(["mean", *[f"{sum(v) / len(v):.3f}" if (v := headless[e]) else "-" for e in extractors]])
    print_table(["file", *[f"{name} lev" for name in extractors]], heads_rows, args.markdown)
    print()
    for name in ("evidex pdfium", "evidex pypdf"):
        mean = sum(v[0] for v in totals[name]) / max(1, len(totals[name]))
        below = [n for n, mine, raw in zip(names, headless[name], headless["pypdf raw"]) if mine < raw]
        print(f"{name} mean Levenshtein similarity: {mean:.3f} (target >= 0.97); without running heads "
              f"{sum(headless[name]) / max(1, len(headless[name])):.3f}, below pypdf raw on "
              f"{', '.join(below) if below else 'no file'} (target: none)")
    return 0





if __name__ == "__main__":
    sys.exit(main())
