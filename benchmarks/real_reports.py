"""Real reports: is the text evidex reads right, and does it cite the number printed on the page?

For every PDF under the test data (../shared/data, or $EVIDEX_TEST_DATA) and under any folder
or file given on the command line, evidex runs the work of its ingest workers on the PDF in this
process (extraction with the default PDF path, passages, themes, the text analysed for the index)
and the table gives:

- pages: where the cited page numbers come from (printed / label / physical) and the mapping;
- text F1: agreement of evidex's text (each page's body and footnotes) with `pdftotext -raw`
  (its words hyphenated at line ends re-joined, as evidex and readers do), as F1 over the sets
  of 4-word shingles (tokens: lower-cased \\w+ runs); "first" is the same for
  the text of the default extractor alone, before any page is read again (pdfium when installed);
- vs truth: where the data has the file's true text (NAME.txt, or the NAME.source.html it was
  made from), the same F1 of evidex's text and of pdftotext's against it;
- pages right: against benchmarks/printed_pages.json, our own page-by-page reading of the
  printed numbers (made by looking at each page; "fill" gives what a writer would cite on a
  page that prints none), the share of physical pages whose cited number is right;
- checks: the time evidex spends on the checks every page pays (page-quality checks, reading
  its margins and fitting the page numbers, footnotes), as a share of that work on the file;
  re-read: the time spent reading doubtful pages again with the other extractor (the fix
  itself, paid only by the pages that need it), and how many pages. The catalog and index
  writes of a real ingest are left out of the whole, so the shares are upper bounds.

Then the printed-page facts of reports/realdocs/truth.json: each 8-word phrase is looked up in
evidex's pages and the page it stands on must carry the printed number the truth gives.

What was tuned on what: the page-number reading and fitting (extract/_page_numbers.py) were
developed looking only at the arXiv, SEC 10-Q, sample-file, NCMEC and X PDFs; the six PDFs of
reports/realdocs (Europol, Carnegie, the four Apple PSI papers) were held out and are reported
apart (their truth.json facts and our page-by-page reading of them).

    python benchmarks/real_reports.py [--markdown] [--ocr] [PDF_OR_DIR ...]

--ocr also rasterises three real pages (pdftoppm + img2pdf), has evidex OCR them and reports the
seconds per page and the word recall against the real text layer (needs ocrmypdf, tesseract).
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import data_dir, print_table  # noqa: E402

from evidex.config import Settings  # noqa: E402
from evidex.extract import extract_path  # noqa: E402
from evidex.library import Job, _process  # noqa: E402
from evidex.themes import Taxonomy  # noqa: E402
from evidex.extract import _page_numbers, pdf as pdf_module  # noqa: E402

TARGET_F1 = 0.9
TARGET_CHECK_SHARE = 0.10
HELD_OUT = "reports/realdocs/"
ANNOTATIONS = Path(__file__).resolve().parent / "printed_pages.json"
_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    return {tuple(tokens[i : i + n]) for i in range(max(0, len(tokens) - n + 1))}


def f1(pred: str, true: str) -> float:
    p, t = shingles(pred), shingles(true)
    if not p or not t:
        return float(p == t)
    common = len(p & t)
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(t)
    return 2 * precision * recall / (precision + recall)


def pdftotext_raw(pdf: Path) -> str:
    """pdftotext's text in content-stream order, with words hyphenated at line ends re-joined
    (as a reader reads them; evidex re-joins them too)."""
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"(\w)-\n(\w)", r"\1\2", text)


class CheckTimer:
    """Time spent in the checks, found by wrapping the functions that do them (in this process):
    `checks`, what every page pays (quality checks, margins, the page-number fit, footnotes),
    and `rereads`, reading a doubtful page again with the other extractor (`reread` pages)."""

    CHECKS = [
        (pdf_module, "page_problem"),
        (pdf_module, "_reads_backwards"),
        (pdf_module, "_edges"),
        (pdf_module, "_margin_lines"),
        (pdf_module._page_numbers, "number_pages"),
        (pdf_module._notes, "separate"),
    ]
    READERS = [(pdf_module._PdfiumPages, "read"), (pdf_module, "_pypdf_page")]

    def __init__(self) -> None:
        self.checks = self.rereads = 0.0
        self.reread = 0
        self.first_text: list[str] = []
        self._read: set[int] = set()
        self._depth = 0
        for owner, name in self.CHECKS:
            setattr(owner, name, self._timed(getattr(owner, name)))
        for owner, name in self.READERS:
            setattr(owner, name, self._reader(getattr(owner, name)))

    def start_file(self) -> None:
        self.checks = self.rereads = 0.0
        self.reread = 0
        self._read = set()
        self.first_text = []

    def _timed(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if self._depth:
                return fn(*args, **kwargs)
            self._depth += 1
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.checks += time.perf_counter() - started
                self._depth -= 1

        return wrapper

    def _reader(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            number = args[1]
            started = time.perf_counter()
            result = fn(*args, **kwargs)
            if number in self._read:  # a page read a second time: the other extractor
                self.rereads += time.perf_counter() - started
                self.reread += 1
            else:
                self._read.add(number)
                self.first_text.append(result[0] if isinstance(result, tuple) else result)  # pdfium: (text, margins)
            return result

        return wrapper


def page_of_phrase(document, phrase: str):
    words = [w.lower() for w in _TOKEN.findall(phrase)]
    for page in document.pages:
        tokens = [w.lower() for w in _TOKEN.findall("\n".join([page.text, *page.asides]))]
        for i in range(len(tokens) - len(words) + 1):
            if tokens[i : i + len(words)] == words:
                return page
    return None


def ground_truth(pdf: Path) -> str | None:
    """The file's true text when the data has it beside the PDF (NAME.txt, or the HTML it was
    made from, NAME.source.html, read as text)."""
    text = pdf.with_suffix(".txt")
    if text.exists():
        return text.read_text(encoding="utf-8", errors="replace")
    html = pdf.with_suffix(".source.html")
    if html.exists():
        from bs4 import BeautifulSoup

        return BeautifulSoup(html.read_text(encoding="utf-8", errors="replace"), "lxml").get_text(" ")
    return None


def pdfs_under(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        found += sorted(path.rglob("*.pdf")) if path.is_dir() else [path]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="more PDFs or folders of PDFs (held-out reports)")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--ocr", action="store_true", help="also measure OCR on rasterised real pages")
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    data = data_dir()
    annotations = json.loads(ANNOTATIONS.read_text())["documents"] if ANNOTATIONS.exists() else {}
    pdfs = pdfs_under([data, *args.paths])
    timer = CheckTimer()
    settings, taxonomy = Settings(), Taxonomy.load(None)
    rows, documents, misses = [], {}, []
    all_checks = all_rereads = all_total = 0.0
    all_reread = 0
    for path in pdfs:
        name = str(path.relative_to(data)) if path.is_relative_to(data) else str(path)
        timer.start_file()
        started = time.perf_counter()
        document = _process(Job(str(path)), settings, taxonomy)[0]
        total = time.perf_counter() - started
        all_checks += timer.checks
        all_rereads += timer.rereads
        all_reread += timer.reread
        all_total += total
        documents[name] = document
        reference = pdftotext_raw(path)
        text = "\n".join("\n".join([p.text, *p.asides]) for p in document.pages)
        right = ""
        truth = annotations.get(name)
        if truth:
            wanted = [printed if printed is not None else fill for printed, fill in zip(truth["printed"], truth["fill"])]
            got = [p.label for p in document.pages]
            ok = sum(a == b for a, b in zip(got, wanted))
            right = f"{ok}/{len(wanted)}"
            misses += [(name, i + 1, g, w) for i, (g, w) in enumerate(zip(got, wanted)) if g != w]
        truth_text = ground_truth(path)
        rows.append([
            name + (" *" if name.startswith(HELD_OUT) else ""), len(document.pages), document.page_source,
            _page_numbers.describe([p.label for p in document.pages], document.page_source)[:70],
            f"{f1(text, reference):.3f}", f"{f1(chr(10).join(timer.first_text), reference):.3f}",
            f"{f1(text, truth_text):.3f} / {f1(reference, truth_text):.3f}" if truth_text else "", right,
            f"{timer.checks / total:.1%}", f"{timer.rereads / total:.1%} ({timer.reread})" if timer.reread else "",
        ])
    headers = ["PDF (* held out)", "pages", "source", "page numbers", "text F1", "first", "vs truth: evidex / pdftotext",
               "pages right", "checks", "re-read (pages)"]
    print_table(headers, rows, args.markdown)
    low = [r[0] for r in rows if float(r[4]) < TARGET_F1]  # text F1 against pdftotext
    print(f"\ntext F1 >= {TARGET_F1} on {len(rows) - len(low)} of {len(rows)} PDFs" + (f" (below: {', '.join(low)})" if low else ""))
    if misses:
        print(f"\npages cited otherwise than our reading ({len(misses)}):")
        for name, index, got, wanted in misses[:40]:
            print(f"  {name} physical {index}: cited {got!r}, printed/implied {wanted!r}")
    print(f"\nchecks: {all_checks:.2f}s of {all_total:.2f}s of the ingest workers' work = {all_checks / all_total:.1%} "
          f"(target < {TARGET_CHECK_SHARE:.0%} of ingest time; catalog and index writes not counted); re-reading "
          f"{all_reread} doubtful pages with the other extractor: {all_rereads:.2f}s = {all_rereads / all_total:.1%}")

    truth_path = data / "reports" / "realdocs" / "truth.json"
    if truth_path.exists():
        facts = json.loads(truth_path.read_text())["facts"]
        fact_rows, right = [], 0
        for fact in facts:
            name = str((truth_path.parent / fact["file"]).resolve().relative_to(data.resolve()))
            document = documents.get(name)
            page = page_of_phrase(document, fact["phrase"]) if document else None
            ok = page is not None and page.label == fact["printed_page"] and page.index == fact["physical_page"]
            right += ok
            fact_rows.append([name, fact["phrase"][:48], fact["printed_page"], page.label if page else "not found",
                              page.index if page else "-", "yes" if ok else "NO"])
        print()
        print_table(["PDF", "phrase", "printed", "cited", "physical", "right"], fact_rows, args.markdown)
        print(f"\nprinted-page facts right: {right} of {len(facts)}")

    if args.ocr:
        ocr_table(data, args.markdown)
    return 0


OCR_PAGES = [("reports/x/x-2024-h1.pdf", 7), ("reports/ncmec/ncmec-ojjdp-2022.pdf", 3),
             ("reports/realdocs/europol-eurojust-observatory-encryption-2019.pdf", 24)]


def ocr_table(data: Path, markdown: bool) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, number in OCR_PAGES:
            source = data / name
            image = Path(tmp) / f"page-{number}"
            subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", "-f", str(number), "-l", str(number), str(source), str(image)], check=True)
            scanned = Path(tmp) / f"scan-{number}.pdf"
            subprocess.run(["img2pdf", str(image) + ".png", "-o", str(scanned)], check=True)
            started = time.perf_counter()
            document = extract_path(scanned)
            seconds = time.perf_counter() - started
            real = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(source), "-"], capture_output=True, text=True).stdout
            wanted = Counter(w.lower() for w in _TOKEN.findall(real))
            text = "\n".join("\n".join([p.text, *p.asides]) for p in document.pages)
            got = Counter(w.lower() for w in _TOKEN.findall(text))
            recall = sum((wanted & got).values()) / max(1, sum(wanted.values()))
            rows.append([f"{name} p. {number}", document.pages[0].extractor, f"{seconds:.1f}", f"{recall:.3f}"])
    print()
    print_table(["page (rasterised at 300 dpi)", "read by", "seconds", "word recall"], rows, markdown)


if __name__ == "__main__":
    sys.exit(main())
