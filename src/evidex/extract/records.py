"""JSON Lines records: documents whose text was extracted elsewhere, one per line.

Each line is an object with `text` (required) and optionally `title`, `id`, `url`, `date`,
`author`, `publisher`, `kind` (pdf | html | text). The `id` is kept as the document's
external id and returned in search hits.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Iterator

from ..errors import SourceError
from ..models import Document, Page
from . import _clean

FIELDS = ("text", "title", "id", "url", "date", "author", "publisher", "kind")
KINDS = ("pdf", "html", "text")


def is_records_file(path: str) -> bool:
    return path.lower().endswith((".jsonl", ".ndjson"))


def read_records(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, record, None) for good lines, (line number, None, problem) for bad ones."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                yield number, None, f"not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc})"
                continue
            problem = _problem(record)
            yield (number, None, problem) if problem else (number, record, None)


def _problem(record) -> str | None:
    if not isinstance(record, dict):
        return "not a JSON object"
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return "no text field (a non-empty string is required)"
    for key in FIELDS[1:]:
        value = record.get(key)
        if value is not None and not isinstance(value, (str, int, float)):
            return f"field {key!r} must be a string"
    if record.get("kind") is not None and record["kind"] not in KINDS:
        return f"kind must be one of {', '.join(KINDS)}, not {record['kind']!r}"
    date = record.get("date")
    if date is not None and not re.match(r"\d{4}(-\d{2}(-\d{2})?)?", str(date)):
        return f"date must start YYYY, YYYY-MM or YYYY-MM-DD, not {date!r}"
    return None


def record_location(path: str, number: int, record: dict) -> str:
    """Where a record comes from: the file and its id (or its line when it has none)."""
    if record.get("id") is not None:
        return f"{path}#id={record['id']}"
    return f"{path}#line={number}"


def record_sha256(record: dict) -> str:
    canonical = json.dumps({k: record.get(k) for k in FIELDS}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_document(record: dict, location: str, sha256: str) -> Document:
    text = _clean.clean_plain_text(record["text"])
    if not text:
        raise SourceError(location, "no text")
    title = " ".join(str(record.get("title") or "").split())
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"  # the title heads the text, as a headline heads an article

    def field(key: str) -> str | None:
        value = record.get(key)
        return " ".join(str(value).split()) or None if value is not None else None

    guessed = {name for name in ("title", "author", "date") if not field(name)}
    if not field("author") and field("publisher"):
        guessed.discard("author")
    return Document(
        kind=field("kind") or "text",
        source=location,
        sha256=sha256,
        pages=(Page(index=1, label=None, text=text),),
        title=field("title"),
        author=field("author"),
        publisher=field("publisher"),
        date=field("date")[:10] if field("date") else None,
        url=field("url"),
        extractor="jsonl",
        extractor_version="1",
        guessed=frozenset(guessed),
        external_id=field("id"),
    )
