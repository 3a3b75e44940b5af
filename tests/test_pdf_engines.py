"""The two PDF text paths: pdfium (fast) and pypdf, with the per-page quality check between them."""

from __future__ import annotations

import importlib.util
import json
import os
import re

import pytest
from rapidfuzz.distance import Levenshtein

from evidex.extract.pdf import choose_engine, page_problem

PDFS = ["threat-assessment-2025.pdf", "encryption-briefing-2024.pdf", "prevention-annual-review-2023.pdf"]


@pytest.fixture
def pdfium():
    if importlib.util.find_spec("pypdfium2") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pypdfium2 is not installed (required under CI)")
        pytest.skip("pypdfium2 is not installed: pip install 'evidex[pdfium]'")


def _extract(evidex, path, engine: str) -> dict:
    return json.loads(evidex("extract", "--pdf-engine", engine, "--format", "json", path).stdout)


@pytest.mark.parametrize("name", PDFS)
def test_both_paths_give_the_same_pages_labels_and_metadata(pdfium, evidex, corpus, name):
    by_pypdf, by_pdfium = _extract(evidex, corpus / name, "pypdf"), _extract(evidex, corpus / name, "pdfium")
    assert (by_pypdf["extractor"], by_pdfium["extractor"]) == ("pypdf", "pdfium")
    for field in ("title", "author", "date", "guessed"):
        assert by_pypdf[field] == by_pdfium[field], field
    assert [p["label"] for p in by_pypdf["pages"]] == [p["label"] for p in by_pdfium["pages"]]
    for a, b in zip(by_pypdf["pages"], by_pdfium["pages"]):
        assert Levenshtein.normalized_similarity(" ".join(a["text"].split()), " ".join(b["text"].split())) > 0.97


def test_auto_prefers_pdfium_when_installed(pdfium):
    assert choose_engine("auto") == "pdfium"
    assert choose_engine("pypdf") == "pypdf"


def test_pdfium_keeps_hyphenated_words_whole(pdfium, tmp_path, evidex):
    # A word broken at a line end with a hyphen comes back whole, as on the pypdf path.
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(60, 6, "Safeguarding teams described the approach as prevent-\nion first, and the vocabulary of prevention appears again here.")
    path = tmp_path / "hyphen.pdf"
    pdf.output(str(path))
    text = _extract(evidex, path, "pdfium")["pages"][0]["text"]
    assert "prevention first" in " ".join(text.split())


def test_ingest_records_the_extractor(pdfium, evidex, corpus):
    evidex("ingest", "-q", "--pdf-engine", "pypdf", corpus / PDFS[0])
    docs = json.loads(evidex("docs", "--format", "json").stdout)
    assert docs[0]["extractor"] == "pypdf"
    evidex("ingest", "-q", "--force", "--pdf-engine", "pdfium", corpus / PDFS[0])
    docs = json.loads(evidex("docs", "--format", "json").stdout)
    assert docs[0]["extractor"] == "pdfium"
    assert "lodestar" in evidex("search", "lodestar").stdout.lower()


def test_page_problem_spots_broken_text():
    good = "Reports of online enticement rose sharply last year, and most of them involved teenage boys. " * 3
    assert page_problem(good) is None
    assert page_problem("   \n ") == "empty"
    glued = "Reportsofonlineenticementrosesharplylastyear andmostofthem involvedteenageboysacrosseveryplatform " * 5
    assert page_problem(glued + good) == "words run together"
    lost = "Reports of on\ufffdine entice\ufffdent rose \ufffd\ufffd\ufffd sharply \ue001\ue002 last year " * 4
    assert page_problem(lost) == "lost glyphs"
    # Text read backwards: its words in reverse order (as pdfium reads some InDesign files: each
    # run of letters or punctuation in place, their order reversed), or its letters.
    sentences = "Reports of online enticement rose sharply last year, and most involved boys. Schools responded. "
    words_backwards = "".join(reversed(re.findall(r"\w+|[^\w\s]+|\s+", sentences * 4)))
    assert words_backwards.startswith(" .responded Schools .boys involved")
    assert page_problem(words_backwards) == "text in reverse order"
    assert page_problem(sentences[::-1] * 4) == "text in reverse order"
    assert page_problem(sentences * 4) is None
    # a long word now and then (a URL, a German compound) is not a problem
    assert page_problem(good + " Kinderschutzbeauftragtenverordnungsentwurf https://example.org/aVeryLongPathSegmentHere ") is None


def test_a_broken_page_is_read_again_with_the_other_extractor(pdfium, evidex, shared):
    # pypdf loses the minus signs of this lecture script's formulas (U+0000 in its text);
    # those pages are taken from pdfium, the rest stay pypdf's.
    document = _extract(evidex, shared / "pdf-groundtruth" / "arxiv" / "GeoTopo-komprimiert.pdf", "pypdf")
    assert document["extractor"].startswith("pypdf (") and "pages by pdfium)" in document["extractor"]
    page = next(p for p in document["pages"] if p["label"] == "39")  # its running header is "39 2.3. SIMPLIZIALKOMPLEX"
    assert "a0(Γ) − a1(Γ)" in page["text"] and not page["text"].startswith("39")
    assert page["extractor"] == "pdfium" and page["extractor_reason"] == "pypdf: lost glyphs"
    assert sum(p["extractor"] == "pypdf" for p in document["pages"]) > 80  # the other pages stay pypdf's


def test_asking_for_pdfium_without_it_fails_once_before_any_work(evidex, corpus, monkeypatch, index_dir):
    import evidex.extract.pdf as pdf_module

    monkeypatch.setattr(pdf_module, "pdfium_available", lambda: False)
    result = evidex("ingest", "--pdf-engine", "pdfium", corpus, ok=False)
    assert result.output.count("needs pypdfium2") == 1 and "evidex[pdfium]" in result.output
    assert not (index_dir / "catalog.sqlite").exists()
