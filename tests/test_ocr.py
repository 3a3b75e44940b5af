"""OCR of pages without a text layer (evidex.extract._ocr): real ocrmypdf and Tesseract, no mocks.

The scanned PDF is made here from real report pages (../shared/data): each page rasterised at
300 dpi with pdftoppm and wrapped, image only, by img2pdf. Its own text layer, read by
pdftotext, is what the OCR is checked against. The tests skip, with the reason, where
ocrmypdf/Tesseract, poppler-utils, img2pdf or the data are missing, and fail instead under CI=true.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from conftest import shared_data_dir
from evidex.errors import ExtractorMissingError
from evidex.extract import _ocr

EUROPOL = Path("reports/realdocs/europol-eurojust-observatory-encryption-2019.pdf")
FIRST, SECOND = 10, 8  # its pages that make pages 1 and 2 of the scan (prose; page 8's words are checked)
SCAN_DATE = "2019-01-11T16:34:14"  # img2pdf --creationdate/--moddate: the scan's own metadata dates
WORD = re.compile(r"[a-z0-9]+")


def required(what: str) -> None:
    """Skip the test for want of `what`, or fail under CI, which installs everything."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} (required under CI)")
    pytest.skip(what)


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def recall(real: str, ocr: str) -> float:
    """Share of the real page's words (lowercased) that are among the OCR'd words."""
    found = set(words(ocr))
    real_words = words(real)
    return sum(word in found for word in real_words) / len(real_words)


def text_layer(pdf: Path, page: int) -> str:
    command = ["pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8", str(pdf), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def image_only_pdf(pdf: Path, pages: list[int], out: Path) -> Path:
    """`pages` of `pdf` as a scan: 300 dpi page images, no text layer, dated SCAN_DATE."""
    for page in pages:
        subprocess.run(["pdftoppm", "-r", "300", "-f", str(page), "-l", str(page), "-png", "-singlefile",
                        str(pdf), str(out.with_name(f"page-{page}"))], check=True)
    images = [str(out.with_name(f"page-{page}.png")) for page in pages]
    subprocess.run(["img2pdf", "--creationdate", SCAN_DATE, "--moddate", SCAN_DATE, "-o", str(out), *images], check=True)
    return out


@pytest.fixture(scope="module")
def tools() -> None:
    problem = _ocr.ocr_problem("eng")
    if problem is not None:
        required(f"OCR cannot run: {problem}")
    for program, package in (("pdftoppm", "poppler-utils"), ("pdftotext", "poppler-utils"), ("img2pdf", "img2pdf")):
        if shutil.which(program) is None:
            required(f"{program} is not installed (apt-get install {package})")


@pytest.fixture(scope="module")
def europol(tools) -> Path:
    path = shared_data_dir() / EUROPOL
    if not path.is_file():
        required(f"third-party test data not found at {path}; set EVIDEX_TEST_DATA")
    return path


@pytest.fixture(scope="module")
def scan(europol, tmp_path_factory) -> bytes:
    """A two-page image-only PDF: Europol's page FIRST, then its page SECOND."""
    return image_only_pdf(europol, [FIRST, SECOND], tmp_path_factory.mktemp("scan") / "scan.pdf").read_bytes()


@pytest.fixture
def own_tempdir(tmp_path, monkeypatch) -> Path:
    """Where tempfile makes its directories during the test (to see that OCR leaves nothing)."""
    path = tmp_path / "tmp"
    path.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    return path


def processes_using(path: Path) -> list[str]:
    """Command lines of running processes that name `path` (ocrmypdf, Ghostscript, Tesseract)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(path) in cmdline:
            found.append(cmdline)
    return found


def test_a_scanned_page_is_read_back(europol, scan, own_tempdir):
    real = text_layer(europol, SECOND)
    result = _ocr.ocr_pages(scan, [2])
    assert result.failures == {}
    assert list(result.texts) == [2]
    text = result.texts[2]
    assert recall(real, text) >= 0.9
    # Distinctive words of that page are recognised, and nothing of the page that was not asked for.
    other = set(words(text_layer(europol, FIRST)))
    own = {w for w in words(real) if len(w) >= 8 and w not in other}
    assert {"workarounds", "steganography", "artificial"} <= own
    assert len(own & set(words(text))) >= 0.9 * len(own)
    only_first = {w for w in other if len(w) >= 8} - set(words(real))
    assert only_first and not only_first & set(words(text))
    assert result.engine.startswith("tesseract ") and "(eng)" in result.engine
    assert list(own_tempdir.iterdir()) == []  # the copy and ocrmypdf's work files are gone


def test_a_page_that_overruns_is_a_failure_of_that_page(scan, own_tempdir):
    started = time.monotonic()
    result = _ocr.ocr_pages(scan, [1], page_timeout=0.5)
    assert result.texts == {}
    assert result.failures == {1: "OCR timed out after 0.5 s"}
    assert result.problems() == ["page 1: OCR timed out after 0.5 s"]
    assert time.monotonic() - started < 5
    assert list(own_tempdir.iterdir()) == []
    assert processes_using(own_tempdir) == []  # ocrmypdf and its children were killed, not orphaned


def test_a_hanging_ocrmypdf_is_killed(scan, own_tempdir):
    # ocrmypdf 14 hangs (after a traceback) on a PDF cut in half: the page's time limit ends it.
    started = time.monotonic()
    result = _ocr.ocr_pages(scan[: len(scan) // 2], [1], page_timeout=2)
    assert result.texts == {}
    assert result.failures[1].startswith(("OCR timed out after 2 s", "OCR failed: "))
    assert time.monotonic() - started < 10
    assert processes_using(own_tempdir) == []
    assert list(own_tempdir.iterdir()) == []


def _ocr_in(tempdir: str, data: bytes) -> None:
    tempfile.tempdir = tempdir
    _ocr.ocr_pages(data, [1])


def test_ocrmypdf_dies_with_the_process_that_started_it(scan, own_tempdir):
    # As when an evidex worker is killed at --timeout: its OCR must not run on, and the work
    # directory it could not remove is removed by the next call.
    worker = multiprocessing.get_context("fork").Process(target=_ocr_in, args=(str(own_tempdir), scan))
    worker.start()
    try:
        assert wait_for(lambda: any("ocrmypdf" in c for c in processes_using(own_tempdir)), 10)
    finally:
        worker.kill()
        worker.join()
    assert wait_for(lambda: not any("ocrmypdf" in c for c in processes_using(own_tempdir)), 3)
    assert wait_for(lambda: not processes_using(own_tempdir), 15)  # a Tesseract it started finishes its page
    assert [p.name.split("-")[2] for p in own_tempdir.iterdir()] == [str(worker.pid)]
    alive = own_tempdir / f"evidex-ocr-{os.getpid()}-x"  # a live process's work directory stays
    alive.mkdir()
    _ocr.ocr_pages(scan, [1], deadline=time.monotonic())
    assert list(own_tempdir.iterdir()) == [alive]


def wait_for(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def test_no_page_is_started_that_cannot_finish_by_the_deadline(scan):
    started = time.monotonic()
    result = _ocr.ocr_pages(scan, [1, 2], deadline=time.monotonic() + 1)
    assert result.texts == {}
    assert result.failures == {1: _ocr.OUT_OF_TIME, 2: _ocr.OUT_OF_TIME}
    assert result.failures[1] == "not OCR'd: out of time (--timeout)"
    assert time.monotonic() - started < 1


def test_a_page_the_pdf_does_not_have(scan):
    result = _ocr.ocr_pages(scan, [3])
    assert result.texts == {}
    assert "page 3" in result.failures[3] and result.failures[3].startswith("OCR failed: ")


def test_an_encrypted_pdf_fails_every_page_once(scan, tmp_path):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(scan)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    writer.write(locked)
    started = time.monotonic()
    result = _ocr.ocr_pages(locked.read_bytes(), [1, 2])
    assert result.texts == {}
    assert set(result.failures) == {1, 2}
    assert all("encrypted" in reason and "qpdf --decrypt" in reason for reason in result.failures.values())
    assert time.monotonic() - started < 5  # one failed run, not one per page


def test_a_missing_language_is_named_with_its_package(tools):
    problem = _ocr.ocr_problem("xyz")
    assert problem == "Tesseract has no language 'xyz' (apt-get install tesseract-ocr-xyz)"
    assert "'xyz'" in _ocr.ocr_problem("eng+xyz")
    assert _ocr._language_package_hint("chi_sim") == "apt-get install tesseract-ocr-chi-sim"  # Debian's name
    assert "not a Tesseract language name" in _ocr.ocr_problem("--version")
    assert _ocr.ocr_problem("eng") is None
    with pytest.raises(ExtractorMissingError, match="OCR cannot run: Tesseract has no language 'xyz'"):
        _ocr.ocr_pages(b"%PDF-1.4", [1], lang="xyz")


def test_nothing_asked_nothing_run():
    assert _ocr.ocr_pages(b"not even a PDF", []) == _ocr.OcrResult()
    with pytest.raises(ValueError):
        _ocr.ocr_pages(b"%PDF-1.4", [0])
    with pytest.raises(ValueError):
        _ocr.ocr_pages(b"%PDF-1.4", [1], page_timeout=0)


def test_sidecar_pages_are_mapped_by_the_skip_markers():
    # What ocrmypdf 14 writes with --pages 3 on a 5-page PDF, the page's own text holding a form feed.
    sidecar = "[OCR skipped on page(s) 1-2]\fline one\fstill page 3\n\f[OCR skipped on page(s) 4-5]"
    assert _ocr._page_text(sidecar, 3) == "line one\fstill page 3\n"
    assert _ocr._page_text("[OCR skipped on page(s) 1]\ftext", 2) == "text"
    assert _ocr._page_text("text\f[OCR skipped on page(s) 2]", 1) == "text"
    assert _ocr._page_text("text", 1) == "text"
    assert _ocr._page_text("[OCR skipped on page(s) 1-2]", 3) is None  # no page 3
    assert _ocr._page_text("[OCR skipped on page(s) 1]", 2) is None
