"""Article extraction: evidex extract vs the ground truth of html-articles/aeb/ (Scrapinghub's
article-extraction-benchmark, 90 of its 181 news pages).

For each page `html/ID.html.gz`, the article text evidex extracts (`evidex extract FILE
--format json`, the text of pages[0]) is compared with `articleBody` in ground-truth.json.
In the same run, on the same pages, two references: plain `trafilatura.extract(html)` with
default settings, and BeautifulSoup(html, "lxml").get_text(" ") (every text node, no cleaning).

Shingling: a text is cut into tokens with the regular expression `\\w+` (Unicode word
characters, as the upstream benchmark does) and each token is lower-cased; its shingles are
the tuples of 4 consecutive tokens (a text of 1-3 tokens has the one shingle of all its
tokens; an empty text none). By default a page's shingles are a SET (a repeated shingle
counts once); --counts uses multisets (Counter), as upstream evaluate.py does. For one page:

    P = |pred & true| / |pred|    R = |pred & true| / |true|    page F1 = 2PR / (P + R)

(P = 1 and R = 1 when both are empty; a page whose prediction is empty has P undefined and
is left out of mean P, as upstream does, but counts as page F1 = 0.) Reported per extractor:
mean P and mean R over pages, "F1" = 2·meanP·meanR / (meanP + meanR) (the upstream figure the
published numbers use), the mean of the per-page F1s, and the micro F1 (shingle counts
summed over all pages).

Published, full 181-page benchmark: trafilatura 0.958, readability-lxml 0.922,
plain BeautifulSoup text 0.665.

Paragraph numbers. A web article is cited by paragraph ("para. 3"), and evidex numbers the
blocks of pages[0].text (split on blank lines) 1, 2, 3... as passages.py does, so the text
must hold the body paragraphs and nothing else. From the same evidex output: for each page,
the ground-truth paragraphs are the blocks of articleBody split on blank lines, numbered
k = 1, 2, 3... For each one of at least 8 words, its first 8 words are looked for in evidex's
blocks; it is numbered right when the block found is number k. Words are the `\\w+` tokens,
case-folded after Unicode NFKC and without invisible format characters such as soft hyphens
(so case, whitespace, quotes and other punctuation do not matter). The block found is the
first that starts with those 8 words, else the first that contains them; a paragraph found
in no block counts as wrong ("not found"). Reported: the share of pages whose paragraph 1 is
numbered 1 (over the pages whose paragraph 1 has 8 words or more), the share of all
paragraphs numbered right, and how many were not found. The ground truth itself counts a few
bylines, datelines, pull quotes and teaser links as paragraphs; they are left as they are.

Development split: the pages are halved by a fixed rule, the first hex digit of the page ID.
0-7 is the DEVELOPMENT half: the only AEB pages whose failures were looked at while building
paragraph numbering in evidex/extract/html.py (with the trafilatura-eval pages, which have no
paragraph truth but must-appear and must-not-appear snippets). 8-f is the HELD-OUT half,
reported apart: its pages and failures were never looked at, only its summary figures.
--misnumbered N lists failures of the development half only.

    python benchmarks/articles.py [--markdown] [--worst N] [--counts] [--jobs 2] [--misnumbered N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import data_dir, print_table  # noqa: E402

TARGET_F1 = 0.95
PUBLISHED = {
    "trafilatura (published, 181 pages)": 0.958,
    "readability-lxml (published)": 0.922,
    "BeautifulSoup text (published)": 0.665,
}
_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4, counts: bool = False) -> Counter:
    tokens = [t.lower() for t in _TOKEN.findall(text or "")]
    grams = [tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))] if tokens else []
    bag = Counter(grams)
    return bag if counts else Counter(dict.fromkeys(bag, 1))


def match(pred: str, true: str, counts: bool) -> tuple[int, int, int]:
    """(true positives, predicted shingles, true shingles)."""
    p, t = shingles(pred, counts=counts), shingles(true, counts=counts)
    return sum((p & t).values()), sum(p.values()), sum(t.values())


def page_scores(tp: int, npred: int, ntrue: int) -> tuple[float | None, float | None, float]:
    if npred == ntrue == 0:
        return 1.0, 1.0, 1.0
    precision = tp / npred if npred else None
    recall = tp / ntrue if ntrue else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    return precision, recall, f1


def summarise(results: list[tuple[int, int, int]]) -> dict[str, float]:
    scores = [page_scores(*r) for r in results]
    ps = [s[0] for s in scores if s[0] is not None]
    rs = [s[1] for s in scores if s[1] is not None]
    mp, mr = sum(ps) / len(ps), sum(rs) / len(rs)
    tp, npred, ntrue = (sum(r[i] for r in results) for i in range(3))
    micro_p, micro_r = tp / max(1, npred), tp / max(1, ntrue)
    return {
        "P": mp,
        "R": mr,
        "F1": 2 * mp * mr / (mp + mr) if mp + mr else 0.0,
        "page F1": sum(s[2] for s in scores) / len(scores),
        "micro F1": 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0,
        "empty": sum(1 for r in results if r[1] == 0),
    }


_HALVES = {"development (IDs 0-7)": "01234567", "held-out (IDs 8-f)": "89abcdef"}
_KEY_WORDS = 8


def half_of(page_id: str) -> str:
    return next(name for name, digits in _HALVES.items() if page_id[:1].lower() in digits)


def words(text: str) -> list[str]:
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if unicodedata.category(ch) != "Cf")
    return _TOKEN.findall(text.casefold())


def numbering(pred: str, true: str) -> list[tuple[int, int | None]]:
    """(k, evidex's number or None when not found) for each ground-truth paragraph of 8+ words."""
    blocks = [" " + " ".join(words(b)) + " " for b in pred.split("\n\n") if b.strip()]
    found = []
    for k, paragraph in enumerate((p for p in true.split("\n\n") if p.strip()), start=1):
        tokens = words(paragraph)
        if len(tokens) < _KEY_WORDS:
            continue
        key = " " + " ".join(tokens[:_KEY_WORDS]) + " "
        starts = [n for n, b in enumerate(blocks, start=1) if b.startswith(key)]
        inside = [n for n, b in enumerate(blocks, start=1) if key in b]
        found.append((k, (starts or inside or [None])[0]))
    return found


def paragraph_summary(numbered: list[list[tuple[int, int | None]]]) -> dict[str, float]:
    firsts = [page[0][1] == 1 for page in numbered if page and page[0][0] == 1]
    pairs = [pair for page in numbered for pair in page]
    return {
        "pages": len(numbered),
        "first": sum(firsts) / max(1, len(firsts)),
        "first n": len(firsts),
        "right": sum(1 for k, n in pairs if k == n) / max(1, len(pairs)),
        "paragraphs": len(pairs),
        "not found": sum(1 for _k, n in pairs if n is None),
        "all right": sum(1 for page in numbered if page and all(k == n for k, n in page)) / max(1, len(numbered)),
    }


def evidex_text(path: Path) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "evidex", "extract", str(path), "--format", "json"], capture_output=True, text=True
    )
    if run.returncode != 0:  # evidex refused the page (e.g. no readable text): nothing extracted
        return ""
    pages = json.loads(run.stdout).get("pages") or []
    return pages[0]["text"] if pages else ""


def trafilatura_text(html: bytes) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def soup_text(html: bytes) -> str:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "lxml").get_text(" ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--worst", type=int, default=0, metavar="N", help="list the N pages where evidex scores worst")
    parser.add_argument("--counts", action="store_true", help="multisets of shingles (upstream evaluate.py) instead of sets")
    parser.add_argument("--jobs", type=int, default=2, help="evidex extract processes run at once [2]")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (quick check)")
    parser.add_argument(
        "--misnumbered", type=int, default=0, metavar="N", help="list N misnumbered paragraphs of the development half"
    )
    args = parser.parse_args()
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

    folder = data_dir() / "html-articles" / "aeb"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(i for i in truth if (folder / "html" / f"{i}.html.gz").exists())
    if args.limit:
        ids = ids[: args.limit]
    paths = [folder / "html" / f"{i}.html.gz" for i in ids]

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        evidex = pool.map(evidex_text, paths)  # runs in the background while the references run here
        raw = [gzip.decompress(p.read_bytes()) for p in paths]
        references = {"trafilatura": [trafilatura_text(h) for h in raw], "bs4 get_text": [soup_text(h) for h in raw]}
        texts = {"evidex": list(evidex), **references}

    results = {
        name: [match(text, truth[i]["articleBody"], args.counts) for text, i in zip(out, ids)] for name, out in texts.items()
    }
    summary = {name: summarise(r) for name, r in results.items()}

    headers = ["extractor", "pages", "P", "R", "F1", "page F1", "micro F1", "empty"]
    rows = [
        [name, str(len(ids))] + [f"{s[k]:.3f}" for k in ("P", "R", "F1", "page F1", "micro F1")] + [str(s["empty"])]
        for name, s in summary.items()
    ]
    rows += [[name, "181", "-", "-", f"{value:.3f}", "-", "-", "-"] for name, value in PUBLISHED.items()]
    kind = "multisets" if args.counts else "sets"
    print(f"Word 4-shingle ({kind}) precision/recall on html-articles/aeb ({len(ids)} pages)\n")
    print_table(headers, rows, args.markdown)

    if args.worst:
        order = sorted(range(len(ids)), key=lambda k: page_scores(*results["evidex"][k])[2])[: args.worst]
        print(f"\n{args.worst} worst pages for evidex (page F1; trafilatura's page F1 beside):\n")
        worst_rows = []
        for k in order:
            p, r, f1 = page_scores(*results["evidex"][k])
            tf1 = page_scores(*results["trafilatura"][k])[2]
            words = len(texts["evidex"][k].split())
            twords = len(truth[ids[k]]["articleBody"].split())
            url = truth[ids[k]].get("url", "")[:70]
            worst_rows.append([ids[k][:12], fmt(p), fmt(r), f"{f1:.3f}", f"{tf1:.3f}", str(words), str(twords), url])
        print_table(["id", "P", "R", "F1", "trafilatura F1", "words", "truth words", "url"], worst_rows, args.markdown)

    numbered = [numbering(text, truth[i]["articleBody"]) for text, i in zip(texts["evidex"], ids)]
    groups = {name: [n for n, i in zip(numbered, ids) if half_of(i) == name] for name in _HALVES}
    groups["all pages"] = numbered
    paragraph_rows = []
    for name, pages in groups.items():
        ps = paragraph_summary(pages)
        paragraph_rows.append(
            [name, str(ps["pages"]), f"{ps['first']:.3f}", str(ps["first n"]), f"{ps['right']:.3f}", str(ps["paragraphs"]),
             str(ps["not found"]), f"{ps['all right']:.3f}"]
        )
    print(f"\nParagraph numbers: evidex's paragraph number vs the ground truth's (paragraphs of {_KEY_WORDS}+ words)\n")
    print_table(
        ["pages", "n", "paragraph 1 is 1", "of pages", "paragraphs right", "paragraphs", "not found", "pages all right"],
        paragraph_rows,
        args.markdown,
    )
    if args.misnumbered:
        print("\nMisnumbered paragraphs, development half only (k = ground truth's number, evidex's beside):\n")
        rows = []
        for text, i, page in zip(texts["evidex"], ids, numbered):
            if half_of(i) != next(iter(_HALVES)):
                continue
            for k, n in page:
                if k != n and len(rows) < args.misnumbered:
                    rows.append([i[:12], str(k), "-" if n is None else str(n), truth[i].get("url", "")[:70]])
        print_table(["id", "k", "evidex", "url"], rows, args.markdown)

    f1 = summary["evidex"]["F1"]
    verdict = "meets" if f1 >= TARGET_F1 else "BELOW"
    print(
        f"\nevidex F1 {f1:.3f} (mean page F1 {summary['evidex']['page F1']:.3f}; trafilatura same pages "
        f"{summary['trafilatura']['F1']:.3f}): {verdict} target >= {TARGET_F1}"
    )
    return 0


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    sys.exit(main())
