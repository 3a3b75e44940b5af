"""Extraction: from a file or URL to a Document. The only package that imports pypdf, trafilatura or bs4."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from dataclasses import replace
from pathlib import Path

from ..config import Settings
from ..errors import CorruptSourceError, EmptySourceError, SourceError, UnsupportedSourceError
from ..models import Document
from ._page_numbers import PAGE_SOURCES, correction_rule, corrected as corrected_page_numbers, describe as describe_pages

PDF_SUFFIXES = {".pdf"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text", ".rst"}
RECORD_SUFFIXES = {".jsonl", ".ndjson"}
READABLE_SUFFIXES = PDF_SUFFIXES | HTML_SUFFIXES | TEXT_SUFFIXES | RECORD_SUFFIXES


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def readable_name(path: Path) -> bool:
    """Whether a directory walk should pick this file up."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] in READABLE_SUFFIXES


def detect_kind(name: str, data: bytes, content_type: str = "") -> str:
    head = data[:2048].lstrip()
    lower_name = name.lower().split("?")[0]
    suffix = Path(lower_name).suffix
    if head.startswith(b"%PDF") or content_type == "application/pdf" or suffix in PDF_SUFFIXES:
        return "pdf"
    sniff = head[:1024].lower()
    if suffix in HTML_SUFFIXES or "html" in content_type or sniff.startswith((b"<!doctype html", b"<html")) or b"<html" in sniff:
        return "html"
    if suffix in TEXT_SUFFIXES or content_type.startswith("text/"):
        return "text"
    if b"\x00" in data[:4096]:
        raise UnsupportedSourceError(name, "not a file type evidex reads (binary data)")
    raise UnsupportedSourceError(name, f"not a file type evidex reads ({suffix or 'no extension'})")


def extract_bytes(
    data: bytes, name: str, *, sha256: str | None = None, url: str | None = None, content_type: str = "",
    pdf_engine: str = "auto", ocr_lang: str = "eng", deadline: float | None = None,
) -> Document:
    """Extract one document from its bytes. `name` is the file path or URL it came from;
    `ocr_lang` the Tesseract language(s) for PDF pages without text; `deadline`
    (time.monotonic()) when OCR must stop starting pages."""
    if name.lower().endswith(".gz") or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise CorruptSourceError(name, f"damaged gzip file ({exc})") from exc
        name_for_kind = name[:-3] if name.lower().endswith(".gz") else name
    else:
        name_for_kind = name
    if not data.strip():
        raise EmptySourceError(name, "file is empty")
    sha256 = sha256 or sha256_of(data)
    kind = detect_kind(name_for_kind, data, content_type)
    if kind == "pdf":
        from .pdf import extract_pdf

        return extract_pdf(data, name, sha256, engine=pdf_engine, ocr_lang=ocr_lang, deadline=deadline)
    if kind == "html":
        from .html import extract_html

        return extract_html(data, name, sha256, url=url)
    from .text import extract_text

    return extract_text(data, name, sha256)


def extract_path(path: Path, pdf_engine: str = "auto", ocr_lang: str = "eng") -> Document:
    name = str(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise UnsupportedSourceError(name, "is a directory") from exc
    except FileNotFoundError as exc:
        raise SourceError(name, "no such file") from exc
    except PermissionError as exc:
        raise SourceError(name, "permission denied") from exc
    except OSError as exc:
        raise SourceError(name, f"cannot read ({exc.strerror or exc})") from exc
    return extract_bytes(data, name, pdf_engine=pdf_engine, ocr_lang=ocr_lang)


def extract_url(url: str, settings: Settings, deadline: float | None = None) -> Document:
    """Fetch a URL, keep a snapshot of what was fetched under the index, and extract it."""
    from .fetch import fetch

    fetched = fetch(url, settings.fetch_timeout, settings.max_bytes)
    if not fetched.data.strip():
        raise EmptySourceError(url, "the server returned an empty page")
    sha256 = sha256_of(fetched.data)
    kind = detect_kind(url, fetched.data, fetched.content_type)
    suffix = {"pdf": ".pdf", "html": ".html"}.get(kind, ".txt")
    snapshot = Path("snapshots") / f"{sha256[:16]}{suffix}"
    target = settings.index_dir / snapshot
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_bytes(fetched.data)
        tmp.replace(target)
    document = extract_bytes(
        fetched.data, url, sha256=sha256, url=fetched.url, content_type=fetched.content_type, pdf_engine=settings.pdf_engine,
        ocr_lang=settings.ocr_lang, deadline=deadline,
    )
    return replace(document, url=fetched.url, retrieved_at=fetched.retrieved_at, snapshot=str(snapshot))
