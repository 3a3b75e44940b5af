"""Citations: the short citation line of a hit."""

from __future__ import annotations

from datetime import date as _date

from .models import DocumentRecord, Passage


def creator(record: DocumentRecord) -> str | None:
    """Who to name first: the author, else the publisher, else the site."""
    return record.author or record.publisher or record.site_name


def year_of(record: DocumentRecord) -> str | None:
    return record.date[:4] if record.date and record.date[:4].isdigit() else None


def locator(passage: Passage) -> str | None:
    """"p. 7", "pp. 4-5", or for unpaged sources "para. 3" / "paras. 3-4"."""
    if passage.page:
        if passage.page_end and passage.page_end != passage.page:
            return f"pp. {passage.page}-{passage.page_end}"
        return f"p. {passage.page}"
    if passage.paragraph:
        if passage.paragraph_end and passage.paragraph_end != passage.paragraph:
            return f"paras. {passage.paragraph}-{passage.paragraph_end}"
        return f"para. {passage.paragraph}"
    return None


def short_citation(record: DocumentRecord, passage: Passage | None = None) -> str:
    """NCMEC, "CyberTipline 2022 Report", 2023, p. 7   or, for the web,
    Site, "Title", 2024-03-05, https://..., accessed 2026-11-21, para. 3"""
    parts: list[str] = []
    who = creator(record)
    if who:
        parts.append(who)
    if record.title:
        parts.append(f"\"{record.title}\"")
    if not record.url or (record.kind == "pdf" and not record.retrieved_at):
        year = year_of(record)
        parts.append(year or "n.d.")
    else:
        if record.site_name and record.site_name != who:
            parts.append(record.site_name)
        parts.append(record.date or "n.d.")
        parts.append(record.url)
        accessed = (record.retrieved_at or record.ingested_at or _date.today().isoformat())[:10]
        parts.append(f"accessed {accessed}")
    if passage is not None:
        where = locator(passage)
        if where:
            parts.append(where)
    return ", ".join(parts)
