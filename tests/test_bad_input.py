"""Bad input: every unreadable or awkward source is reported on one clear line, and the rest of
the batch still gets ingested.

Each bad input is built at test time from real material (a real PDF truncated or encrypted,
a real article stripped of its text, a real note re-encoded...) in its own fixture. Each is
ingested in one batch with a good PDF, and the batch is then run a second time.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw
from pypdf import PdfWriter

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

GOOD_WORD = "quillwort"  # occurs only in the generated good PDF

GOOD_PARAGRAPHS = [
    "The regional safeguarding board reviewed how schools respond when a pupil reports that an "
    "intimate image has been shared without consent. Staff said the first hour matters most: the "
    "pupil needs to hear that they are not in trouble, and the image must not be copied or forwarded "
    "by adults trying to help. The quillwort protocol, named after the pond plant on the board's logo, "
    "sets out who is told, in which order, and what is written down.",
    "Headteachers asked for clearer guidance on when to involve the police and when a referral to "
    "children's social care is enough. The board agreed to publish short scenarios with model answers, "
    "to test them with designated safeguarding leads, and to review the results after one school year. "
    "Parents will be offered an evening session on the same material, in plain language.",
]


# -- helpers ---------------------------------------------------------------------------------


def _corpus_file(name: str) -> Path | None:
    path = CORPUS / name
    return path if path.is_file() and path.stat().st_size > 0 else None


def _make_report_pdf(path: Path, title: str, paragraphs: list[str], pages: int = 2) -> Path:
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author("Evidex Test Suite")
    pdf.set_creation_date(datetime(2024, 5, 1, tzinfo=timezone.utc))
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=16 if number == 1 else 11)
        if number == 1:
            pdf.multi_cell(0, 9, title)
            pdf.ln(4)
            pdf.set_font("Helvetica", size=11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(3)
    pdf.output(str(path))
    return path


def errors_and_warnings(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("Error:", "Warning:"))]


def lines_naming(output: str, name: str) -> list[str]:
    return [line for line in output.splitlines() if name in line]


def summary(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("Ingested ")]
    assert len(lines) == 1, output
    return lines[0]


def docs_json(evidex) -> list[dict]:
    return json.loads(evidex("docs", "--format", "json").stdout)


def search_json(evidex, query: str) -> list[dict]:
    return json.loads(evidex("search", query, "--format", "json").stdout)


def assert_ingested(evidex, path: Path, word: str) -> dict:
    """The file is in the library (by its source path) and a search for word finds it."""
    records = [d for d in docs_json(evidex) if str(path.resolve()) in d["sources"]]
    assert len(records) == 1, f"{path} not listed by evidex docs"
    hits = search_json(evidex, word)
    assert any(h["doc_id"] == records[0]["id"] for h in hits), f"search {word!r} does not find {path}"
    return records[0]


def assert_not_ingested(evidex, path: Path) -> None:
    for record in docs_json(evidex):
        assert str(path.resolve()) not in record["sources"] and str(path) not in record["sources"]


def assert_one_line(output: str, path: Path, prefix: str, cause: str) -> str:
    """Exactly one line names the file; it is an error (or warning) line with the cause."""
    named = lines_naming(output, path.name)
    assert len(named) == 1, f"expected one line naming {path.name}, got:\n{output}"
    line = named[0]
    assert line.startswith(f"{prefix}: "), line
    assert str(path) in line or str(path.resolve()) in line, line
    assert cause.lower() in line.lower(), f"{cause!r} not in {line!r}"
    assert "Traceback" not in output and "unexpected error" not in output, output
    return line


# -- good and real source material -----------------------------------------------------------


@pytest.fixture
def good_pdf(tmp_path) -> Path:
    """A good two-page report, generated, with GOOD_WORD on both pages."""
    path = tmp_path / "good" / "safeguarding-review.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    return _make_report_pdf(path, "Safeguarding Board Review of School Responses", GOOD_PARAGRAPHS)


@pytest.fixture
def real_pdf_bytes(tmp_path) -> bytes:
    """A real multi-page report: the corpus's, or (while the corpus is absent) a generated one."""
    corpus_pdf = _corpus_file("threat-assessment-2025.pdf") or _corpus_file("encryption-briefing-2024.pdf")
    if corpus_pdf is not None:
        return corpus_pdf.read_bytes()
    path = _make_report_pdf(tmp_path / "source.pdf", "Annual Threat Assessment", GOOD_PARAGRAPHS[::-1], pages=4)
    return path.read_bytes()


@pytest.fixture
def real_note_text() -> str:
    """A real Markdown note (the corpus's, or a stand-in while the corpus is absent)."""
    note = _corpus_file("notes-on-prevention.md")
    if note is not None:
        return note.read_text(encoding="utf-8")
    return "# Notes on prevention\n\n" + "\n\n".join(GOOD_PARAGRAPHS) + "\n"


@pytest.fixture
def real_article_html() -> str:
    article = _corpus_file("sextortion-teenage-boys.html")
    if article is not None:
        return article.read_text(encoding="utf-8")
    body = "".join(f"<p>{p}</p>" for p in GOOD_PARAGRAPHS)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Safeguarding review | Board news</title>"
        "<script>window.dataLayer = [];</script></head><body>"
        "<header><nav><ul><li><a href='/'>Home</a></li><li><a href='/news/'>News</a></li>"
        "<li><a href='/about/'>About us</a></li></ul></nav></header>"
        f"<main><article><h1>Safeguarding review</h1>{body}</article></main>"
        "<footer><p>Board news</p></footer><script src='/a.js'></script></body></html>"
    )


# -- bad inputs, one fixture each --------------------------------------------------------------


@pytest.fixture
def truncated_pdf(tmp_path, real_pdf_bytes) -> Path:
    path = tmp_path / "bad" / "truncated-report.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(real_pdf_bytes[: len(real_pdf_bytes) // 2])
    return path


@pytest.fixture
def encrypted_pdf(tmp_path, real_pdf_bytes) -> Path:
    path = tmp_path / "bad" / "encrypted-report.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = PdfWriter(clone_from=io.BytesIO(real_pdf_bytes))
    writer.encrypt(user_password="secret")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


@pytest.fixture
def scanned_pdf(tmp_path) -> Path:
    """A PDF with no text layer: a raster 'scan' of a page and some drawn shapes only."""
    path = tmp_path / "bad" / "scanned-letter.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    scan = Image.new("L", (600, 800), 245)
    draw = ImageDraw.Draw(scan)
    for row in range(60, 740, 22):  # strokes that look like lines of type, but are pixels
        draw.rectangle((50, row, 50 + (row * 7) % 480 + 40, row + 8), fill=40)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(scan, x=10, y=10, w=190)
    pdf.set_draw_color(200, 0, 0)
    pdf.rect(10, 10, 190, 277)
    pdf.circle(x=180, y=270, radius=8, style="D")
    pdf.output(str(path))
    return path


@pytest.fixture
def empty_file(tmp_path) -> Path:
    path = tmp_path / "bad" / "empty-download.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


@pytest.fixture
def docx_file(tmp_path, real_note_text) -> Path:
    """A real (minimal) Word document: a zip of OOXML parts, which evidex does not read."""
    path = tmp_path / "bad" / "minutes.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    paragraphs = "".join(
        f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in real_note_text.splitlines() if line.strip() and "<" not in line and "&" not in line
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        docx.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        docx.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{paragraphs}</w:body></w:document>",
        )
    return path


@pytest.fixture
def png_file(tmp_path) -> Path:
    path = tmp_path / "bad" / "chart.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (120, 80), "white")
    ImageDraw.Draw(image).rectangle((10, 30, 40, 70), fill="navy")
    image.save(path, format="PNG")
    return path


@pytest.fixture
def text_named_pdf(tmp_path, real_note_text) -> Path:
    """A text file saved with a .pdf extension."""
    path = tmp_path / "bad" / "prevention-notes.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(real_note_text, encoding="utf-8")
    return path


@pytest.fixture
def missing_path(tmp_path) -> Path:
    path = tmp_path / "bad" / "never-downloaded-report.pdf"
    assert not path.exists()
    return path


def _strip_article(html: str) -> str:
    """The page chrome of a real article: head (with its scripts), header and nav, no article."""
    html = re.sub(r"(?is)<main\b.*?</main>", "", html)
    html = re.sub(r"(?is)<article\b.*?</article>", "", html)
    html = re.sub(r"(?is)<footer\b.*?</footer>", "", html)
    return html


@pytest.fixture
def nav_only_html(tmp_path, real_article_html) -> Path:
    """A real article page with the article (and footer) removed: scripts and navigation only."""
    path = tmp_path / "bad" / "nav-only-page.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    page = _strip_article(real_article_html)
    assert "<nav" in page and "<script" in page
    path.write_text(page, encoding="utf-8")
    return path


@pytest.fixture
def script_only_html(tmp_path, real_article_html) -> Path:
    """A real article's head, and a body that is nothing but scripts (a client-side rendered app)."""
    path = tmp_path / "bad" / "script-only-page.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    head = re.search(r"(?is)<head\b.*?</head>", real_article_html).group(0)
    scripts = "".join(re.findall(r"(?is)<script\b.*?</script>", real_article_html)) or "<script>start()</script>"
    page = (
        f"<!DOCTYPE html><html lang='en'>{head}<body><div id='app'></div>{scripts}"
        "<script>document.getElementById('app').textContent = 'Loading';</script><noscript></noscript></body></html>"
    )
    path.write_text(page, encoding="utf-8")
    return path


ACCENTED_NOTE = (
    "\n\nA note from the Montréal café meeting: the naïve résumé of the pilot's results was "
    "revisited, and the délégué from the regional board agreed to a second pilot.\n"
)


@pytest.fixture
def cp1252_text(tmp_path, real_note_text) -> Path:
    """A real note with accented words, saved as Windows-1252 (as older Windows editors do)."""
    path = tmp_path / "notes" / "meeting-notes-cp1252.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((real_note_text + ACCENTED_NOTE).encode("cp1252"))
    return path


@pytest.fixture
def latin1_text(tmp_path) -> Path:
    """A short French note saved as ISO-8859-1."""
    path = tmp_path / "notes" / "compte-rendu-latin1.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = (
        "Compte rendu de la réunion du comité de protection de l'enfance.\n\n"
        "Le café était plein. Les élèves déjà réunis parlaient de sécurité en ligne et de la manière "
        "de signaler un problème à un adulte de confiance. Les enseignants ont présenté le programme "
        "de prévention prévu pour l'année scolaire, et les parents ont posé des questions précises.\n"
    )
    path.write_bytes(text.encode("latin-1"))
    return path


# -- one bad input in a batch with a good file --------------------------------------------------

# fixture, line prefix, cause the line must give, exit code of the batch
BAD_INPUTS = [
    pytest.param("truncated_pdf", "Error", "damaged PDF", 1, id="truncated-pdf"),
    pytest.param("encrypted_pdf", "Error", "encrypted", 1, id="encrypted-pdf"),
    pytest.param("empty_file", "Error", "empty", 1, id="empty-file"),
    pytest.param("docx_file", "Error", "not a file type", 1, id="docx"),
    pytest.param("png_file", "Error", "not a file type", 1, id="png"),
    pytest.param("text_named_pdf", "Error", "not a PDF file", 1, id="text-named-pdf"),
    pytest.param("missing_path", "Error", "no such file", 1, id="missing-path"),
    # NoTextError is a warning: the file is not indexed, but the batch does not fail.
    pytest.param("scanned_pdf", "Warning", "no text layer", 0, id="no-text-layer-pdf"),
    pytest.param("script_only_html", "Warning", "no readable text", 0, id="script-only-html"),
    pytest.param("nav_only_html", "Warning", "no readable text", 0, id="nav-only-html"),
]


@pytest.mark.parametrize("fixture, prefix, cause, exit_code", BAD_INPUTS)
def test_bad_input_is_reported_and_the_batch_goes_on(evidex, request, good_pdf, fixture, prefix, cause, exit_code):
    bad: Path = request.getfixturevalue(fixture)

    first = evidex("ingest", "--jobs", "2", bad, good_pdf, ok=None)
    assert first.exit_code == exit_code, first.output
    line = assert_one_line(first.output, bad, prefix, cause)
    assert errors_and_warnings(first.output) == [line], first.output
    if prefix == "Error":
        assert "failed 1" in summary(first.output)
    else:
        assert "failed 0" in summary(first.output) and "warnings 1" in summary(first.output)
    assert summary(first.stdout).startswith("Ingested 1 ")

    assert_ingested(evidex, good_pdf, GOOD_WORD)
    assert_not_ingested(evidex, bad)
    assert len(docs_json(evidex)) == 1

    second = evidex("ingest", "--jobs", "2", bad, good_pdf, ok=None)
    assert second.exit_code == exit_code, second.output
    assert summary(second.output).startswith("Ingested 0 (0 passages), unchanged 1,"), second.output
    assert_one_line(second.output, bad, prefix, cause)
    assert len(docs_json(evidex)) == 1


def test_bad_inputs_all_in_one_batch(evidex, good_pdf, truncated_pdf, encrypted_pdf, empty_file, docx_file, text_named_pdf, missing_path, scanned_pdf):
    """Many bad files at once: one line each, the good file ingested, exit status 1."""
    bad = {
        truncated_pdf: ("Error", "damaged PDF"),
        encrypted_pdf: ("Error", "encrypted"),
        empty_file: ("Error", "empty"),
        docx_file: ("Error", "not a file type"),
        text_named_pdf: ("Error", "not a PDF file"),
        missing_path: ("Error", "no such file"),
        scanned_pdf: ("Warning", "no text layer"),
    }
    result = evidex("ingest", "--jobs", "2", *bad, good_pdf, ok=False)
    assert result.exit_code == 1
    for path, (prefix, cause) in bad.items():
        assert_one_line(result.output, path, prefix, cause)
    assert len(errors_and_warnings(result.output)) == len(bad)
    assert "failed 6" in summary(result.output) and "warnings 1" in summary(result.output)
    assert_ingested(evidex, good_pdf, GOOD_WORD)
    assert len(docs_json(evidex)) == 1


# -- text that is not UTF-8: ingested, with a warning, and searchable by its accented words -------


@pytest.mark.parametrize(
    "fixture, accented",
    [
        pytest.param("cp1252_text", ["Montréal", "café", "naïve", "résumé"], id="cp1252"),
        pytest.param("latin1_text", ["réunion", "café", "élèves", "sécurité"], id="latin-1"),
    ],
)
def test_non_utf8_text_is_ingested_with_a_warning(evidex, request, good_pdf, fixture, accented):
    text_file: Path = request.getfixturevalue(fixture)

    first = evidex("ingest", "--jobs", "2", text_file, good_pdf)  # warnings alone do not fail a batch
    line = assert_one_line(first.output, text_file, "Warning", "not valid UTF-8")
    assert errors_and_warnings(first.output) == [line]
    assert summary(first.output).startswith("Ingested 2 ")
    assert "warnings 1" in summary(first.output)

    assert_ingested(evidex, good_pdf, GOOD_WORD)
    record = [d for d in docs_json(evidex) if str(text_file.resolve()) in d["sources"]]
    assert len(record) == 1, "the non-UTF-8 file was not ingested"
    for word in accented:
        hits = [h for h in search_json(evidex, word) if h["doc_id"] == record[0]["id"]]
        if not hits:
            extracted = evidex("extract", text_file).stdout
            pytest.fail(f"search {word!r} does not find {text_file.name}; evidex extracted:\n{extracted[-400:]}")
        assert word in hits[0]["text"], f"{word!r} decoded wrongly: {hits[0]['text'][-300:]!r}"

    second = evidex("ingest", "--jobs", "2", text_file, good_pdf)
    assert summary(second.output).startswith("Ingested 0 (0 passages), unchanged 2,"), second.output
    assert errors_and_warnings(second.output) == []


# -- the per-document time limit ------------------------------------------------------------------


def _raw_pdf(content: bytes) -> bytes:
    """A minimal, valid one-page PDF around a (compressed) content stream."""
    stream = zlib.compress(content, 6)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@pytest.fixture
def slow_pdf(tmp_path) -> Path:
    """A small file (~100 KB) whose one page draws a million lines of text: pypdf needs tens of
    seconds to extract it (about 40 us per text operator), far past a 1 s limit."""
    path = tmp_path / "slow" / "million-lines.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    content = b"BT /F1 10 Tf 72 760 Td 12 TL " + b"(slow line) Tj T* " * 1_000_000 + b"ET"
    path.write_bytes(_raw_pdf(content))
    return path


@pytest.fixture
def good_note(tmp_path, real_note_text) -> Path:
    path = tmp_path / "good" / "prevention-notes.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(real_note_text + "\n\nFiled under the heading marshwater for the test suite.\n", encoding="utf-8")
    return path


def test_document_over_the_time_limit_is_stopped_and_the_rest_ingested(evidex, slow_pdf, good_pdf, good_note):
    first = evidex("ingest", "--jobs", "2", "--timeout", "1", slow_pdf, good_pdf, good_note, ok=False)
    assert first.exit_code == 1
    line = assert_one_line(first.output, slow_pdf, "Error", "took longer than 1s")
    assert "--timeout" in line
    assert errors_and_warnings(first.output) == [line]
    assert summary(first.output).startswith("Ingested 2 ") and "failed 1" in summary(first.output)
    assert_ingested(evidex, good_pdf, GOOD_WORD)
    assert_ingested(evidex, good_note, "marshwater")
    assert_not_ingested(evidex, slow_pdf)

    second = evidex("ingest", "--jobs", "2", "--timeout", "1", slow_pdf, good_pdf, good_note, ok=False)
    assert summary(second.output).startswith("Ingested 0 (0 passages), unchanged 2,"), second.output
    assert_one_line(second.output, slow_pdf, "Error", "took longer than 1s")
