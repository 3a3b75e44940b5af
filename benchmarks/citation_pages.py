"""Citation pages: does evidex cite the page a word is actually on? On the NCMEC PDFs
(reports/ncmec/*.pdf) and the X report (reports/x/x-2024-h1.pdf).

Ground truth, independent of evidex: each page's text from `pdftotext -f N -l N FILE -`.
A word qualifies for a PDF when it is alphabetic, at least 6 letters, not an evidex
stopword, every occurrence of it in that PDF is lower-case, it occurs on exactly one page,
and its stem (evidex.analysis.stem: folded, then Porter) occurs on no other page of that
PDF (evidex matches stems, so a word whose stem appears elsewhere would be ambiguous).
Words are the \\w+ runs of the page text, read twice: as printed and with line-end hyphens
joined ("repor-\\nting" -> "reporting"), so a word split across lines still counts as
occurring. From the candidates, PAIRS (word, page) pairs are drawn with random.Random(SEED),
spread round-robin over the files and, within a file, over its pages.

All the PDFs are ingested into a temporary index (`evidex ingest`), then every word is
searched in one process (`evidex search --batch FILE --limit 1`), restricted to its own PDF
with the query filter `doc:ID` (the words are unique within their PDF, not across the
library: the 2019/2020/2022 editions share their wording; --no-doc-filter searches the bare
word over the whole library and then also requires the right document). A pair is correct
when the first hit's page_index (1-based physical page) is the word's page; label agreement
compares the hit's printed page label with pypdf's page_labels for that page (some of these
PDFs label their pages "A1".., "C1"..).

    python benchmarks/citation_pages.py [--markdown] [--pairs 50] [--seed 0] [--no-doc-filter]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import data_dir, print_table  # noqa: E402

from evidex.analysis import is_stopword, stem  # noqa: E402

TARGET = 1.0
_WORD = re.compile(r"\w+")
_HYPHEN_BREAK = re.compile(r"(\w)-[ \t]*\n\s*(\w)")


def page_texts(pdf: Path) -> list[str]:
    count = len(PdfReader(pdf).pages)
    return [
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, count + 1)
    ]


def candidates(pages: list[str]) -> dict[int, list[str]]:
    """Page number -> the words that qualify on it (sorted)."""
    word_pages: dict[str, set[int]] = defaultdict(set)
    stem_pages: dict[str, set[int]] = defaultdict(set)
    forms: dict[str, set[str]] = defaultdict(set)
    for number, text in enumerate(pages, start=1):
        for variant in (text, _HYPHEN_BREAK.sub(r"\1\2", text)):
            for word in _WORD.findall(variant):
                word_pages[word.lower()].add(number)
                stem_pages[stem(word)].add(number)
                forms[word.lower()].add(word)
    by_page: dict[int, list[str]] = defaultdict(list)
    for word, where in word_pages.items():
        if (
            len(where) == 1
            and word.isalpha()
            and len(word) >= 6
            and all(form == word for form in forms[word])
            and stem_pages[stem(word)] == where
            and not is_stopword(word)
        ):
            by_page[next(iter(where))].append(word)
    return {page: sorted(words) for page, words in sorted(by_page.items())}


def draw(per_file: dict[Path, dict[int, list[str]]], count: int, seed: int) -> list[tuple[Path, str, int]]:
    rng = random.Random(seed)
    queues = {}
    for pdf, by_page in per_file.items():
        pages = {page: rng.sample(words, len(words)) for page, words in by_page.items()}
        order = rng.sample(sorted(pages), len(pages))
        queue = []
        while any(pages[p] for p in order):  # one word per page in turn
            queue += [(pdf, pages[p].pop(), p) for p in order if pages[p]]
        queues[pdf] = queue
    chosen: list[tuple[Path, str, int]] = []
    while len(chosen) < count and any(queues.values()):
        for pdf in sorted(queues):
            if queues[pdf] and len(chosen) < count:
                chosen.append(queues[pdf].pop(0))
    return chosen


def evidex(args: list[str], index: str, stdin: str | None = None) -> str:
    env = {**os.environ, "EVIDEX_INDEX": index}
    run = subprocess.run([sys.executable, "-m", "evidex", *args], input=stdin, capture_output=True, text=True, env=env)
    if run.returncode != 0:
        sys.exit(f"evidex {args[0]} failed ({run.returncode}): {run.stderr.strip()}")
    return run.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--pairs", type=int, default=50, help="(word, page) pairs to draw [50]")
    parser.add_argument("--seed", type=int, default=0, help="random seed for the draw [0]")
    parser.add_argument("--no-doc-filter", action="store_true", help="search each bare word over the whole library")
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # "Ignoring wrong pointing object" notices

    reports = data_dir() / "reports"
    pdfs = sorted((reports / "ncmec").glob("*.pdf")) + [reports / "x" / "x-2024-h1.pdf"]
    per_file = {pdf: candidates(page_texts(pdf)) for pdf in pdfs}
    pairs = draw(per_file, args.pairs, args.seed)
    labels = {pdf: list(PdfReader(pdf).page_labels) for pdf in pdfs}

    with tempfile.TemporaryDirectory(prefix="evidex-citation-pages-") as index:
        evidex(["ingest", "--quiet", *map(str, pdfs)], index)
        docs = json.loads(evidex(["docs", "--format", "json"], index))
        doc_of = {str(Path(source).resolve()): d["id"] for d in docs for source in d.get("sources", [])}
        lines = []
        for number, (pdf, word, _page) in enumerate(pairs):
            query = word if args.no_doc_filter else f"{word} doc:{doc_of[str(pdf.resolve())]}"
            lines.append(json.dumps({"id": str(number), "query": query}))
        out = evidex(["search", "--batch", "-", "--limit", "1", "--format", "jsonl"], index, "\n".join(lines) + "\n")
    answers = {a["query_id"]: a for a in map(json.loads, out.splitlines())}

    per_pdf: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # pairs, page_index ok, label ok, ranges
    failures = []
    for number, (pdf, word, page) in enumerate(pairs):
        hits = answers.get(str(number), {}).get("hits") or []
        hit = hits[0] if hits else None
        expected_label = labels[pdf][page - 1]
        right_doc = hit is not None and hit["doc_id"] == doc_of[str(pdf.resolve())]
        index_ok = right_doc and hit["page_index"] == page
        label_ok = right_doc and hit["page"] == expected_label
        stats = per_pdf[pdf.name]
        stats[0] += 1
        stats[1] += index_ok
        stats[2] += label_ok
        stats[3] += bool(hit and hit["page_index_end"] not in (None, hit["page_index"]))
        if not (index_ok and label_ok):
            failures.append([
                pdf.name, word, f"{page} ({expected_label})",
                f"{hit['page_index']} ({hit['page']})" if hit else "no hit",
                (hit["citation"] if hit else "-") + ("" if hit is None or right_doc else f" [doc {hit['doc_id']}]"),
            ])

    rows = [[name, str(s[0]), str(s[1]), str(s[2]), str(s[3])] for name, s in sorted(per_pdf.items())]
    total = [sum(s[i] for s in per_pdf.values()) for i in range(4)]
    rows.append(["total", *map(str, total)])
    pool = {pdf.name: sum(len(w) for w in c.values()) for pdf, c in per_file.items()}
    print(f"{total[0]} (word, page) pairs, seed {args.seed}; candidate words per PDF: "
          + ", ".join(f"{name} {n}" for name, n in pool.items()) + "\n")
    print_table(["pdf", "pairs", "page_index right", "label right", "cited a page range"], rows, args.markdown)
    if failures:
        print(f"\n{len(failures)} failures:\n")
        print_table(["pdf", "word", "expected page (label)", "cited page (label)", "citation"], failures, args.markdown)
    share, label_share = total[1] / max(1, total[0]), total[2] / max(1, total[0])
    verdict = "meets" if share >= TARGET else "BELOW"
    print(f"\nevidex cites the right physical page for {share:.2f} of words (label agreement {label_share:.2f}): "
          f"{verdict} target {TARGET:.2f}")
    return 0





if __name__ == "__main__":
    sys.exit(main())
