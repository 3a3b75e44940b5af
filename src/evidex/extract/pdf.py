"""PDF extraction: text per page (pypdfium2 when installed, else pypdf), metadata (always
pypdf), the number printed on each page, cleanup. A page whose text looks broken (empty, read
backwards, words run together, lost glyphs) is read again with the other extractor and the
better text is kept; a page with no text layer is OCR'd when Tesseract is installed."""

from __future__ import annotations

import contextlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import pypdf
from pypdf import PdfReader, PdfWriter
from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

from ..errors import EvidexError, CorruptSourceError, EncryptedPdfError, ExtractorMissingError, NoTextError
from ..models import Document, Page
from . import _clean, _notes, _page_numbers

_BAD_TITLE = re.compile(
    r"^(?:microsoft\s+\w+\s*-|untitled|title|document\d*|slide\s*\d*|layout\s*\d*)|"
    r"\.(?:docx?|pdf|indd|pptx?|xlsx?|rtf|odt|pages|key|tex|dvi|ps|qxd|ai|eps)\s*$|"
    r"^[\w.]+(?:[-_][\w.]+){2,}$",  # a file-name slug such as report-final_v3
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")


PDF_ENGINES = ("pypdf", "pdfium")
_GLUED = re.compile(r"[^\W\d_]{25,}")  # 25+ letters in a row: words run together
_WORD = re.compile(r"[^\W\d_]{2,}")
_MARGIN_BAND = 0.08  # the top and bottom 8% of a page: its margins, where page numbers stand
_SUSPECT_CHARS = re.compile("[\ufffd\ue000-\uf8ff\x00-\x08\x0b\x0e-\x1f]")  # lost glyphs, private use, controls
# Punctuation belongs after a word ("rights. The"); text read backwards puts it before one
# (".reserved rights"), whether the words or their letters came out in reverse order.
_PUNCT_BEFORE_WORD = re.compile(r"(?<!\S)[.,;:!?][^\W\d_]{2,}")
_PUNCT_AFTER_WORD = re.compile(r"(?=[.,;:!?])(?<=[^\W\d_]{2})[.,;:!?](?=\s|$)")
EMPTY, REVERSED, GLUED, LOST_GLYPHS = "empty", "text in reverse order", "words run together", "lost glyphs"
_PROBLEM_RANK = {None: 0, GLUED: 1, REVERSED: 2, LOST_GLYPHS: 2, EMPTY: 3}


def pdfium_available() -> bool:
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return False
    return True


def choose_engine(wanted: str = "auto") -> str:
    """auto: pdfium when pypdfium2 is installed, else pypdf."""
    if wanted == "auto":
        return "pdfium" if pdfium_available() else "pypdf"
    if wanted == "pdfium" and not pdfium_available():
        raise ExtractorMissingError("--pdf-engine pdfium needs pypdfium2", "Run: pip install 'evidex[pdfium]'")
    return wanted


def page_problem(text: str) -> str | None:
    """Why a page's extracted text looks broken (None: it looks fine)."""
    if not text.strip():
        return EMPTY
    if len(_SUSPECT_CHARS.findall(text)) > max(3, 0.01 * len(text)):
        return LOST_GLYPHS
    if max(text) >= "\u0250" and _mixed_script_words(text):  # beyond Latin letters: two alphabets may mix
        return LOST_GLYPHS  # glyphs mapped to the wrong characters: "ςΒΘΒhabibi"
    backwards = len(_PUNCT_BEFORE_WORD.findall(text))
    if backwards >= 2 and backwards > len(_PUNCT_AFTER_WORD.findall(text)):
        return REVERSED
    words = text.split()
    if len(words) >= 20 and max(map(len, words)) >= 25:
        letters = sum(ch.isalpha() for ch in text)
        if sum(len(m) for m in _GLUED.findall(text)) > 0.15 * max(letters, 1):
            return GLUED
    return None


def _mixed_script_words(text: str) -> bool:
    """Whether a fifth or more of the words with non-ASCII letters run three or more letters of
    one alphabet into three or more of another ("ςΒΘΒhabibi"): what a font without a proper
    character map gives. (Formulas mix single letters, "xα", and do not count.)"""
    words = [word for word in _WORD.findall(text) if not word.isascii()]
    mixed = 0
    for word in words:
        scripts = Counter(_script(ch) for ch in word)
        scripts.pop(None, None)
        mixed += sum(count >= 3 for count in scripts.values()) > 1
    return mixed > 0 and mixed >= 0.2 * len(words)


def _script(ch: str) -> str | None:
    """The alphabet of a letter, by its Unicode name: LATIN, GREEK, CYRILLIC, ARABIC...; None
    for signs that are letters only to Unicode (µ, mathematical italics)."""
    name = unicodedata.name(ch, "").split(" ")[0]
    return name if name in _ALPHABETS else None


_ALPHABETS = {"LATIN", "GREEK", "CYRILLIC", "ARABIC", "HEBREW", "ARMENIAN", "GEORGIAN", "THAI", "DEVANAGARI", "HANGUL", "HIRAGANA", "KATAKANA", "CJK"}


def _worse(a: str | None, b: str | None) -> bool:
    """Whether problem a is worse than problem b (None: no problem)."""
    return _PROBLEM_RANK[a] > _PROBLEM_RANK[b]


def _pypdf_page(reader: PdfReader, number: int, source: str) -> str:
    try:
        return reader.pages[number - 1].extract_text() or ""
    except FileNotDecryptedError as exc:
        raise EncryptedPdfError(source, "PDF is encrypted with a password") from exc
    except Exception as exc:  # pypdf raises many types on damaged content streams
        raise CorruptSourceError(source, f"damaged PDF: page {number} unreadable ({_short(exc)})") from exc


class _PdfiumPages:
    """Page texts from pdfium, in pypdf's conventions (\n line ends, "-\n" where a word breaks)."""

    def __init__(self, data: bytes, password: str | None = None):
        from importlib.metadata import version

        import pypdfium2

        self.version = version("pypdfium2")
        self._doc = pypdfium2.PdfDocument(data, password=password)

    def __len__(self) -> int:
        return len(self._doc)

    @contextlib.contextmanager
    def _textpage(self, number: int):
        page = self._doc[number - 1]
        try:
            textpage = page.get_textpage()
            try:
                yield textpage
            finally:
                textpage.close()
        finally:
            page.close()

    def read(self, number: int) -> tuple[str, list[str]]:
        """The page's text, and the lines in its top and bottom margins (where running headers,
        footers and page numbers stand, wherever the content stream puts them)."""
        page = self._doc[number - 1]
        try:
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
                margins = _margin_lines(page, textpage)
            finally:
                textpage.close()
        finally:
            page.close()
        # pdfium marks a hyphen it saw at a line end with U+FFFE (older builds: U+0002) and
        # drops the line break; restore both so the shared cleanup decides about the hyphen.
        return text.replace("\r\n", "\n").replace("\ufffe", "-\n").replace("\x02", "-\n"), margins

    def has_text_objects(self, number: int) -> bool:
        with self._textpage(number) as textpage:
            return textpage.count_chars() > 0

    def has_images(self, number: int) -> bool:
        """Whether the page draws an image (a page with no text but an image is probably scanned)."""
        import pypdfium2.raw as raw

        page = self._doc[number - 1]
        try:
            return any(obj.type == raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))
        finally:
            page.close()

    def sized_text(self, number: int) -> list[tuple[float, str]]:
        """The upright text of a page in runs of one font size: (size in points, text)."""
        import pypdfium2.raw as raw

        runs: list[tuple[float, str]] = []
        with self._textpage(number) as textpage:
            size, chars = None, []
            for i in range(textpage.count_chars()):
                if abs(raw.FPDFText_GetCharAngle(textpage.raw, i)) > 0.01:
                    continue  # rotated text: margin stamps, not titles
                char_size = round(raw.FPDFText_GetFontSize(textpage.raw, i), 1)
                char = chr(raw.FPDFText_GetUnicode(textpage.raw, i))
                if char_size != size and char.strip():
                    if chars:
                        runs.append((size, "".join(chars)))
                    size, chars = char_size, []
                chars.append(" " if char in "\r\n\ufffe\x02" else char)
            if chars:
                runs.append((size, "".join(chars)))
        return [(size, text) for size, text in runs if size and sum(ch.isalpha() for ch in text) >= 2]

    def close(self) -> None:
        self._doc.close()


def _margin_lines(page, textpage) -> list[str]:
    """The lines of a pdfium page in its top and bottom margins."""
    left, bottom, right, top = page.get_cropbox()
    band = _MARGIN_BAND * (top - bottom)
    text = textpage.get_text_bounded(left, top - band, right, top) + "\n" + textpage.get_text_bounded(left, bottom, right, bottom + band)
    lines = (" ".join(line.split()) for line in text.replace("\r", "\n").replace("\ufffe", "").split("\n"))
    return [line for line in lines if line]


@dataclass
class _PageText:
    """What was read from one page: its raw text, by which extractor and why."""

    text: str
    extractor: str
    reason: str = ""
    edges: list[str] = field(default_factory=list)  # top and bottom lines, for the printed number
    scanned: bool = False  # no text layer but an image: a candidate for OCR


@dataclass
class _Reading:
    pages: list[_PageText]
    engine: str
    version: str
    title_runs: list[tuple[float, str]] | None


def _read_pages(reader: PdfReader, data: bytes, source: str, engine: str, need_title: bool) -> _Reading:
    """Raw text of every page with `engine`; a page whose text looks broken is read again with
    the other extractor and the better text kept. Also each page's top and bottom lines, and
    (when need_title and pdfium is used) the first page's text in runs of one font size."""
    page_count = len(reader.pages)
    pdfium = None
    if engine == "pdfium" or pdfium_available():
        try:
            pdfium = _PdfiumPages(data, password="" if reader.is_encrypted else None)
        except Exception:  # pdfium cannot open what pypdf could: pypdf reads every page
            pdfium = None
        if pdfium is not None and len(pdfium) != page_count:
            pdfium.close()
            pdfium = None
    if pdfium is None:
        engine = "pypdf"
    other_engine = "pypdf" if engine == "pdfium" else "pdfium"

    margins: dict[int, list[str]] = {}

    def read(number: int, name: str) -> str | None:
        if name == "pdfium":
            if pdfium is None:
                return None
            text, margins[number] = pdfium.read(number)
            return text
        return _pypdf_page(reader, number, source)

    pages: list[_PageText] = []
    try:
        problems: list[str | None] = []
        for number in range(1, page_count + 1):
            try:
                first = read(number, engine)
            except CorruptSourceError:
                if pdfium is None:
                    raise
                first = ""  # pypdf cannot read this page: pdfium's text is taken below
            page = _PageText(first, engine)
            problem = page_problem(first)
            if problem == EMPTY and pdfium is not None and not pdfium.has_text_objects(number):
                problem = None  # no text on the page at all: the other extractor would find none either
                page.scanned = pdfium.has_images(number)
            elif problem == EMPTY and pdfium is None:
                page.scanned = _has_images(reader, number)
            pages.append(page)
            problems.append(problem)
        # A producer that makes one extractor read backwards does so on every page, also on
        # pages with too little punctuation to show it (a cover, a contents page): there the
        # two extractors' word order decides.
        backwards_somewhere = REVERSED in problems
        for number, (page, problem) in enumerate(zip(pages, problems), start=1):
            if problem is None and not (backwards_somewhere and page.text.strip()):
                continue
            try:
                second = read(number, other_engine)
            except EvidexError:
                second = None
            if second is None:
                continue
            if problem is not None:
                if _worse(problem, page_problem(second)):
                    pages[number - 1] = _PageText(second, other_engine, f"{engine}: {problem}", scanned=page.scanned)
            elif _reads_backwards(page.text, second):
                pages[number - 1] = _PageText(second, other_engine, f"{engine}: {REVERSED}, by word order against {other_engine}")
        for number, page in enumerate(pages, start=1):
            if pdfium is not None and number not in margins:
                margins[number] = pdfium.read(number)[1]
            page.edges = _edges(page.text, margins.get(number, []))
        version = pdfium.version if engine == "pdfium" else pypdf.__version__
        title_runs = pdfium.sized_text(1) if need_title and pages[0].extractor == "pdfium" else None
    finally:
        if pdfium is not None:
            pdfium.close()
    return _Reading(pages, engine, version, title_runs)


def _reads_backwards(text: str, other: str) -> bool:
    """Whether `text` has its words in the reverse order of `other`'s: more of its word pairs
    stand swapped in the other text than in the same order."""
    other_pairs = set(_word_pairs(other))
    same = swapped = 0
    for a, b in _word_pairs(text):
        if a != b:
            same += (a, b) in other_pairs
            swapped += (b, a) in other_pairs
    return swapped >= 3 and swapped > 2 * same


def _word_pairs(text: str) -> list[tuple[str, str]]:
    words = [word.lower() for word in _WORD.findall(text)]
    return list(zip(words, words[1:]))


def _edges(text: str, margins: list[str], depth: int = 2) -> list[str]:
    """Where a page's number may stand: the lines in its margins (by position, when pdfium
    gives them) and the first and last lines of its text (some producers end a page's text
    with its number, wherever it stands)."""
    lines = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    ends = lines if len(lines) <= 2 * depth else lines[:depth] + lines[-depth:]
    return list(dict.fromkeys(margins + ends))


def _has_images(reader: PdfReader, number: int) -> bool:
    try:
        resources = reader.pages[number - 1].get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        return any(xobject.get_object().get("/Subtype") == "/Image" for xobject in xobjects.values())
    except Exception:  # a damaged resource dictionary: not worth failing the document over
        return False


def _ocr_scanned(reader: PdfReader, reading: _Reading, data: bytes, ocr_lang: str, deadline: float | None) -> tuple[list[int], list[str]]:
    """OCR the pages with no text layer, in place. Returns the pages OCR read and the problems
    (one line each, naming the page and the cause)."""
    scanned = [number for number, page in enumerate(reading.pages, start=1) if page.scanned]
    if not scanned:
        return [], []
    from . import _ocr

    problem = _ocr.ocr_problem(ocr_lang)
    if problem is not None:
        if len(scanned) == len(reading.pages):
            return [], []  # the whole document is scanned: the caller's no-text error says what to do
        return [], [f"{_pages_phrase(scanned)} no text layer and could not be OCR'd: {problem}"]
    if reader.is_encrypted:  # ocrmypdf refuses encrypted files, even those pypdf opened without a password
        decrypted = io.BytesIO()
        PdfWriter(clone_from=reader).write(decrypted)
        data = decrypted.getvalue()
    try:
        result = _ocr.ocr_pages(data, scanned, lang=ocr_lang, deadline=deadline)
    except EvidexError as exc:
        return [], [f"{_pages_phrase(scanned)} no text layer and could not be OCR'd: {exc}"]
    read, problems = [], []
    for number in scanned:
        text = result.texts.get(number)
        if text and text.strip():
            page = reading.pages[number - 1]
            page.text, page.extractor, page.reason = text, "ocr", f"no text layer; read by {result.engine}"
            read.append(number)
        else:
            problems.append(f"page {number}: {result.failures.get(number) or 'OCR found no text'}")
    return read, problems


def _pages_phrase(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]} has"
    shown = ", ".join(str(n) for n in numbers[:10]) + (", ..." if len(numbers) > 10 else "")
    return f"pages {shown} have"


def extract_pdf(
    data: bytes, source: str, sha256: str, engine: str = "auto", ocr_lang: str = "eng", deadline: float | None = None
) -> Document:
    """`deadline` (time.monotonic()): OCR starts no page it could not finish before it."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise CorruptSourceError(source, "not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                decrypted = reader.decrypt("")
            except (NotImplementedError, PyPdfError) as exc:  # unsupported algorithm
                raise EncryptedPdfError(source, f"PDF is encrypted ({exc})") from exc
            if not decrypted:
                raise EncryptedPdfError(source, "PDF is encrypted with a password")
        page_count = len(reader.pages)
    except FileNotDecryptedError as exc:
        raise EncryptedPdfError(source, "PDF is encrypted with a password") from exc
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise CorruptSourceError(source, f"damaged PDF ({_short(exc)})") from exc
    if page_count == 0:
        raise CorruptSourceError(source, "damaged PDF (no pages)")

    engine = choose_engine(engine)
    meta = _metadata(reader)  # from the original file, whatever OCR adds below
    reading = _read_pages(reader, data, source, engine, not meta.get("title"))
    ocrd, warnings = _ocr_scanned(reader, reading, data, ocr_lang, deadline)
    if ocrd:
        one = len(ocrd) == 1
        warnings.append(f"{_pages_phrase(ocrd)} no text layer and {'was' if one else 'were'} read by OCR: "
                        f"check quotes from {'it' if one else 'them'} against the page image{'' if one else 's'}")
    raw_pages = [_clean.normalise_characters(page.text) for page in reading.pages]
    if not any(text.strip() for text in raw_pages):
        if warnings:  # OCR ran and read nothing
            raise NoTextError(source, f"no text layer on any of its {page_count} pages, and OCR read no text ({warnings[0]})")
        raise NoTextError(
            source,
            f"no text layer on any of its {page_count} pages (probably scanned)",
            "Run OCR first, e.g. ocrmypdf in.pdf out.pdf, then ingest the result (with ocrmypdf and "
            "tesseract-ocr installed, evidex OCRs such pages itself)",
        )

    numbering = _page_numbers.number_pages([page.edges for page in reading.pages], _pdf_labels(reader, page_count))
    labels = list(numbering.labels)
    content_lines = _clean.remove_page_furniture(
        [text.split("\n") for text in raw_pages],
        [label or str(i + 1) for i, label in enumerate(labels)],
        number_lines=list(numbering.number_lines) or None,
    )
    content_lines, asides = _notes.separate(content_lines)
    bodies = _clean.repair_split_words(["\n".join(lines) for lines in content_lines])
    content_lines = [text.split("\n") for text in bodies]
    texts = clean_pages(content_lines, bodies)
    pages = tuple(
        Page(
            index=i + 1, label=labels[i], text=texts[i], asides=tuple(asides[i]),
            extractor=reading.pages[i].extractor, extractor_reason=reading.pages[i].reason,
        )
        for i in range(page_count)
    )
    guessed = set()
    if not meta.get("title"):
        runs = reading.title_runs if reading.title_runs is not None else _sized_text_by_pypdf(reader)
        meta["title"] = _title_by_font(runs) or _guess_title(["\n".join(lines) for lines in content_lines])
        guessed.add("title")
    if not meta.get("date"):
        meta["date"] = _guess_year(pages)
        guessed.add("date")
    if not meta.get("author") and not meta.get("publisher"):
        guessed.add("author")
    return Document(
        kind="pdf",
        source=source,
        sha256=sha256,
        pages=pages,
        title=meta.get("title"),
        author=meta.get("author"),
        publisher=meta.get("publisher"),
        date=meta.get("date"),
        language=meta.get("language"),
        extractor=_extractor_summary(reading),
        extractor_version=reading.version,
        guessed=frozenset(guessed),
        page_source=numbering.source,
        warnings=tuple(warnings),
    )


def _extractor_summary(reading: _Reading) -> str:
    """"pdfium", or with the pages read otherwise: "pdfium (2 pages by pypdf, 1 by OCR)"."""
    others: dict[str, int] = {}
    for page in reading.pages:
        if page.extractor != reading.engine:
            others[page.extractor] = others.get(page.extractor, 0) + 1
    if not others:
        return reading.engine
    parts = [f"{count} page{'s' if count > 1 else ''} by {'OCR' if name == 'ocr' else name}" for name, count in sorted(others.items())]
    return f"{reading.engine} ({', '.join(parts)})"


def clean_pages(content_lines: list[list[str]], raw_pages: list[str]) -> list[str]:
    """Page texts as paragraphs: hyphenation re-joined, lines re-flowed (furniture already dropped)."""
    vocab = _clean.vocabulary(raw_pages)
    out = []
    for page_lines in content_lines:
        joined = _clean.join_hyphenated("\n".join(page_lines), vocab)
        out.append(_clean.reflow(joined.split("\n")))
    return out


def _pdf_labels(reader: PdfReader, page_count: int) -> list[str] | None:
    """The PDF's own page labels, or None when it sets none (pypdf would count 1, 2, 3...)."""
    try:
        if "/PageLabels" not in reader.trailer["/Root"]:
            return None
        labels = list(reader.page_labels)
    except Exception:
        return None
    if len(labels) != page_count:
        return None
    # A page without a label style (a typical cover) has an empty label: cite its number.
    return [label or str(i) for i, label in enumerate(labels, start=1)]


def _metadata(reader: PdfReader) -> dict:
    meta: dict = {}
    try:
        info = reader.metadata
    except Exception:
        info = None
    if info:
        meta["title"] = _good_title(_text(info.get("/Title")))
        meta["author"] = _text(info.get("/Author"))
        for key in ("creation_date", "modification_date"):
            try:
                value = getattr(info, key)
            except Exception:
                value = None
            if isinstance(value, datetime):
                meta["date"] = value.date().isoformat()
                break
    try:
        xmp = reader.xmp_metadata
    except Exception:
        xmp = None
    if xmp is not None:
        try:
            if not meta.get("title") and xmp.dc_title:
                meta["title"] = _good_title(_text(next(iter(xmp.dc_title.values()), None)))
            if not meta.get("author") and xmp.dc_creator:
                meta["author"] = _text("; ".join(xmp.dc_creator))
            if xmp.dc_publisher:
                meta["publisher"] = _text("; ".join(xmp.dc_publisher))
            if not meta.get("date") and xmp.dc_date:
                first = xmp.dc_date[0]
                meta["date"] = first.date().isoformat() if isinstance(first, datetime) else str(first)[:10]
            if xmp.dc_language:
                meta["language"] = _text(xmp.dc_language[0])
        except Exception:
            pass
    return {k: v for k, v in meta.items() if v}


def _text(value) -> str | None:
    if value is None:
        return None
    text = _clean.normalise_characters(str(value)).strip()
    text = " ".join(text.split())
    return text or None


def _good_title(title: str | None) -> str | None:
    if not title or len(title) < 4 or _BAD_TITLE.search(title):
        return None
    return title


def _sized_text_by_pypdf(reader: PdfReader) -> list[tuple[float, str]]:
    """The upright text of the first page in runs of one font size: (size in points, text)."""
    parts: list[tuple[float, str]] = []

    def visit(text, cm, tm, _font, size):
        if abs(tm[1]) > 0.01 or abs(tm[2]) > 0.01 or abs(cm[1]) > 0.01 or abs(cm[2]) > 0.01:
            return  # rotated text: margin stamps, not titles
        if sum(ch.isalpha() for ch in text) >= 2 and size:
            parts.append((round(size * (abs(tm[3]) or 1) * (abs(cm[3]) or 1), 1), text))

    try:
        reader.pages[0].extract_text(visitor_text=visit)
    except Exception:  # a title guess is never worth failing the document
        return []
    return parts


def _title_by_font(parts: list[tuple[float, str]]) -> str | None:
    """The largest text on the first page, when it is a short line or two."""
    for size in sorted({s for s, _ in parts}, reverse=True)[:3]:
        text = " ".join(" ".join(t for s, t in parts if s >= size - 0.5).split())
        text = _clean.normalise_characters(text).strip(" .,;:")
        words = text.split()
        if 2 <= len(words) <= 20 and "arxiv" not in text.lower():
            return text
        if len(words) > 20:
            return None  # body-size text: no distinct title font on this page
    return None


def _guess_title(raw_pages: list[str]) -> str | None:
    """The first line of the first pages that reads like a title (a line after it that
    continues it in lower case is joined)."""
    for text in raw_pages[:2]:
        lines = [" ".join(line.split()) for line in text.split("\n")]
        lines = [line for line in lines if line]
        for i, line in enumerate(lines[:15]):
            words = [w for w in line.split() if sum(ch.isalpha() for ch in w) >= 2]
            if len(words) < 2 or len(line.split()) > 20 or "http" in line or "@" in line or "arxiv" in line.lower():
                continue
            if _clean.is_page_number(line) or _YEAR.fullmatch(line.strip()):
                continue
            title = line
            for following in lines[i + 1 : i + 3]:
                if following[:1].islower() or title.endswith((":", "-", "–", "and", "of", "the", "for", "in")):
                    title = f"{title} {following}"
                else:
                    break
            return title.strip(" .,;:")
    return None


def _guess_year(pages: tuple[Page, ...]) -> str | None:
    text = " ".join(page.text for page in pages[:3])
    years = _YEAR.findall(text)
    if not years:
        return None
    # The most recent year named on the front pages is usually the publication year.
    return max(years)


def _short(exc: BaseException) -> str:
    message = str(exc).strip().split("\n")[0] or type(exc).__name__
    return message[:160]
