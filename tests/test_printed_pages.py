"""Real reports: the number printed on the page, text read in order, footnotes and tables kept
out of sentences, and a writer's page corrections. Real files from ../shared/data; synthetic
PDFs (made here with fpdf2 and pypdf) only where a case must be made to order."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from evidex.extract import extract_path
from evidex.extract._page_numbers import describe, fit, labels_from_runs, read_line


def realdocs(shared: Path) -> Path:
    return shared / "reports" / "realdocs"


def facts(shared: Path) -> list[dict]:
    return json.loads((realdocs(shared) / "truth.json").read_text())["facts"]


def search(evidex, query: str, *options) -> list[dict]:
    return json.loads(evidex("search", query, "--format", "json", *options).stdout)


def shingle_f1(a: str, b: str) -> float:
    def shingles(text: str) -> set:
        tokens = [t.lower() for t in re.findall(r"\w+", text)]
        return {tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)}

    p, t = shingles(a), shingles(b)
    common = len(p & t)
    return 2 * common / (len(p) + len(t)) if common else 0.0


def pdftotext(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-raw", *pages, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.shared
def test_every_fact_cites_the_number_printed_on_its_page(evidex, shared):
    wanted = facts(shared)
    files = sorted({(realdocs(shared) / fact["file"]).resolve() for fact in wanted})
    evidex("ingest", "-q", *files)
    for fact in wanted:
        hit = search(evidex, f'"{fact["phrase"]}"', "-n", "1")[0]
        where = (hit["page"], hit["page_index"], hit["page_source"])
        assert where == (fact["printed_page"], fact["physical_page"], "printed"), (fact["phrase"], where)
        assert hit["citation"].endswith(f"p. {fact['printed_page']}")


@pytest.mark.shared
def test_carnegie_reads_in_order_with_the_default_engine_and_cites_its_printed_pages(evidex, shared):
    pdf = realdocs(shared) / "carnegie-encryption-debate-eu-2019.pdf"
    document = json.loads(evidex("extract", pdf, "--format", "json").stdout)
    text = "\n".join(page["text"] for page in document["pages"])
    assert shingle_f1(text, pdftotext(pdf)) >= 0.9  # was 0.000: pdfium reads every line backwards
    reread = [p for p in document["pages"] if p["extractor"] == "pypdf"]
    assert len(reread) >= 12 and all("reverse order" in p["extractor_reason"] for p in reread)
    assert document["page_source"] == "printed"
    labels = {p["index"]: p["label"] for p in document["pages"]}
    assert (labels[1], labels[6], labels[7], labels[8], labels[16]) == (None, "i", "ii", "1", "9")
    # A phrase of physical page 8, read by poppler, is found by phrase search and cited as p. 1.
    line = max(pdftotext(pdf, 8).splitlines(), key=len)
    phrase = " ".join(line.split()[:7]).strip(",.;:")
    evidex("ingest", "-q", pdf)
    hit = search(evidex, f'"{phrase}"', "-n", "1")[0]
    assert (hit["page"], hit["page_index"]) == ("1", 8) and hit["citation"].endswith("p. 1"), (phrase, hit["citation"])
    shown = evidex("show", hit["doc_id"]).stdout
    assert "printed i-ii from physical 6-7, 1-" in shown and "physical 1-5 unnumbered" in shown
    assert "read by: pypdf for physical pages" in shown and "text in reverse order" in shown


@pytest.mark.shared
def test_a_blank_cover_in_front_changes_the_physical_page_not_the_printed_one(evidex, shared, tmp_path):
    writer = PdfWriter(clone_from=shared / "reports" / "x" / "x-2024-h1.pdf")
    writer.insert_blank_page(index=0)
    covered = tmp_path / "x-with-cover.pdf"
    writer.write(covered)
    evidex("ingest", "-q", covered)
    fact = next(f for f in facts(shared) if f["file"].endswith("x-2024-h1.pdf") and f["printed_page"] == "7")
    hit = search(evidex, f'"{fact["phrase"]}"', "-n", "1")[0]
    assert (hit["page"], hit["page_index"]) == ("7", 8), hit["citation"]


@pytest.mark.shared
def test_pdf_page_labels_the_pages_do_not_print_are_not_cited(evidex, shared):
    pdf = shared / "reports" / "ncmec" / "ncmec-by-country-2022.pdf"
    assert PdfReader(pdf).page_labels[2] == "C3"
    document = extract_path(pdf)
    assert document.page_source == "printed"
    assert [p.label for p in document.pages] == [str(i) for i in range(1, 9)]


def _table_pdf(path: Path, labels: bool) -> Path:
    """Pages of prose and tables full of numbers, with no page number in any margin."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for page in range(6):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.set_xy(20, 30)
        pdf.multi_cell(170, 6, "Reports received by each service in the year, as counted by the hotline. " * 4)
        for row in range(8):
            pdf.set_xy(20, 80 + row * 8)
            pdf.cell(60, 6, f"Service {row + 1 + page}")
            pdf.cell(40, 6, f"{(row + 3) * (page + 7) * 13:,}")
            pdf.cell(40, 6, str(row + page + 2))
        pdf.set_xy(20, 270)  # the last line of the page: a table row whose last cell counts up
        pdf.cell(60, 6, f"Total {page * 977 + 13:,}")
        pdf.cell(40, 6, str(page + 40 + (page % 2) * 30))
    pdf.output(str(path))
    if labels:
        writer = PdfWriter(clone_from=path)
        writer.set_page_label(0, 5, style="/r", start=1)
        writer.write(path)
    return path


def test_numbers_in_tables_are_not_page_numbers(tmp_path):
    plain = extract_path(_table_pdf(tmp_path / "tables.pdf", labels=False))
    assert plain.page_source == "physical" and [p.label for p in plain.pages] == ["1", "2", "3", "4", "5", "6"]
    labelled = extract_path(_table_pdf(tmp_path / "labelled.pdf", labels=True))
    assert labelled.page_source == "label" and [p.label for p in labelled.pages] == ["i", "ii", "iii", "iv", "v", "vi"]


def test_the_forms_a_page_number_takes():
    seen = {line: [(c.value, c.roman) for c in read_line(line)] for line in (
        "7", "- 7 -", "Page 7", "Page 7 of 45", "7 / 45", "7 | Annual Report 2023", "Annual Report 2023 | 7",
        "CARNEGIE ENDOWMENT FOR INTERNATIONAL PEACE | iv", "iv", "A-3", "Article number, page 7 of 12",
        "Page 7 records the review of the board.", "In 2023 we received 7", "I",
    )}
    assert seen["7"] == seen["- 7 -"] == seen["Page 7"] == seen["Page 7 of 45"] == seen["7 / 45"] == [(7, None)]
    assert seen["7 | Annual Report 2023"][0] == (7, None) and (7, None) in seen["Annual Report 2023 | 7"]
    assert seen["CARNEGIE ENDOWMENT FOR INTERNATIONAL PEACE | iv"] == seen["iv"] == [(4, "lower")]
    assert seen["A-3"] == [(3, "A-")] and seen["Article number, page 7 of 12"] == [(7, None)]
    assert seen["Page 7 records the review of the board."] == [] and seen["I"] == [(1, "upper")]


def test_a_fit_needs_neighbours_to_agree_and_fills_the_pages_between():
    # Printed on even physical pages only, one less than the physical page; a stray "25" (a
    # footnote marker) and a year in a header agree with nothing.
    lines = [[] for _ in range(12)]
    for index in range(2, 13, 2):
        lines[index - 1].append(f"{index - 1} / 11")
    lines[4].append("25")
    lines[6].append("Annual report 2019")
    runs = fit([[c for line in page for c in read_line(line)] for page in lines])
    assert [(r.first, r.last, r.offset) for r in runs] == [(2, 12, -1)]
    labels = labels_from_runs(runs, 12)
    assert labels == (None, *[str(i) for i in range(1, 12)])
    assert describe(list(labels), "printed") == "printed 1-11 from physical 2-12; physical 1 unnumbered"
    # Roman front matter, then arabic from 1: two runs, the cover before them unnumbered.
    pages = [[], [], ["i"], ["ii"], ["iii"], ["1"], ["2"], ["3"], ["4"], ["5"]]
    labels = labels_from_runs(fit([[c for line in page for c in read_line(line)] for page in pages]), 10)
    assert labels == (None, None, "i", "ii", "iii", "1", "2", "3", "4", "5")
    # Nothing consistent: no runs, so the caller falls back to labels or physical pages.
    assert fit([[c for c in read_line(line)] for line in ["3", "17", "Figure 2", "8", "2024", "41"]]) == ()


@pytest.mark.shared
def test_a_writer_corrects_the_page_numbers_and_the_correction_outlives_re_ingest(evidex, shared):
    pdf = realdocs(shared) / "europol-eurojust-observatory-encryption-2019.pdf"
    fact = next(f for f in facts(shared) if f["file"].startswith("europol") and f["printed_page"] == "23")
    evidex("ingest", "-q", pdf)
    doc = search(evidex, f'"{fact["phrase"]}"', "-n", "1")[0]["doc_id"]
    assert "printed 1-45 from physical 2-46; physical 1 unnumbered" in evidex("show", doc).stdout

    changed = evidex("meta", doc, "--pages-from-physical").stdout
    assert "Pages: physical pages 1-46" in changed
    hit = search(evidex, f'"{fact["phrase"]}"', "-n", "1")[0]
    assert (hit["page"], hit["page_source"]) == ("24", "physical")
    evidex("ingest", "-q", "--force", pdf)  # a re-extraction keeps the writer's numbers
    assert search(evidex, f'"{fact["phrase"]}"', "-n", "1")[0]["page"] == "24"
    assert "(corrected)" in evidex("show", doc).stdout

    evidex("meta", doc, "--page-offset", "-2")
    hit = search(evidex, f'"{fact["phrase"]}"', "-n", "1")[0]
    assert (hit["page"], hit["page_source"]) == ("22", "printed") and hit["citation"].endswith("p. 22")
    first = json.loads(evidex("show", doc, "--format", "json").stdout)["pages"][:3]
    assert [p["label"] for p in first] == [None, None, "1"]

    evidex("meta", doc, "--clear", "pages")
    hit = search(evidex, f'"{fact["phrase"]}"', "-n", "1")[0]
    assert (hit["page"], hit["page_source"]) == ("23", "printed")
    assert "(corrected)" not in evidex("show", doc).stdout
    assert evidex("meta", doc, "--page-offset", "1", "--pages-from-physical", ok=False).exit_code == 2


@pytest.mark.shared
def test_footnotes_are_their_own_passages_and_their_markers_leave_the_sentence(evidex, shared):
    pdf = shared / "reports" / "ncmec" / "ncmec-ojjdp-2022.pdf"
    evidex("ingest", "-q", pdf)
    note = search(evidex, '"A hash value can be thought of as a digital fingerprint"', "-n", "1")[0]
    assert note["text"].startswith("A hash value") and note["page"] == "6" and note["paragraph"] is None
    assert "PhotoDNA hashing" in note["text"] and "Total CyberTipline reports" not in note["text"]
    body = search(evidex, '"share the same SHA1 hash"', "-n", "1")[0]
    assert "hash. Visually similar" in body["text"] and "A hash value" not in body["text"]
    glued = search(evidex, '"though not identical"', "-n", "1")[0]
    assert "identical.5" not in glued["text"] and "identical." in glued["text"]


@pytest.mark.shared
def test_table_rows_are_not_run_into_sentences(shared):
    page = extract_path(shared / "reports" / "ncmec" / "ncmec-ojjdp-2022.pdf").pages[5]
    paragraphs = page.text.split("\n\n")
    row = next(p for p in paragraphs if "21,751,085" in p)
    assert row == "Total CyberTipline reports 21,751,085 29,397,681 32,059,029"
    prose = next(p for p in paragraphs if "The chart below summarizes" in p)
    assert not re.search(r"\d{1,3},\d{3},\d{3}", prose)


@pytest.mark.shared
def test_arabic_is_read_in_logical_order(shared):
    document = extract_path(shared / "pdf-groundtruth" / "sample-files" / "habibi.pdf")
    assert "حَبيبي habibi" in document.pages[0].text  # pdfium's text maps this font's glyphs to Greek


def _needs_ocr() -> None:
    import os
    import shutil

    missing = [tool for tool in ("ocrmypdf", "tesseract", "pdftoppm", "img2pdf") if not shutil.which(tool)]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{', '.join(missing)} missing under CI (.ci/run installs them)")
        pytest.skip(f"OCR tools not installed: {', '.join(missing)}")


@pytest.mark.shared
def test_a_scanned_page_among_text_pages_is_ocrd_and_says_so(evidex, shared, tmp_path, index_dir):
    _needs_ocr()
    source = shared / "reports" / "x" / "x-2024-h1.pdf"
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", "-f", "7", "-l", "7", str(source), str(tmp_path / "p7")], check=True)
    subprocess.run(["img2pdf", str(tmp_path / "p7.png"), "--creationdate", "2019-05-04T10:00:00", "-o", str(tmp_path / "scan.pdf")], check=True)
    # Pages 1-6 as they are, page 7 as a picture of itself, pages 8-15 as they are.
    writer = PdfWriter()
    original, scan = PdfReader(source), PdfReader(tmp_path / "scan.pdf")
    for number, page in enumerate(original.pages, start=1):
        writer.add_page(scan.pages[0] if number == 7 else page)
    writer.add_metadata({"/Title": "Transparency report with a scanned page", "/CreationDate": "D:20240901120000Z"})
    mixed = tmp_path / "mixed.pdf"
    writer.write(mixed)

    evidex("ingest", "-q", mixed)
    fact = next(f for f in facts(shared) if f["file"].endswith("x-2024-h1.pdf") and f["printed_page"] == "7")
    words = " ".join(fact["phrase"].split()[1:6])  # OCR may read the punctuation differently
    hit = search(evidex, f'"{words}"', "-n", "1")[0]
    assert (hit["page"], hit["page_index"], hit["extractor"]) == ("7", 7, "ocr"), hit["citation"]
    assert search(evidex, '"zero tolerance for child sexual exploitation"', "-n", "1")[0]["extractor"] == "ocr"
    other = search(evidex, f'"{next(f for f in facts(shared) if f["printed_page"] == "10")["phrase"]}"', "-n", "1")[0]
    assert other["extractor"] != "ocr" and other["page"] == "10"
    shown = evidex("show", hit["doc_id"]).stdout
    assert "read by: ocr for physical page 7" in shown and "check quotes from it against the page image" in shown
    assert "OCR'd: check the quote" in evidex("show", hit["passage_id"]).stdout
    assert hit["date"] == "2024-09-01"  # the original's metadata, not the OCR run's
    _web_shows_the_ocr_warning(index_dir, hit)


def _web_shows_the_ocr_warning(index_dir: Path, hit: dict) -> None:
    import warnings

    pytest.importorskip("starlette")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's TestClient prefers httpx2
        from starlette.testclient import TestClient

        from evidex.config import Settings
        from evidex.web import create_app

        with TestClient(create_app(Settings(index_dir=index_dir)), base_url="http://127.0.0.1:8765") as client:
            doc = client.get(f"/doc/{hit['doc_id']}").text
            assert "physical page 7 was recognised from the page image" in doc
            assert "recognised by OCR: check the quote" in client.get(f"/passage/{hit['passage_id']}").text


@pytest.mark.shared
def test_ocr_out_of_time_is_a_warning_naming_the_page_and_the_rest_goes_in(shared, tmp_path):
    import time

    from evidex.extract.pdf import extract_pdf

    _needs_ocr()
    source = shared / "reports" / "x" / "x-2024-h1.pdf"
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", "-f", "3", "-l", "3", str(source), str(tmp_path / "p3")], check=True)
    subprocess.run(["img2pdf", str(tmp_path / "p3.png"), "-o", str(tmp_path / "scan.pdf")], check=True)
    writer = PdfWriter()
    original, scan = PdfReader(source), PdfReader(tmp_path / "scan.pdf")
    for number, page in enumerate(original.pages, start=1):
        writer.add_page(scan.pages[0] if number == 3 else page)
    mixed = tmp_path / "mixed.pdf"
    writer.write(mixed)
    document = extract_pdf(mixed.read_bytes(), str(mixed), "0" * 64, deadline=time.monotonic())  # no time left
    assert document.warnings == ("page 3: not OCR'd: out of time (--timeout)",)
    assert document.pages[2].text == "" and document.pages[6].text and document.pages[2].label == "3"


@pytest.mark.shared
def test_a_wholly_scanned_pdf_is_ocrd_and_keeps_its_own_date(evidex, shared, tmp_path):
    _needs_ocr()
    source = shared / "reports" / "ncmec" / "ncmec-ojjdp-2022.pdf"
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", "-f", "3", "-l", "3", str(source), str(tmp_path / "p3")], check=True)
    scan = tmp_path / "scanned-letter.pdf"
    subprocess.run(["img2pdf", str(tmp_path / "p3.png"), "--creationdate", "2019-05-04T10:00:00", "-o", str(scan)], check=True)
    document = json.loads(evidex("extract", scan, "--format", "json").stdout)
    page = document["pages"][0]
    assert page["extractor"] == "ocr" and "no text layer" in page["extractor_reason"]
    assert "end-to-end encryption" in page["text"].replace("\n", " ")
    assert document["date"] == "2019-05-04" and document["extractor"] == "pdfium (1 page by OCR)"
