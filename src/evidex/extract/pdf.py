"""PDF extraction: text per page (pypdfium2 when installed, else pypdf), printed page labels and
metadata (always pypdf), cleanup. A page whose text looks broken is taken from the other extractor."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import datetime

import pypdf
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

from ..errors import EvidexError, CorruptSourceError, EncryptedPdfError, ExtractorMissingError, NoTextError
from ..models import Document, Page
from . import _clean

_BAD_TITLE = re.compile(
    r"^(?:microsoft\s+\w+\s*-|untitled|title|document\d*|slide\s*\d*|layout\s*\d*)|"
    r"\.(?:docx?|pdf|indd|pptx?|xlsx?|rtf|odt|pages|key|tex|dvi|ps|qxd|ai|eps)\s*$|"
    r"^[\w.]+(?:[-_][\w.]+){2,}$",  # a file-name slug such as report-final_v3
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")


PDF_ENGINES = ("pypdf", "pdfium")
_GLUED = re.compile(r"[^\W\d_]{25,}")  # 25+ letters in a row: words run together
_SUSPECT_CHARS = re.compile("[\ufffd\ue000-\uf8ff\x00-\x08\x0b\x0e-\x1f]")  # lost glyphs, private use, controls


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
        return "empty"
    letters = sum(ch.isalpha() for ch in text)
    if len(_SUSPECT_CHARS.findall(text)) > max(3, 0.01 * len(text)):
        return "lost glyphs"
    words = text.split()
    if len(words) >= 20 and sum(len(m) for m in _GLUED.findall(text)) > 0.15 * max(letters, 1):
        return "glued words"
    return None


def _worse(a: str | None, b: str | None) -> bool:
    """Whether problem a is worse than problem b (None: no problem)."""
    rank = {None: 0, "glued words": 1, "lost glyphs": 2, "empty": 3}
    return rank[a] > rank[b]


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

    def text(self, number: int) -> str:
        with self._textpage(number) as textpage:
            text = textpage.get_text_range()
        # pdfium marks a hyphen it saw at a line end with U+FFFE (older builds: U+0002) and
        # drops the line break; restore both so the shared cleanup decides about the hyphen.
        return text.replace("\r\n", "\n").replace("\ufffe", "-\n").replace("\x02", "-\n")

    def has_text_objects(self, number: int) -> bool:
        with self._textpage(number) as textpage:
            return textpage.count_chars() > 0

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


def _page_texts(
    reader: PdfReader, data: bytes, source: str, engine: str, need_title: bool
) -> tuple[list[str], str, str, int, list[tuple[float, str]] | None]:
    """Raw text of every page with `engine`, a broken page re-read with the other extractor.
    Returns the texts, the extractor used, its version, how many pages fell back, and (when
    need_title and pdfium is used) the first page's text in runs of one font size."""
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
    texts: list[str] = []
    fallbacks = 0
    try:
        for number in range(1, page_count + 1):
            if engine == "pdfium":
                first, other = pdfium.text(number), lambda: _pypdf_page(reader, number, source)  # noqa: E731
            else:
                other = (lambda: pdfium.text(number)) if pdfium is not None else None  # noqa: E731
                try:
                    first = _pypdf_page(reader, number, source)
                except CorruptSourceError:
                    if other is None:
                        raise
                    first = ""  # pypdf cannot read this page: pdfium's text is taken below
            problem = page_problem(first)
            if problem == "empty" and engine == "pdfium" and not pdfium.has_text_objects(number):
                problem = None  # no text on the page at all (a picture): pypdf would find none either
            if problem is not None and other is not None:
                try:
                    second = other()
                except EvidexError:
                    second = None
                if second is not None and _worse(problem, page_problem(second)):
                    first = second
                    fallbacks += 1
            texts.append(first)
        version = pdfium.version if engine == "pdfium" else pypdf.__version__
        title_runs = pdfium.sized_text(1) if need_title and engine == "pdfium" else None
    finally:
        if pdfium is not None:
            pdfium.close()
    return texts, engine, version, fallbacks, title_runs


def extract_pdf(data: bytes, source: str, sha256: str, engine: str = "auto") -> Document:
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
    meta = _metadata(reader)
    texts, engine, extractor_version, fallbacks, title_runs = _page_texts(reader, data, source, engine, not meta.get("title"))
    raw_pages = [_clean.normalise_characters(text) for text in texts]
    if not any(text.strip() for text in raw_pages):
        raise NoTextError(
            source,
            f"no text layer on any of its {page_count} pages (probably scanned)",
            "Run OCR first, e.g. ocrmypdf in.pdf out.pdf, then ingest the result",
        )

    labels = _page_labels(reader, page_count)
    raw_pages = _clean.repair_split_words(raw_pages)
    content_lines = _clean.remove_page_furniture([text.split("\n") for text in raw_pages], labels)
    texts = clean_pages(content_lines, raw_pages)
    pages = tuple(Page(index=i + 1, label=labels[i], text=texts[i]) for i in range(page_count))
    guessed = set()
    if not meta.get("title"):
        runs = title_runs if title_runs is not None else _sized_text_by_pypdf(reader)
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
        extractor=engine if not fallbacks else f"{engine} ({fallbacks} page{'s' if fallbacks > 1 else ''} by the other extractor)",
        extractor_version=extractor_version,
        guessed=frozenset(guessed),
    )


def clean_pages(content_lines: list[list[str]], raw_pages: list[str]) -> list[str]:
    """Page texts as paragraphs: hyphenation re-joined, lines re-flowed (furniture already dropped)."""
    vocab = _clean.vocabulary(raw_pages)
    out = []
    for page_lines in content_lines:
        joined = _clean.join_hyphenated("\n".join(page_lines), vocab)
        out.append(_clean.reflow(joined.split("\n")))
    return out


def _page_labels(reader: PdfReader, page_count: int) -> list[str]:
    try:
        labels = list(reader.page_labels)
    except Exception:
        labels = []
    if len(labels) != page_count:
        labels = [str(i) for i in range(1, page_count + 1)]
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
