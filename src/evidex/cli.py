"""The evidex command. The only module that prints or exits."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from pathlib import Path

import click

from . import __version__, query as q
from ._output import hit_dict, md_table, output_options, table, to_csv, to_json, to_jsonl
from . import cite
from .cite import short_citation
from .config import OCR_LANG_PATTERN, PDF_ENGINES, Settings, write_config
from .engines import ENGINES
from .errors import EvidexError, QuerySyntaxError, SourceError
from .extract import correction_rule, describe_pages
from .highlight import render
from .library import Events, Library
from .models import DocumentRecord, Hit, Page, Passage

HIT_FIELDS = [
    "passage_id", "doc_id", "score", "text", "snippet", "page", "page_index", "page_end", "page_index_end",
    "page_source", "extractor", "paragraph", "themes", "theme_evidence", "title", "author", "publisher", "date", "url", "source",
    "external_id", "citation",
]
DOC_FIELDS = [
    "id", "key", "kind", "type", "title", "author", "publisher", "date", "url", "site_name", "page_count", "page_source", "passage_count",
    "guessed", "sources", "extractor", "extractor_version", "retrieved_at", "ingested_at", "snapshot", "sha256",
    "external_id",
]


class Context:
    def __init__(self, index: str | None):
        self.settings = Settings.from_env(index)

    def open(self, write: bool = False, create: bool = False, events: Events | None = None, **changes) -> Library:
        settings = self.settings.with_(**changes)
        return Library(settings, write=write, create=create, events=events)


def _fail(exc: EvidexError) -> click.ClickException:
    return click.ClickException(str(exc))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--index",
    metavar="DIR",
    envvar="EVIDEX_INDEX",
    default=None,
    help="Index directory (default: ./index, or $EVIDEX_INDEX).",
)
@click.version_option(__version__, prog_name="evidex")
@click.pass_context
def cli(ctx: click.Context, index: str | None) -> None:
    """Find what reports and articles say about a theme, and cite it by printed page."""
    try:
        ctx.obj = Context(index)
    except EvidexError as exc:
        raise _fail(exc)


def main() -> None:
    # pypdf and trafilatura log every recoverable oddity of a file; evidex reports what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    cli(prog_name="evidex")


# -- ingest ---------------------------------------------------------------------------------


def _ocr_lang(_ctx, _param, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(OCR_LANG_PATTERN, value):
        raise click.BadParameter(f"{value!r} is not Tesseract language codes such as eng or eng+deu")
    return value


OCR_LANG_OPTION = click.option(
    "--ocr-lang", metavar="LANG", default=None, callback=_ocr_lang,
    help="Tesseract language(s) for PDF pages without a text layer, e.g. deu or eng+fra [eng].",
)

# From about this size, a Whoosh search of several common words takes more than 50 ms (README: Performance).
WHOOSH_ADVICE_PASSAGES = 50_000  # from here tantivy answers several times faster (README Performance)


class _CliEvents(Events):
    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar = None
        self.show_bar = not quiet and sys.stderr.isatty()

    def planned(self, total: int) -> None:
        if self.show_bar and total > 1:
            self.bar = click.progressbar(length=total, label="Ingesting", file=sys.stderr, show_pos=True)
            self.bar.__enter__()

    def done(self, location: str, status: str, detail: str = "") -> None:
        if status == "failed":
            self._line(f"Error: {detail}")
        elif status == "warning":
            self._line(f"Warning: {detail}")
        elif status == "ingested" and "; " in detail:  # the document's own warnings follow the count
            for warning in detail.split("; ")[1:]:
                self._line(f"Warning: {location}: {warning}")
        if self.bar is not None:
            self.bar.update(1)

    def waiting(self, message: str) -> None:
        self._line(message)

    def _line(self, text: str) -> None:
        if self.bar is not None:
            click.echo("\r\x1b[K", err=True, nl=False)
        click.echo(text, err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.option("--include", multiple=True, metavar="GLOB", help="In directories, only files matching GLOB (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="In directories, skip files matching GLOB (repeatable).")
@click.option("--force", is_flag=True, help="Re-extract files even when their content is unchanged.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None, help="Worker processes (default: one per core).")
@click.option("--timeout", type=click.FloatRange(min=1), default=None, help="Seconds allowed to extract one document [120].")
@click.option("--min-words", type=click.IntRange(min=5), default=None, help="Target minimum passage length in words [60].")
@click.option("--max-words", type=click.IntRange(min=10), default=None, help="Maximum passage length in words [200].")
@click.option("--fetch-timeout", type=click.FloatRange(min=1), default=None, help="Seconds to wait for a URL [20].")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None, help="Size cap for a fetched URL [52428800].")
@click.option("--taxonomy", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None, help="Theme taxonomy TOML file.")
@click.option("--engine", type=click.Choice(ENGINES), default=None,
              help="Full-text engine of a new library [whoosh]; an existing library keeps its own (see reindex --engine).")
@click.option("--pdf-engine", type=click.Choice(PDF_ENGINES), default=None,
              help="PDF text extractor: pdfium (fast; needs evidex[pdfium]), pypdf, or auto: pdfium when installed [auto].")
@OCR_LANG_OPTION
@click.option("--quiet", "-q", is_flag=True, help="No progress bar; only errors and the summary.")
@click.pass_obj
def ingest(obj: Context, sources, include, exclude, force, jobs, timeout, min_words, max_words, fetch_timeout, max_bytes, taxonomy,
           engine, pdf_engine, ocr_lang, quiet):
    """Extract, split, tag and index PDF, HTML, text files, directories and URLs.

    Unchanged files (same content) are skipped; a changed file replaces its old passages.
    Exit status 1 if any source failed.
    """
    if min_words and max_words and min_words > max_words:
        raise click.BadParameter("--min-words must not exceed --max-words")
    if pdf_engine == "pdfium":
        from .extract.pdf import choose_engine

        try:
            choose_engine(pdf_engine)  # missing: say so once, before any file is read
        except EvidexError as exc:
            raise _fail(exc)
    events = _CliEvents(quiet)
    started = time.monotonic()
    taxonomy = taxonomy.resolve() if taxonomy else None
    changed_taxonomy = taxonomy is not None and taxonomy != obj.settings.taxonomy
    try:
        with obj.open(
            write=True, create=True, events=events, jobs=jobs, timeout=timeout, min_words=min_words, max_words=max_words,
            fetch_timeout=fetch_timeout, max_bytes=max_bytes, taxonomy=taxonomy, engine=engine, pdf_engine=pdf_engine,
            ocr_lang=ocr_lang,
        ) as library:
            library.taxonomy  # a bad taxonomy file fails here, before any work
            report = library.ingest(sources, include=include, exclude=exclude, force=force)
            if changed_taxonomy:
                write_config(obj.settings.index_dir, taxonomy=taxonomy)
                retagged = library.retag()
                click.echo(f"Tagged with {taxonomy} from now on; re-tagged {retagged} passages.", err=True)
            counts = library.catalog.counts()
            engine_name = library.engine_name
    except EvidexError as exc:
        raise _fail(exc)
    finally:
        events.close()
    elapsed = time.monotonic() - started
    parts = [f"Ingested {len(report.ingested)} ({report.passages} passages)", f"unchanged {len(report.unchanged)}", f"failed {len(report.failed)}"]
    if report.warnings:
        parts.append(f"warnings {len(report.warnings)}")
    if report.skipped:
        parts.append(f"skipped {len(report.skipped)} of other types")
    click.echo(", ".join(parts) + f" in {elapsed:.1f}s.")
    click.echo(f"Library {obj.settings.index_dir}: {counts['documents']} documents, {counts['passages']} passages.")
    if engine_name == "whoosh" and counts["passages"] >= WHOOSH_ADVICE_PASSAGES:
        click.echo(
            f"Hint: searches of {counts['passages']:,} passages are several times faster with the tantivy engine: "
            "evidex reindex --engine tantivy (needs evidex[tantivy]).",
            err=True,
        )
    if report.failed:
        sys.exit(1)


# -- search ---------------------------------------------------------------------------------


def _year_bound(value: str | None, option: str) -> int | None:
    if value is None:
        return None
    if len(value) >= 4 and value[:4].isdigit() and (len(value) == 4 or value[4] == "-"):
        return int(value[:4])
    raise click.BadParameter(f"{value!r} is not a year (YYYY) or a date (YYYY-MM-DD)", param_hint=option)


def build_query(query: str, theme, since, until, doc, kind, match_all: bool, strict: bool = True, publisher=None) -> q.Node:
    node = q.parse(query, strict=strict, match_all=match_all)
    low, high = _year_bound(since, "--since"), _year_bound(until, "--until")
    return q.with_filters(node, q.filters(theme, low, high, doc, kind, publisher))


def search_options(fn=None, *, default_limit: int | None = 10):
    """The filters and options shared by search and export."""
    if fn is None:
        return lambda f: search_options(f, default_limit=default_limit)
    limit_help = "Most hits to show." if default_limit else "Most passages to export (default: every match)."
    for option in reversed(
        [
            click.option("--limit", "-n", type=click.IntRange(min=1), default=default_limit, show_default=bool(default_limit), help=limit_help),
            click.option("--theme", "-t", multiple=True, metavar="THEME", help="Only passages with this theme (repeatable: all of them)."),
            click.option("--since", metavar="YEAR", help="Only documents from this year on."),
            click.option("--until", metavar="YEAR", help="Only documents up to this year."),
            click.option("--doc", metavar="DOC_ID", help="Only this document."),
            click.option("--kind", type=click.Choice(q.KINDS), help="Only this kind of source."),
            click.option("--publisher", metavar="NAME", help="Only documents from this publisher (or web site); any case."),
            click.option("--match", type=click.Choice(["any", "all"]), default="any", show_default=True,
                         help="Plain words: rank by how many match (any) or require every one (all)."),
        ]
    ):
        fn = option(fn)
    return fn


@cli.command()
@click.argument("query", required=False, default="")
@search_options
@click.option("--batch", type=click.File("r"), default=None, metavar="FILE",
              help="Run every query in FILE (a line each, or JSON lines with id and query); '-' reads stdin.")
@click.option("--facets", is_flag=True,
              help="Instead of hits, count the matching passages by theme, year, kind and publisher.")
@output_options()
@click.pass_obj
def search(obj: Context, query, limit, theme, since, until, doc, kind, publisher, match, batch, facets, output_format):
    """Search passages. QUERY supports "phrases", AND/OR/NOT, -word, prefix*, and the
    filters theme:, year: (2023 or 2021..2025), doc:, kind: and publisher:."""
    if batch is None and not query.strip() and not (theme or since or until or doc or kind or publisher):
        raise click.UsageError('Give a QUERY (e.g. evidex search "sextortion") or --batch FILE.')
    try:
        with obj.open() as library:
            _check_themes(library, theme)
            if batch is not None:
                _run_batch(library, batch, limit, theme, since, until, doc, kind, publisher, match)
                return
            try:
                node = build_query(query, theme, since, until, doc, kind, match == "all", publisher=publisher)
            except QuerySyntaxError as exc:
                raise click.ClickException(f"{exc}\n{exc.pointer()}")
            if facets:
                counts = library.facets(node)
            else:
                hits = library.search(node, limit=limit)
    except EvidexError as exc:
        raise _fail(exc)
    if facets:
        _print_facets(counts, output_format)
    else:
        _print_hits(hits, output_format, query)


def _print_facets(counts: dict, output_format: str) -> None:
    rows = [{"facet": name, "value": value, "label": label, "passages": count}
            for name, values in counts.items() for value, label, count in values]
    fields = ["facet", "value", "label", "passages"]
    if output_format == "json":
        click.echo(to_json({name: [{"value": v, "label": l, "passages": c} for v, l, c in values] for name, values in counts.items()}))
    elif output_format == "jsonl":
        if rows:
            click.echo(to_jsonl(rows))
    elif output_format == "csv":
        click.echo(to_csv(rows, fields))
    else:
        cells = [[r["facet"], r["label"], str(r["passages"])] for r in rows]
        headers = ["facet", "value", "passages"]
        if output_format == "md":
            click.echo(md_table(cells, headers))
        else:
            click.echo(table(cells, headers) if rows else "No matches.")


def _check_themes(library: Library, themes) -> None:
    known = library.taxonomy.keys
    for theme in themes:
        if theme.lower() not in known:
            raise click.BadParameter(f"unknown theme {theme!r}; themes are: {', '.join(known)}", param_hint="--theme")


def _run_batch(library: Library, batch, limit, theme, since, until, doc, kind, publisher, match) -> None:
    for number, line in enumerate(batch, start=1):
        line = line.strip()
        if not line:
            continue
        query_id, text = str(number), line
        if line.startswith("{"):
            try:
                record = json.loads(line)
                query_id, text = str(record.get("id", number)), str(record["query"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                click.echo(f"Error: line {number}: not a JSON object with a query field ({exc})", err=True)
                continue
        node = build_query(text, theme, since, until, doc, kind, match == "all", strict=False, publisher=publisher)
        hits = library.search(node, limit=limit)
        click.echo(json.dumps({"query_id": query_id, "query": text, "hits": [hit_dict(h) for h in hits]}, ensure_ascii=False))


def _print_hits(hits: list[Hit], output_format: str, query: str) -> None:
    if output_format == "json":
        click.echo(to_json([hit_dict(h) for h in hits]))
    elif output_format == "jsonl":
        if hits:
            click.echo(to_jsonl([hit_dict(h) for h in hits]))
    elif output_format == "csv":
        click.echo(to_csv([hit_dict(h, "plain") for h in hits], HIT_FIELDS))
    elif output_format == "md":
        lines = [f"## Search: {query}", ""] if query else []
        for i, hit in enumerate(hits, start=1):
            lines.append(f"{i}. > {render(hit.snippet, 'markdown')}")
            lines.append("   >")
            lines.append(f"   > — {hit.citation} `{hit.passage.id}`")
            lines.append("")
        click.echo("\n".join(lines).rstrip() if hits else "No passages found.")
    else:
        if not hits:
            click.echo("No passages found.")
            return
        style = "ansi" if sys.stdout.isatty() else "plain"
        for i, hit in enumerate(hits, start=1):
            click.echo(click.style(f"{i}. {hit.citation}", bold=True))
            click.echo(f"   {render(hit.snippet, style)}")
            themes = ", ".join(hit.passage.themes) or "-"
            click.echo(click.style(f"   themes: {themes} | score {hit.score:.2f} | id {hit.passage.id}", dim=True))
            click.echo()


# -- themes -------------------------------------------------------------------------------


def _load_taxonomy(obj: "Context", taxonomy: Path | None):
    from .themes import Taxonomy

    return Taxonomy.load(taxonomy or obj.settings.taxonomy)


@cli.command()
@click.argument("text", required=False)
@click.option("-i", "--input", "source", type=click.File("r", encoding="utf-8"), default=None,
              help="Read the text (or JSON lines) from FILE instead of the argument or stdin.")
@click.option("--jsonl", is_flag=True, help="Input is JSON lines with a text field; each line is written back with themes and theme_evidence added.")
@click.option("--taxonomy", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None, help="Theme taxonomy TOML file.")
@output_options(formats=("text", "json"))
@click.pass_obj
def tag(obj: Context, text, source, jsonl, taxonomy, output_format):
    """Tag a text with themes and show why: TEXT, or stdin (-i FILE), or JSON lines with --jsonl."""
    try:
        tagger = _load_taxonomy(obj, taxonomy)
    except EvidexError as exc:
        raise _fail(exc)
    stream = source or (None if text is not None else sys.stdin)
    if jsonl:
        if stream is None:
            raise click.UsageError("--jsonl reads JSON lines from stdin or -i FILE, not from the TEXT argument.")
        bad = 0
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                body = record["text"]
                if not isinstance(body, str):
                    raise TypeError("text is not a string")
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                click.echo(f"Error: line {number}: not a JSON object with a text field ({exc})", err=True)
                bad += 1
                continue
            tags = tagger.tag(body)
            record["themes"] = sorted(tags)
            record["theme_evidence"] = {k: v.as_dict() for k, v in sorted(tags.items())}
            click.echo(json.dumps(record, ensure_ascii=False))
        if bad:
            sys.exit(1)
        return
    body = text if text is not None else stream.read()
    tags = tagger.tag(body)
    if output_format == "json":
        click.echo(json.dumps({"themes": sorted(tags), "theme_evidence": {k: v.as_dict() for k, v in sorted(tags.items())}}, ensure_ascii=False, indent=2))
    elif not tags:
        click.echo("no themes")
    else:
        for key, evidence in sorted(tags.items()):
            click.echo(f"{key}: score {evidence.score:.2f}, matched {', '.join(evidence.terms)}")


@cli.command()
@click.option("--taxonomy", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Tag with this taxonomy file from now on (recorded in INDEX/config.toml).")
@click.pass_obj
def retag(obj: Context, taxonomy: Path | None):
    """Re-apply themes to every passage in the library, without re-extracting anything."""
    started = time.monotonic()
    taxonomy = taxonomy.resolve() if taxonomy else None
    try:
        with obj.open(write=True, events=_CliEvents(quiet=True), taxonomy=taxonomy) as library:
            tagger = library.taxonomy
            count = library.retag()
            totals = library.theme_counts()
    except EvidexError as exc:
        raise _fail(exc)
    if taxonomy:
        write_config(obj.settings.index_dir, taxonomy=taxonomy)
    summary = ", ".join(f"{key} {totals.get(key, (0, 0))[0]}" for key in tagger.keys)
    click.echo(f"Re-tagged {count} passages with the {tagger.source} in {time.monotonic() - started:.1f}s: {summary}.")


@cli.command()
@click.option("--by", type=click.Choice(["year", "publisher", "doc"]), default=None,
              help="A theme x year (publisher, document) matrix of passage counts.")
@output_options(formats=("text", "json", "csv", "md"))
@click.pass_obj
def themes(obj: Context, by: str | None, output_format: str):
    """Passages and documents per theme, or per theme and year/publisher/document (--by)."""
    try:
        with obj.open() as library:
            keys = library.taxonomy.keys
            labels = {t.key: t.label for t in library.taxonomy.themes}
            if by is None:
                totals = library.theme_counts()
                rows = [{"theme": k, "label": labels[k], "passages": totals.get(k, (0, 0))[0], "documents": totals.get(k, (0, 0))[1]} for k in keys]
                counts = library.catalog.counts()
            else:
                matrix = library.theme_matrix(by)
    except EvidexError as exc:
        raise _fail(exc)
    if by is None:
        if output_format == "json":
            click.echo(to_json(rows))
        elif output_format == "csv":
            click.echo(to_csv(rows, ["theme", "label", "passages", "documents"]))
        else:
            cells = [[r["theme"], r["label"], str(r["passages"]), str(r["documents"])] for r in rows]
            headers = ["theme", "label", "passages", "documents"]
            click.echo(md_table(cells, headers) if output_format == "md" else table(cells, headers))
            if output_format == "text":
                click.echo(f"\n{counts['passages']} passages in {counts['documents']} documents")
        return
    groups = sorted(matrix, key=lambda g: (g is None, str(g)))
    if output_format == "json":
        click.echo(to_json([{by: g, **{k: matrix[g].get(k, 0) for k in keys}, "passages": matrix[g].get("*", 0)} for g in groups]))
        return
    headers = [by, *keys, "passages"]
    cells = [[str(g) if g is not None else "(none)", *[str(matrix[g].get(k, 0)) for k in keys], str(matrix[g].get("*", 0))] for g in groups]
    if output_format == "csv":
        click.echo(to_csv([dict(zip(headers, c)) for c in cells], headers))
    elif output_format == "md":
        click.echo(md_table(cells, headers))
    else:
        click.echo(table(cells, headers, {0: 50}))


# -- citations --------------------------------------------------------------------------------


@cli.command()
@click.argument("query", required=False, default="")
@search_options(default_limit=None)
@click.option("--format", "export_format", type=click.Choice(cite.EXPORT_FORMATS), default="csl-json", show_default=True,
              help="Export format.")
@click.option("--passages", is_flag=True, help="Export the matching passages (with their page) instead of their documents.")
@click.option("--style", type=click.Choice(sorted(cite.STYLES)), default=None,
              help="Citation style for the Markdown export (default apa).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write to FILE instead of stdout.")
@click.pass_obj
def export(obj: Context, query, limit, theme, since, until, doc, kind, publisher, match, export_format, passages, style, output):
    """Export citations: every document, or with a QUERY (same language and filters as search)
    the documents behind the matching passages, or with --passages the passages themselves."""
    limit = limit or 1_000_000  # an export takes every match unless told otherwise
    filtered = bool(query.strip() or theme or since or until or doc or kind or publisher)
    try:
        with obj.open() as library:
            _check_themes(library, theme)
            if filtered:
                try:
                    node = build_query(query, theme, since, until, doc, kind, match == "all", publisher=publisher)
                except QuerySyntaxError as exc:
                    raise click.ClickException(f"{exc}\n{exc.pointer()}")
                hits = library.search(node, limit=limit)
                selected = [(h.document, h.passage) for h in hits]
            else:
                selected = [
                    (record, passage)
                    for record in library.catalog.documents()
                    for passage in (library.catalog.document_passages(record.id) if passages else [None])
                ]
    except EvidexError as exc:
        raise _fail(exc)
    records: dict[str, DocumentRecord] = {}
    for record, _passage in selected:
        records.setdefault(record.id, record)
    doc_items = {doc_id: cite.csl_item(record, record.citekey) for doc_id, record in records.items()}
    if passages or export_format == "markdown" and filtered:
        pairs = [(record, passage) for record, passage in selected if passage is not None]
    else:
        pairs = []
    text = cite.render_export(export_format, passages, style, records, doc_items, pairs, query)
    if output:
        output.write_text(text, encoding="utf-8")
        what = f"{len(pairs)} passages" if pairs and (passages or export_format == "markdown") else f"{len(records)} documents"
        click.echo(f"Wrote {what} to {output} ({export_format}).", err=True)
    else:
        click.echo(text, nl=False)


@cli.command("cite")
@click.argument("passage_id")
@click.option("--style", type=click.Choice(sorted(cite.STYLES)), default=None, help="Format with a citation style.")
@click.option("--format", "cite_format", type=click.Choice(["text", "markdown", "bibtex"]), default="text", show_default=True)
@click.pass_obj
def cite_command(obj: Context, passage_id: str, style: str | None, cite_format: str):
    """Print one ready-to-paste citation of a passage (its document and page)."""
    try:
        with obj.open() as library:
            passage = library.catalog.passage(passage_id)
            if passage is None:
                raise click.ClickException(f'No passage {passage_id!r}. Passage ids are shown by "evidex search".')
            record = library.catalog.document(passage.doc_id)
    except EvidexError as exc:
        raise _fail(exc)
    item = cite.csl_item(record, record.citekey)
    where = cite.locator_of(passage)
    if cite_format == "bibtex":
        click.echo(cite.bibtex_entry(item))
        pre = f"[{where.value}]" if where and where.label == "page" else (f"[{where.short()}]" if where else "")
        click.echo(f"% \\autocite{pre}{{{record.citekey}}}   pandoc: [@{record.citekey}{', ' + where.short() if where else ''}]")
        return
    if style is None:
        click.echo(f"{cite.short_citation(record, passage)}.")
        return
    in_text, references = cite.formatted([item], style, [(item["id"], where)], markup="markdown" if cite_format == "markdown" else "text")
    click.echo(in_text[0])
    click.echo(references[0])


def _valid_date(value: str) -> bool:
    from datetime import date

    found = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not found:
        return False
    year, month, day = (int(g) if g else 1 for g in found.groups())
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


META_OPTIONS = [
    ("title", "--title"), ("author", "--author"), ("publisher", "--publisher"), ("date", "--date"),
    ("type", "--type"), ("url", "--url"), ("site_name", "--site-name"), ("container_title", "--container-title"),
]


@cli.command()
@click.argument("ref", metavar="DOC")
@click.option("--title", help="Title.")
@click.option("--author", help='Author(s): an organisation, or people as "Family, Given; Family, Given". "" for none.')
@click.option("--publisher", help="Publisher (organisation).")
@click.option("--date", help="Date issued: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--type", type=click.Choice(cite.CSL_TYPES), help="CSL type (report, webpage, article-newspaper, ...).")
@click.option("--url", help="URL of the source.")
@click.option("--site-name", help="Site name (web sources).")
@click.option("--container-title", help="Container: newspaper, journal or site the item is part of.")
@click.option("--key", help="Citation key (letters, digits, - and _).")
@click.option("--page-offset", type=int, default=None, metavar="N",
              help="PDF page numbers: the printed number is the physical page plus N (e.g. -1 when page 1 is the second sheet).")
@click.option("--pages-from-physical", is_flag=True, help="PDF page numbers: cite the physical page numbers.")
@click.option("--clear", multiple=True, type=click.Choice([f for f, _ in META_OPTIONS] + ["pages"]),
              help="Drop a correction, back to the extracted value (repeatable; pages: the page numbers found).")
@click.pass_obj
def meta(obj: Context, ref, key, page_offset, pages_from_physical, clear, **values):
    """Correct a document's metadata and page numbers. Corrections are kept in the catalog, survive
    re-ingest and reindex, and are used by search, cite and export."""
    values = {field: values[field] for field, _ in META_OPTIONS if values.get(field) is not None}
    if page_offset is not None and pages_from_physical:
        raise click.UsageError("Give --page-offset or --pages-from-physical, not both.")
    pages_rule = correction_rule(page_offset, pages_from_physical)
    if pages_rule and "pages" in clear:
        raise click.UsageError("--clear pages drops the page correction that --page-offset/--pages-from-physical set.")
    if values.get("date") and not _valid_date(values["date"]):
        raise click.BadParameter(f"{values['date']!r} is not a date as YYYY, YYYY-MM or YYYY-MM-DD", param_hint="--date")
    if values.get("url") and not re.match(r"https?://", values["url"]):
        raise click.BadParameter("must start with http:// or https://", param_hint="--url")
    if key is not None and not re.fullmatch(r"[A-Za-z0-9][\w-]*", key, re.ASCII):
        raise click.BadParameter("letters, digits, - and _ only", param_hint="--key")
    try:
        with obj.open(write=True, events=_CliEvents(quiet=True)) as library:
            record = library.resolve_document(ref)
            if key:
                library.set_citekey(record.id, key)
            fields = [field for field in clear if field != "pages"]
            if values or fields:
                record = library.correct(record.id, {**values, **{field: None for field in fields}})
            if pages_rule or "pages" in clear:
                record = library.correct_pages(record.id, pages_rule)
                mapping = describe_pages([p.label for p in library.catalog.pages(record.id)], record.page_source)
            record = library.catalog.document(record.id)
    except EvidexError as exc:
        raise _fail(exc)
    changed = ", ".join(list(values) + (["pages"] if pages_rule else []) + [f"{f} (cleared)" for f in clear] + (["key"] if key else []))
    click.echo(f"Updated {record.id}: {changed or 'nothing'}.")
    if pages_rule or "pages" in clear:
        click.echo(f"Pages: {mapping}")
    click.echo(f"Cite as: {cite.short_citation(record)}  [@{record.citekey}]")


# -- extract ------------------------------------------------------------------------------


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pdf-engine", type=click.Choice(PDF_ENGINES), default="auto", show_default=True,
              help="PDF text extractor (as for ingest).")
@OCR_LANG_OPTION
@output_options(formats=("text", "json"))
def extract(file: Path, pdf_engine: str, ocr_lang: str | None, output_format: str):
    """Print what evidex extracts from FILE, without indexing it.

    text: the pages, separated by form feeds (each page's footnotes after its body). json:
    metadata, where page numbers come from, and pages (index, label, text, asides, extractor).
    """
    from .extract import extract_path

    try:
        document = extract_path(file, pdf_engine=pdf_engine, ocr_lang=ocr_lang or "eng")
    except EvidexError as exc:
        raise _fail(exc)
    for warning in document.warnings:
        click.echo(f"Warning: {file}: {warning}", err=True)
    if output_format == "json":
        data = {
            "source": str(file),
            "kind": document.kind,
            "sha256": document.sha256,
            "title": document.title,
            "author": document.author,
            "publisher": document.publisher,
            "date": document.date,
            "url": document.url,
            "site_name": document.site_name,
            "language": document.language,
            "guessed": sorted(document.guessed),
            "extractor": document.extractor,
            "extractor_version": document.extractor_version,
            "page_source": document.page_source,
            "page_numbers": describe_pages([p.label for p in document.pages], document.page_source) if document.paged else None,
            "pages": [
                {"index": p.index, "label": p.label, "text": p.text, "asides": list(p.asides),
                 "extractor": p.extractor or None, "extractor_reason": p.extractor_reason or None}
                for p in document.pages
            ],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo("\f".join("\n\n".join([page.text, *page.asides]) for page in document.pages))


# -- docs, show, remove, reindex ------------------------------------------------------------------


def doc_dict(record: DocumentRecord) -> dict:
    return {
        "id": record.id, "key": record.citekey, "kind": record.kind, "type": record.csl_type or cite.default_type(record), "title": record.title, "author": record.author,
        "publisher": record.publisher, "date": record.date, "url": record.url, "site_name": record.site_name,
        "page_count": record.page_count, "page_source": record.page_source, "passage_count": record.passage_count,
        "guessed": list(record.guessed),
        "sources": list(record.sources), "extractor": record.extractor, "extractor_version": record.extractor_version,
        "retrieved_at": record.retrieved_at, "ingested_at": record.ingested_at, "snapshot": record.snapshot,
        "sha256": record.sha256, "external_id": record.external_id, "corrected": list(record.corrected),
        "needs_review": cite.review_reasons(record),
    }


@cli.command()
@click.option("--needs-review", is_flag=True, help="Only documents whose title, author/publisher or date was guessed or is missing.")
@output_options()
@click.pass_obj
def docs(obj: Context, needs_review: bool, output_format: str):
    """List the documents in the library."""
    try:
        with obj.open() as library:
            records = library.catalog.documents()
            if needs_review:
                records = [r for r in records if cite.review_reasons(r)]
    except EvidexError as exc:
        raise _fail(exc)
    rows = [doc_dict(r) for r in records]
    if output_format == "json":
        click.echo(to_json(rows))
    elif output_format == "jsonl":
        if rows:
            click.echo(to_jsonl(rows))
    elif output_format == "csv":
        click.echo(to_csv(rows, DOC_FIELDS))
    else:
        headers = ["id", "kind", "date", "pages", "passages", "by", "title"]
        cells = [
            [r.id, r.kind, r.date or "", str(r.page_count or ""), str(r.passage_count),
             r.author or r.publisher or r.site_name or "", r.title or ""]
            for r in records
        ]
        if output_format == "md":
            click.echo(md_table(cells, headers))
        elif not records:
            click.echo("No documents need review." if needs_review else 'No documents. Add some with "evidex ingest FILE".')
        else:
            if needs_review:
                headers.append("to check")
                for cell, record in zip(cells, records):
                    cell.append(", ".join(cite.review_reasons(record)))
            click.echo(table(cells, headers, {5: 28, 6: 60}))
            click.echo(f"\n{len(records)} documents" + (' need review: correct them with "evidex meta DOC --title ... --author ... --date ..."' if needs_review else ""))


@cli.command()
@click.argument("ref", metavar="DOC_OR_PASSAGE")
@output_options(formats=("text", "json"))
@click.pass_obj
def show(obj: Context, ref: str, output_format: str):
    """Show a document (id, id prefix, or source path/URL) or a passage (its id)."""
    try:
        with obj.open() as library:
            passage = library.catalog.passage(ref)
            if passage is not None:
                record = library.catalog.document(passage.doc_id)
                _show_passage(passage, record, output_format, library)
                return
            record = library.resolve_document(ref)
            pages = library.catalog.pages(record.id)
            passages = library.catalog.document_passages(record.id)
    except EvidexError as exc:
        raise _fail(exc)
    themes: dict[str, int] = {}
    for p in passages:
        for t in p.themes:
            themes[t] = themes.get(t, 0) + 1
    paged = record.page_source is not None
    if output_format == "json":
        data = doc_dict(record)
        data["page_numbers"] = describe_pages([p.label for p in pages], record.page_source) if paged else None
        data["pages"] = [
            {"index": p.index, "label": p.label, "chars": len(p.text), "asides": len(p.asides),
             "extractor": p.extractor or None, "extractor_reason": p.extractor_reason or None}
            for p in pages
        ] if paged else []
        data["themes"] = themes
        data["citation"] = short_citation(record)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    lines = [click.style(record.title or "(untitled)", bold=True), ""]
    corrected = set(record.corrected)

    def mark(field: str, value):
        return f"{value} (corrected)" if value and field in corrected else value

    for label, value in (
        ("id", record.id), ("key", record.citekey), ("kind", record.kind),
        ("type", mark("type", record.csl_type or cite.default_type(record))),
        ("title", mark("title", record.title)), ("author", mark("author", record.author)),
        ("publisher", mark("publisher", record.publisher)), ("container", mark("container_title", record.container_title)),
        ("date", mark("date", record.date)), ("url", mark("url", record.url)), ("site", mark("site_name", record.site_name)),
        ("retrieved", record.retrieved_at),
        ("ingested", record.ingested_at), ("extractor", f"{record.extractor} {record.extractor_version}"),
        ("sha256", record.sha256), ("snapshot", record.snapshot),
    ):
        if value:
            lines.append(f"{label:>10}: {value}")
    for source in record.sources:
        lines.append(f"{'source':>10}: {source}")
    review = cite.review_reasons(record)
    if review:
        lines.append(f"{'review':>10}: {', '.join(review)} (correct with evidex meta {record.id} --title/--author/--date ...)")
    if paged:
        mapping = describe_pages([p.label for p in pages], record.page_source)
        lines.append(f"{'pages':>10}: {len(pages)} ({mapping}){' (corrected)' if 'pages' in corrected else ''}")
        lines.extend(_reading_notes(pages, record))
    lines.append(f"{'passages':>10}: {len(passages)}")
    if themes:
        lines.append(f"{'themes':>10}: " + ", ".join(f"{k} {v}" for k, v in sorted(themes.items())))
    lines.append(f"{'cite as':>10}: {short_citation(record)}")
    click.echo("\n".join(lines))


def _reading_notes(pages: list[Page], record: DocumentRecord) -> list[str]:
    """Which pages another extractor or OCR read, and why; OCR'd pages with a warning."""
    main = record.extractor.split(" ")[0]
    groups: dict[tuple[str, str], list[int]] = {}
    for page in pages:
        if page.extractor and page.extractor != main:
            groups.setdefault((page.extractor, page.extractor_reason), []).append(page.index)
    lines = []
    for (name, reason), numbers in groups.items():
        why = f" ({reason})" if reason else ""
        lines.append(f"{'read by':>10}: {name} for physical page{'s' if len(numbers) > 1 else ''} {_ranges(numbers)}{why}")
    ocr = sorted(n for (name, _reason), numbers in groups.items() if name == "ocr" for n in numbers)
    if ocr:
        lines.append(f"{'warning':>10}: text of physical page{'s' if len(ocr) > 1 else ''} {_ranges(ocr)} was OCR'd: "
                     "check quotes from it against the page image")
    return lines


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 5 -> "1-3, 5"."""
    parts: list[str] = []
    for number in numbers:
        if parts and number == int(parts[-1].split("-")[-1]) + 1:
            parts[-1] = f"{parts[-1].split('-')[0]}-{number}"
        else:
            parts.append(str(number))
    return ", ".join(parts)


def _show_passage(passage: Passage, record: DocumentRecord, output_format: str, library: Library) -> None:
    citation = short_citation(record, passage)
    if output_format == "json":
        data = {
            "passage_id": passage.id, "doc_id": passage.doc_id, "ordinal": passage.ordinal, "text": passage.text,
            "page": passage.page, "page_end": passage.page_end, "page_index": passage.page_index,
            "page_index_end": passage.page_index_end, "paragraph": passage.paragraph,
            "paragraph_end": passage.paragraph_end, "page_source": record.page_source, "extractor": passage.extractor or None,
            "themes": list(passage.themes), "theme_evidence": passage.theme_evidence, "title": record.title,
            "citation": citation,
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(click.style(citation, bold=True))
    click.echo(f"passage {passage.id} ({passage.ordinal} of {record.passage_count} in {record.id})\n")
    if passage.extractor == "ocr":
        click.echo(f"Warning: this text was OCR'd: check the quote against the page image (PDF page {passage.page_index}).\n")
    click.echo(passage.text)
    click.echo()
    if passage.themes:
        for theme in passage.themes:
            evidence = passage.theme_evidence.get(theme, {})
            terms = ", ".join(evidence.get("terms", []))
            click.echo(f"theme {theme}: score {evidence.get('score', '?')}, matched {terms}")
    else:
        click.echo("themes: none")


@cli.command()
@click.argument("refs", nargs=-1, required=True, metavar="DOC...")
@click.pass_obj
def remove(obj: Context, refs):
    """Remove documents (by id, id prefix or source path/URL) from the library."""
    try:
        with obj.open(write=True, events=_CliEvents(quiet=True)) as library:
            records = [library.resolve_document(ref) for ref in refs]
            for record in records:
                library.remove(record.id)
                click.echo(f"Removed {record.id} {record.title or ''}".rstrip())
    except EvidexError as exc:
        raise _fail(exc)


@cli.command()
@click.option("--engine", type=click.Choice(ENGINES), default=None,
              help="Convert the library to this full-text engine (default: keep its engine).")
@click.pass_obj
def reindex(obj: Context, engine):
    """Rebuild the search index from the catalog alone."""
    started = time.monotonic()
    try:
        with obj.open(write=True, events=_CliEvents(quiet=True)) as library:
            count = library.reindex(engine)
            engine = library.engine_name
    except EvidexError as exc:
        raise _fail(exc)
    click.echo(f"Rebuilt the {engine} index from the catalog: {count} passages in {time.monotonic() - started:.1f}s.")


# -- serve ------------------------------------------------------------------------------------


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Any address but a loopback one needs the access token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port to listen on.")
@click.option("--token", default=None, metavar="TOKEN",
              help="Require this access token on every request (one is generated when --host is not a loopback address).")
@click.option("--open/--no-open", "open_browser", default=False, show_default=True, help="Open the app in a web browser.")
@click.pass_obj
def serve(obj: Context, host: str, port: int, token: str | None, open_browser: bool):
    """Search, read and cite the library in a web browser (needs the web extra: pip install 'evidex[web]')."""
    try:
        import uvicorn

        from .web import create_app, resolve_token
    except ImportError as exc:
        raise click.ClickException(f"evidex serve needs the web extra ({exc.name} is missing): pip install 'evidex[web]'")
    token = resolve_token(host, token)
    app = create_app(obj.settings, host=host, token=token)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/" + (f"?token={token}" if token else "")
    if not obj.settings.catalog_path.exists():
        click.echo(f'Warning: no library at {obj.settings.index_dir} yet; run "evidex ingest FILE" and reload.', err=True)
    click.echo(f"Serving {obj.settings.index_dir} at {address}  (Ctrl+C stops)", err=True)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, [address]).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")


if __name__ == "__main__":  # pragma: no cover
    main()
