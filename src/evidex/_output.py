"""Output formats shared by every command that lists things: text, json, jsonl, csv, md."""

from __future__ import annotations

import csv
import functools
import io
import json

import click

FORMATS = ("text", "json", "jsonl", "csv", "md")


def output_options(default: str = "text", formats: tuple[str, ...] = FORMATS):
    """Add --format to a command; the value reaches it as `output_format`."""

    def decorator(fn):
        @click.option(
            "--format",
            "output_format",
            type=click.Choice(formats),
            default=default,
            show_default=True,
            help="Output format.",
        )
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            return fn(*args, **kwargs)

        return wrapper

    return decorator


def to_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def to_jsonl(rows: list[dict]) -> str:
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)


def to_csv(rows: list[dict], columns: list[str] | None = None) -> str:
    columns = columns or (list(rows[0]) if rows else [])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return buffer.getvalue().rstrip("\n")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def table(rows: list[list[str]], headers: list[str], max_widths: dict[int, int] | None = None) -> str:
    """A plain aligned text table."""
    max_widths = max_widths or {}
    cells = [headers] + [[_cell(c) for c in row] for row in rows]
    for r, row in enumerate(cells):
        for c, cell in enumerate(row):
            limit = max_widths.get(c)
            if limit and len(cell) > limit:
                cells[r][c] = cell[: limit - 1] + "…"
    widths = [max(len(row[c]) for row in cells) for c in range(len(headers))]
    lines = []
    for r, row in enumerate(cells):
        lines.append("  ".join(cell.ljust(widths[c]) for c, cell in enumerate(row)).rstrip())
        if r == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def md_table(rows: list[list[str]], headers: list[str]) -> str:
    def esc(cell) -> str:
        return _cell(cell).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def hit_dict(hit, snippet_style: str = "markdown") -> dict:
    """A search hit as the JSON formats give it (evidex search --format json, the web API)."""
    from .highlight import render

    p, d = hit.passage, hit.document
    return {
        "passage_id": p.id,
        "doc_id": p.doc_id,
        "score": round(hit.score, 4),
        "text": p.text,
        "snippet": render(hit.snippet, snippet_style),
        "page": p.page,
        "page_index": p.page_index,
        "page_end": p.page_end,
        "page_index_end": p.page_index_end,
        "page_source": d.page_source,
        "extractor": p.extractor or None,
        "paragraph": p.paragraph,
        "themes": list(p.themes),
        "theme_evidence": p.theme_evidence,
        "title": d.title,
        "author": d.author,
        "publisher": d.publisher,
        "date": d.date,
        "url": d.url,
        "source": d.source,
        "external_id": d.external_id,
        "citation": hit.citation,
    }
