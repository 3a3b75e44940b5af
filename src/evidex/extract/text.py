"""Plain text and Markdown files."""

from __future__ import annotations

import re

from ..errors import NoTextError
from ..models import Document, Page
from . import _clean

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode bytes as UTF-8, else as Windows-1252 (which covers Latin-1 text), else Latin-1.

    Returns (text, warning); the warning names the fallback used.
    """
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            return data.decode(encoding), f"not valid UTF-8, decoded as {encoding}"
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def extract_text(data: bytes, source: str, sha256: str) -> Document:
    text, warning = decode_text(data)
    # Markdown headings stand as paragraphs of their own.
    cleaned = _clean.clean_plain_text(_HEADING.sub(lambda m: f"\n\n{m.group(0)}\n\n", text))
    if not cleaned.strip():
        raise NoTextError(source, "no readable text in this file")
    match = _HEADING.search(text)
    guessed = {"author", "date"}
    if match:
        title = " ".join(match.group(1).split())
    else:
        title = cleaned.split("\n\n", 1)[0][:150]
        guessed.add("title")
    # Markdown headings become their own paragraphs without the leading #s.
    cleaned = re.sub(r"(?m)^#{1,6}\s+", "", cleaned)
    return Document(
        kind="text",
        source=source,
        sha256=sha256,
        pages=(Page(index=1, label=None, text=cleaned),),
        title=title,
        extractor="text",
        extractor_version="1",
        guessed=frozenset(guessed),
        warnings=(warning,) if warning else (),
    )
