"""PDF extraction with pypdf: text per page, printed page labels, metadata, cleanup."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pypdf
from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

from ..errors import CorruptSourceError, EncryptedPdfError, NoTextError
from ..models import Document, Page
from . import _clean

_BAD_TITLE = re.compile(
    r"^(?:microsoft\s+\w+\s*-|untitled|title|document\d*|slide\s*\d*|layout\s*\d*)|"
    r"\.(?:docx?|pdf|indd|pptx?|xlsx?|rtf|odt|pages|key|tex|dvi|ps|qxd|ai|eps)\s*$|"
    r"^[\w.]+(?:[-_][\w.]+){2,}$",  # a file-name slug such as report-final_v3
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")


def extract_pdf(data: bytes, source: str, sha256: str) -> Document:
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

    raw_pages = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            raw_pages.append(_clean.normalise_characters(page.extract_text() or ""))
        except FileNotDecryptedError as exc:
            raise EncryptedPdfError(source, "PDF is encrypted with a password") from exc
        except Exception as exc:  # pypdf raises many types on damaged content streams
            raise CorruptSourceError(source, f"damaged PDF: page {number} unreadable ({_short(exc)})") from exc
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
    meta = _metadata(reader)
    guessed = set()
    if not meta.get("title"):
        meta["title"] = _title_by_font(reader) or _guess_title(["\n".join(lines) for lines in content_lines])
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
        extractor="pypdf",
        extractor_version=pypdf.__version__,
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


def _title_by_font(reader: PdfReader) -> str | None:
    """The largest upright text on the first page, when it is a short line or two."""
    parts: list[tuple[float, str]] = []

    def visit(text, cm, tm, _font, size):
        if abs(tm[1]) > 0.01 or abs(tm[2]) > 0.01 or abs(cm[1]) > 0.01 or abs(cm[2]) > 0.01:
            return  # rotated text: margin stamps, not titles
        if sum(ch.isalpha() for ch in text) >= 2 and size:
            parts.append((round(size * (abs(tm[3]) or 1) * (abs(cm[3]) or 1), 1), text))

    try:
        reader.pages[0].extract_text(visitor_text=visit)
    except Exception:  # a title guess is never worth failing the document
        return None
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
