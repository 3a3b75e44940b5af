"""evidex on documents nobody here wrote (../shared/data): pages cited, text extracted faithfully."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from pypdf import PdfReader

from evidex import analysis


def pdftotext_pages(pdf: Path, count: int) -> list[str]:
    if not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext (poppler-utils) is missing under CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return [
        subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-enc", "UTF-8", str(pdf), "-"],
                       capture_output=True, text=True, check=True).stdout
        for n in range(1, count + 1)
    ]


def words_on_one_page(pdf: Path, limit: int) -> list[tuple[str, str]]:
    """(word, printed label) for words whose stem occurs on exactly one page of the PDF.

    Found independently of evidex: pdftotext, page by page (labels from pypdf).
    """
    reader = PdfReader(pdf)
    labels = list(reader.page_labels)
    pages_of: dict[str, set[int]] = defaultdict(set)
    spelling: dict[str, str] = {}
    for number, text in enumerate(pdftotext_pages(pdf, len(labels))):
        for stem, start, end in analysis.tokens(text):
            pages_of[stem].add(number)
            word = text[start:end]
            if re.fullmatch(r"[a-z]{7,}", word):
                spelling.setdefault(stem, word)
    unique = sorted((spelling[s], labels[next(iter(pages_of[s]))]) for s in spelling if len(pages_of[s]) == 1)
    step = max(1, len(unique) // limit)
    return unique[::step][:limit]


@pytest.mark.parametrize("name", ["ncmec/ncmec-ojjdp-2022.pdf", "x/x-2024-h1.pdf"])
def test_a_word_on_one_page_cites_that_page(evidex, shared, name):
    pdf = shared / "reports" / name
    evidex("ingest", pdf)
    pairs = words_on_one_page(pdf, limit=15)
    assert len(pairs) >= 10
    wrong = []
    for word, label in pairs:
        found = json.loads(evidex("search", word, "-n", "1", "--format", "json").stdout)
        if not found or found[0]["page"] != label or not found[0]["citation"].endswith(f"p. {label}"):
            wrong.append((word, label, found[0]["citation"] if found else None))
    assert wrong == []


def test_ncmec_report_metadata_and_labels(evidex, shared):
    pdf = shared / "reports" / "ncmec" / "ncmec-ojjdp-2022.pdf"
    data = json.loads(evidex("extract", pdf, "--format", "json").stdout)
    assert data["title"] == "2022 NCMEC/OJJDP Transparency Report"
    assert data["date"].startswith("2023")
    assert len(data["pages"]) == 19
    assert [p["label"] for p in data["pages"]] == [str(i) for i in range(1, 20)]


def test_extraction_fidelity_on_arxiv(evidex, shared):
    from rapidfuzz.distance import Levenshtein

    folder = shared / "pdf-groundtruth" / "arxiv"
    scores = {}
    for pdf in sorted(folder.glob("*.pdf")):
        text = evidex("extract", pdf).stdout.replace("\f", "\n")
        truth = pdf.with_suffix(".txt").read_text(encoding="utf-8")
        scores[pdf.name] = Levenshtein.normalized_similarity(" ".join(text.split()), " ".join(truth.split()))
    assert len(scores) == 7
    mean = sum(scores.values()) / len(scores)
    assert mean >= 0.96, scores


def test_news_pages_keep_article_drop_boilerplate(evidex, shared, tmp_path):
    truth = json.loads((shared / "html-articles" / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    folder = shared / "html-articles" / "aeb" / "html"
    checked = 0
    for page_id in sorted(truth)[:8]:
        path = folder / f"{page_id}.html.gz"
        body = truth[page_id]["articleBody"]
        data = json.loads(evidex("extract", path, "--format", "json").stdout)
        text = data["pages"][0]["text"]
        # The article's opening sentence survives extraction...
        first_words = " ".join(body.split()[:8])
        assert first_words[:40] in " ".join(text.split()), page_id
        checked += 1
    assert checked == 8


def test_ingest_real_mix_and_search(evidex, shared):
    result = evidex("ingest", shared / "reports", shared / "seeds")
    assert "failed 0" in result.stdout
    found = json.loads(evidex("search", '"end-to-end encryption"', "--format", "json").stdout)
    assert found and all("end-to-end encryption" in h["text"].lower() for h in found)
    assert any(h["source"].endswith("ncmec-ojjdp-2022.pdf") for h in found)
