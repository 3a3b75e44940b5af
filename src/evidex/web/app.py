"""The web app behind `evidex serve`: search with facets, documents, passages in context, the
source file at the cited page, and a basket of passages exported like `evidex export --passages`.

Every page opens the library for reading for the time of the request, so an `evidex ingest` in
another process is seen at the next page. The server never changes a document, a passage or a
citation field (opening the catalog may still do its own housekeeping, such as journal mode or a
schema upgrade, as any evidex command does). Everything ingested is shown through Jinja's
autoescape; the only markup built in Python (highlights, page marks) escapes the text first.
"""

from __future__ import annotations

import codecs
import gzip
import math
import re
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__, cite, query as q
from .._output import hit_dict
from ..config import Settings
from ..errors import EvidexError, NoIndexError, NotFoundError, QuerySyntaxError
from ..extract import describe_pages
from ..highlight import END, START, match_spans
from ..library import Library, pinpoint
from ..models import DocumentRecord, Passage
from .security import CSRF_FIELD, CSRF_HEADER, Guard, LOOPBACK_NAMES, check_csrf, is_loopback, normal_host, SANDBOX_CSP

HERE = Path(__file__).resolve().parent
PAGE_SIZE = 10
MAX_DIGITS = 7  # page= and limit= longer than this are not numbers we read
MAX_GUNZIP = 64 * 1024 * 1024  # a gzipped source larger than this unpacked is offered as the .gz file
MAX_EXPORT = 2000  # passages in one export
CONTEXT = 2  # passages shown before and after a passage
STYLE_NAMES = {"short": "Short (evidex)", "apa": "APA 7th", "chicago": "Chicago author-date", "harvard": "Harvard"}
EXPORT_FILES = {  # format: (file suffix, media type)
    "csl-json": ("json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
    "bibtex": ("bib", "application/x-bibtex; charset=utf-8"),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8"),
    "markdown": ("md", "text/markdown; charset=utf-8"),
    "csv": ("csv", "text/csv; charset=utf-8"),
}
_PASSAGE_ID = re.compile(r"[0-9a-f]{6,64}-\d{1,7}")
_DOC_ID = re.compile(r"[0-9a-f]{4,64}")
_YEARS = re.compile(r"(\d{4})?(\.\.)?(\d{4})?")
_NUMBER = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")


def positive_int(text: str | None) -> int | None:
    """A page or limit parameter: 1 to 7 ASCII digits, not zero; None for anything else."""
    text = (text or "").strip()
    return int(text) if _NUMBER.fullmatch(text) and int(text) > 0 else None


# -- markup ---------------------------------------------------------------------------------------


def marked(snippet: str) -> Markup:
    """A snippet with START/END match marks as HTML: the text escaped, then the marks as <mark>."""
    return Markup(str(escape(snippet)).replace(START, "<mark>").replace(END, "</mark>"))


def passage_html(passage: Passage, spans: list[tuple[int, int]] = ()) -> Markup:
    """A passage's text as paragraphs, matches marked and page breaks shown where they fall."""
    cuts: list[tuple[int, int, str]] = []  # (offset, order, html): a page mark before a <mark> at the same offset
    for offset, _index, label in passage.page_breaks:
        cuts.append((offset, 0, f'<span class="pagemark" title="page break">p. {escape(label or "?")}</span>'))
    for start, end in spans:
        cuts.append((start, 1, "<mark>"))
        cuts.append((end, -1, "</mark>"))
    cuts.sort(key=lambda c: (c[0], c[1]))
    text = passage.text
    out, cursor = [], 0
    for offset, _order, tag in cuts:
        offset = max(cursor, min(offset, len(text)))
        out.append(str(escape(text[cursor:offset])))
        out.append(tag)
        cursor = offset
    out.append(str(escape(text[cursor:])))
    body = "".join(out)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    return Markup("".join(f"<p>{p}</p>" for p in paragraphs))


# -- the search form's state ----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchForm:
    """What /search was asked: the query text and the filters, as the address carries them."""

    q: str = ""
    themes: tuple[str, ...] = ()
    year: str = ""
    kind: str = ""
    publisher: str = ""
    doc: str = ""
    page: int = 1
    page_ok: bool = field(default=True, compare=False)  # false when page= was given but is not a page number

    @classmethod
    def from_request(cls, request: Request) -> "SearchForm":
        params = request.query_params
        page = positive_int(params.get("page", "1"))
        themes = tuple(dict.fromkeys(t.strip().lower() for t in params.getlist("theme") if t.strip()))
        return cls(
            q=params.get("q", "")[:2000],
            themes=themes[:10],
            year=params.get("year", "").strip()[:20],
            kind=params.get("kind", "").strip().lower()[:10],
            publisher=params.get("publisher", "").strip()[:300],
            doc=params.get("doc", "").strip()[:64],
            page=page or 1,
            page_ok=page is not None,
        )

    @property
    def filtered(self) -> bool:
        return bool(self.themes or self.year or self.kind or self.publisher or self.doc)

    @property
    def empty(self) -> bool:
        return not self.q.strip() and not self.filtered

    def params(self, **changes) -> list[tuple[str, str]]:
        form = replace(self, **changes)
        items = [("q", form.q)] if form.q else []
        items += [("theme", t) for t in form.themes]
        for name in ("year", "kind", "publisher", "doc"):
            value = getattr(form, name)
            if value:
                items.append((name, str(value)))
        if form.page > 1:
            items.append(("page", str(form.page)))
        return items

    def url(self, **changes) -> str:
        """This search with some of its parts changed; a changed filter goes back to page 1."""
        if set(changes) - {"page"}:
            changes.setdefault("page", 1)
        return "/search?" + urlencode(self.params(**changes))

    def publisher_on(self, value: str) -> bool:
        """Whether a publisher facet value is the active filter, matched as the filter matches."""
        return bool(self.publisher) and q.publisher_key(self.publisher) == q.publisher_key(value)

    def add_theme(self, theme: str) -> str:
        return self.url(themes=self.themes if theme in self.themes else self.themes + (theme,))

    def drop_theme(self, theme: str) -> str:
        return self.url(themes=tuple(t for t in self.themes if t != theme))

    def node(self, theme_keys) -> q.Node:
        """The parsed query with its filters. Raises QuerySyntaxError or ValueError (a bad filter)."""
        node = q.parse(self.q, strict=True)
        unknown = [t for t in self.themes if t not in theme_keys]
        if unknown:
            raise ValueError(f"Unknown theme {unknown[0]!r}; the themes are {', '.join(theme_keys)}.")
        if self.kind and self.kind not in q.KINDS:
            raise ValueError(f"Unknown kind {self.kind!r}; the kinds are {', '.join(q.KINDS)}.")
        low = high = None
        if self.year:
            found = _YEARS.fullmatch(self.year)
            if not found or not (found.group(1) or found.group(3)) or (found.group(3) and not found.group(2) and found.group(1)):
                raise ValueError(f"{self.year!r} is not a year: write 2023, 2021..2025, 2021.. or ..2020.")
            low = int(found.group(1)) if found.group(1) else None
            high = int(found.group(3)) if found.group(3) else (None if found.group(2) else low)
        return q.with_filters(node, q.filters(self.themes, low, high, self.doc or None, self.kind or None, self.publisher or None))


# -- the app --------------------------------------------------------------------------------------


class Web:
    """The views, over one library directory."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,  # every {{ value }} is escaped; nothing ingested is ever marked safe
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(version=__version__, style_names=STYLE_NAMES, export_formats=cite.EXPORT_FORMATS,
                                index_dir=str(settings.index_dir), csrf_field=CSRF_FIELD)
        self.env.filters["marked"] = marked
        self.env.tests["http_url"] = lambda value: isinstance(value, str) and re.match(r"https?://", value, re.I) is not None
        self.env.filters["plain"] = lambda text: text.replace(START, "").replace(END, "")
        self.env.filters["locator"] = lambda p: cite.locator(p) or ""

    # -- helpers ---------------------------------------------------------------------------
    def render(self, request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
        context.setdefault("form", SearchForm())
        context.setdefault("publisher_label", context["form"].publisher)  # every search.html path needs it
        html = self.env.get_template(name).render(request=request, csrf=request.state.csrf, **context)
        return HTMLResponse(html, status_code=status)

    def error(self, request: Request, status: int, title: str, message: str, hint: str = "") -> HTMLResponse:
        return self.render(request, "error.html", status=status, title=title, message=message, hint=hint)

    def library_error(self, request: Request, exc: EvidexError) -> HTMLResponse:
        if isinstance(exc, NoIndexError):
            return self.error(request, 503, "No library yet", str(exc),
                              f"Add documents with: evidex --index {self.settings.index_dir} ingest FILE_OR_DIRECTORY, then reload.")
        if isinstance(exc, NotFoundError):
            return self.error(request, 404, "Not found", str(exc))
        return self.error(request, 500, "The library could not be read", str(exc))

    def open(self) -> Library:
        return Library(self.settings)

    # -- pages -----------------------------------------------------------------------------
    def home(self, request: Request) -> Response:
        try:
            with self.open() as library:
                documents = library.catalog.documents()
                totals = library.theme_counts()
                themes = [(t.key, t.label, totals.get(t.key, (0, 0))[0]) for t in library.taxonomy.themes]
                counts = library.catalog.counts()
        except EvidexError as exc:
            return self.library_error(request, exc)
        documents.sort(key=lambda r: (r.date or "", r.id), reverse=True)
        return self.render(request, "index.html", documents=documents, themes=themes, counts=counts,
                           review={r.id: cite.review_reasons(r) for r in documents})

    def search(self, request: Request) -> Response:
        form = SearchForm.from_request(request)
        if form.empty:
            return RedirectResponse("/", status_code=303)
        try:
            with self.open() as library:
                labels = {t.key: t.label for t in library.taxonomy.themes}
                try:
                    node = form.node(library.taxonomy.keys)
                except QuerySyntaxError as exc:
                    return self.render(request, "search.html", status=400, form=form, error=str(exc),
                                       pointer=exc.pointer(), hits=[], facets={}, total=0, pages=0, labels=labels)
                except ValueError as exc:
                    return self.render(request, "search.html", status=400, form=form, error=str(exc), pointer="",
                                       hits=[], facets={}, total=0, pages=0, labels=labels)
                facets = library.facets(node)
                total = sum(count for _value, _label, count in facets.get("kind", []))
                pages = max(1, math.ceil(total / PAGE_SIZE))
                if form.page > pages:  # past the last page (or no hits at all): the last page there is
                    return RedirectResponse(form.url(page=pages), status_code=303)
                hits = library.search(node, limit=PAGE_SIZE, offset=(form.page - 1) * PAGE_SIZE)
                publisher_labels = {value: label for value, label, _c in facets.get("publisher", [])}
        except EvidexError as exc:
            return self.library_error(request, exc)
        return self.render(request, "search.html", form=form, error="", pointer="", hits=hits, facets=facets,
                           total=total, pages=pages, labels=labels, first=(form.page - 1) * PAGE_SIZE + 1,
                           page_numbers=_page_numbers(form.page, pages),
                           publisher_label=publisher_labels.get(q.publisher_key(form.publisher), form.publisher))

    def document(self, request: Request) -> Response:
        ref = request.path_params["doc_id"]
        try:
            with self.open() as library:
                record = self._document(library, ref)
                if record is None:
                    return self.error(request, 404, "No such document", f"There is no document {ref!r} in this library.")
                if record.id != ref:
                    return RedirectResponse(f"/doc/{record.id}", status_code=301)
                passages = library.catalog.document_passages(record.id)
                pages = library.catalog.pages(record.id) if record.page_source else []
        except EvidexError as exc:
            return self.library_error(request, exc)
        item = cite.csl_item(record, record.citekey)
        themes: dict[str, int] = {}
        for p in passages:
            for t in p.themes:
                themes[t] = themes.get(t, 0) + 1
        return self.render(
            request, "doc.html", record=record, passages=passages, themes=sorted(themes.items()),
            fields=metadata_rows(record), review=cite.review_reasons(record), references=styled_references(item),
            bibtex=cite.bibtex_entry(item), citation=cite.short_citation(record),
            source=source_link(self.settings, record, None),
            page_numbers=describe_pages([p.label for p in pages], record.page_source) if pages else None,
            ocr_pages=[p.index for p in pages if p.extractor == "ocr"],
            doc_type=record.csl_type or cite.default_type(record),
        )

    def passage(self, request: Request) -> Response:
        passage_id = request.path_params["passage_id"]
        text = request.query_params.get("q", "")[:2000]
        if not _PASSAGE_ID.fullmatch(passage_id):
            return self.error(request, 404, "No such passage", f"{passage_id!r} is not a passage id.")
        try:
            with self.open() as library:
                passage = library.catalog.passage(passage_id)
                if passage is None:
                    return self.error(request, 404, "No such passage", f"There is no passage {passage_id!r} in this library.")
                record = library.catalog.document(passage.doc_id)
                siblings = library.catalog.document_passages(passage.doc_id)
                labels = {t.key: t.label for t in library.taxonomy.themes}
        except EvidexError as exc:
            return self.library_error(request, exc)
        spans = _spans(passage.text, text)
        cited = pinpoint(passage, spans) if spans else passage
        position = next((i for i, p in enumerate(siblings) if p.id == passage.id), 0)
        before = siblings[max(0, position - CONTEXT): position]
        after = siblings[position + 1: position + 1 + CONTEXT]
        item = cite.csl_item(record, record.citekey)
        citations = styled_citations(record, cited, item)
        return self.render(
            request, "passage.html", record=record, passage=passage, cited=cited, text=passage_html(passage, spans),
            before=before, after=after, previous=siblings[position - 1] if position > 0 else None,
            next=siblings[position + 1] if position + 1 < len(siblings) else None, citations=citations,
            source=source_link(self.settings, record, cited), labels=labels, query=text,
            form=SearchForm(q=text), total=len(siblings),
        )

    def source(self, request: Request) -> Response:
        """The file (or saved web page) a document was read from, and nothing else."""
        doc_id = request.path_params["doc_id"]
        if not _DOC_ID.fullmatch(doc_id):
            return self.error(request, 404, "No such document", "Not a document id.")
        try:
            with self.open() as library:
                record = library.catalog.document(doc_id)
        except EvidexError as exc:
            return self.library_error(request, exc)
        path = source_file(self.settings, record) if record else None
        if path is None:
            return self.error(request, 404, "No source file", f"No file of document {doc_id!r} can be shown.")
        return file_response(path)

    def collect(self, request: Request) -> Response:
        return self.render(request, "collect.html", styles=sorted(cite.STYLES), max_export=MAX_EXPORT)

    # -- exports and the API ------------------------------------------------------------------
    async def export(self, request: Request) -> Response:
        form = await request.form()
        if not check_csrf(request.scope["state"], form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)):
            return self.error(request, 403, "Refused", "This request did not carry this page's CSRF token. "
                              "Reload the page and try again.")
        export_format = str(form.get("format", "bibtex"))
        style = str(form.get("style", "")) or None
        if export_format not in EXPORT_FILES:
            return self.error(request, 400, "Unknown format", f"Export formats: {', '.join(EXPORT_FILES)}.")
        if style is not None and style not in cite.STYLES:
            return self.error(request, 400, "Unknown style", f"Styles: {', '.join(sorted(cite.STYLES))}.")
        raw = [str(v) for v in form.getlist("id")] + str(form.get("ids", "")).replace(",", " ").split()
        wanted = [i for i in dict.fromkeys(raw) if _PASSAGE_ID.fullmatch(i)]
        ids = wanted[:MAX_EXPORT]
        if not ids:
            return self.error(request, 400, "Nothing to export", "Collect some passages first.")
        try:
            text, count = await run_in_threadpool(self._export, ids, export_format, style)
        except EvidexError as exc:
            return self.library_error(request, exc)
        if not count:
            return self.error(request, 404, "Nothing to export", "None of these passages is in the library (any more).")
        suffix, media_type = EXPORT_FILES[export_format]
        filename = f"evidex-{count}-passages-{date.today().isoformat()}.{suffix}"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
        if len(wanted) > len(ids):  # the collect page says so too
            headers["X-Evidex-Export-Cut"] = f"the first {len(ids)} of {len(wanted)} passages (the limit of one export)"
        return Response(text.encode("utf-8"), media_type=media_type, headers=headers)

    def _export(self, ids: list[str], export_format: str, style: str | None) -> tuple[str, int]:
        with self.open() as library:
            found = library.catalog.passages(ids)
            pairs = []
            records: dict[str, DocumentRecord] = {}
            for passage_id in ids:
                passage = found.get(passage_id)
                if passage is None:
                    continue
                if passage.doc_id not in records:
                    records[passage.doc_id] = library.catalog.document(passage.doc_id)
                pairs.append((records[passage.doc_id], passage))
        return cite.export_passages(pairs, export_format, style), len(pairs)

    def api_search(self, request: Request) -> Response:
        form = SearchForm.from_request(request)
        limit = positive_int(request.query_params.get("limit", str(PAGE_SIZE)))
        if limit is None or not form.page_ok:
            name = "limit" if limit is None else "page"
            return JSONResponse({"error": f"{name} must be a whole number from 1 to {10 ** MAX_DIGITS - 1}."}, status_code=400)
        limit = min(limit, 100)
        if form.empty:
            return JSONResponse({"error": "Give a query (q=...) or a filter (theme, year, kind, publisher)."}, status_code=400)
        try:
            with self.open() as library:
                try:
                    node = form.node(library.taxonomy.keys)
                except QuerySyntaxError as exc:
                    return JSONResponse({"error": str(exc), "column": exc.position + 1}, status_code=400)
                except ValueError as exc:
                    return JSONResponse({"error": str(exc)}, status_code=400)
                facets = library.facets(node)
                total = sum(count for _v, _l, count in facets.get("kind", []))
                offset = (form.page - 1) * limit
                hits = library.search(node, limit=limit, offset=offset) if offset < total else []  # past the end: none
        except NoIndexError as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        except EvidexError as exc:
            return JSONResponse({"error": str(exc)}, status_code=500)
        return JSONResponse({
            "query": form.q, "page": form.page, "limit": limit, "total": total,
            "hits": [hit_dict(h) for h in hits],
            "facets": {name: [{"value": v, "label": l, "passages": c} for v, l, c in values] for name, values in facets.items()},
        })

    def api_cite(self, request: Request) -> Response:
        """One passage's citation in a style (short, apa, chicago, harvard), pinpointed to q's matches."""
        passage_id = request.path_params["passage_id"]
        style = request.query_params.get("style", "short")
        if style not in STYLE_NAMES:
            return JSONResponse({"error": f"style must be one of {', '.join(STYLE_NAMES)}"}, status_code=400)
        if not _PASSAGE_ID.fullmatch(passage_id):
            return JSONResponse({"error": "not a passage id"}, status_code=404)
        try:
            with self.open() as library:
                passage = library.catalog.passage(passage_id)
                record = library.catalog.document(passage.doc_id) if passage else None
        except NotFoundError as exc:
            return JSONResponse({"error": str(exc)}, status_code=404)
        except NoIndexError as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        except EvidexError as exc:
            return JSONResponse({"error": str(exc)}, status_code=500)
        if passage is None or record is None:
            return JSONResponse({"error": f"no passage {passage_id}"}, status_code=404)
        spans = _spans(passage.text, request.query_params.get("q", "")[:2000])
        cited = pinpoint(passage, spans) if spans else passage
        if style == "short":
            return JSONResponse({"style": style, "citation": cite.short_citation(record, cited) + ".", "reference": None})
        item = cite.csl_item(record, record.citekey)
        in_text, references = cite.formatted([item], style, [(item["id"], cite.locator_of(cited))])
        return JSONResponse({"style": style, "citation": in_text[0], "reference": references[0] if references else None})

    @staticmethod
    def _document(library: Library, ref: str) -> DocumentRecord | None:
        if not _DOC_ID.fullmatch(ref):
            return None
        record = library.catalog.document(ref)
        if record is None:
            ids = [i for i in library.catalog.find_documents(ref) if i.startswith(ref)]
            record = library.catalog.document(ids[0]) if len(ids) == 1 else None
        return record


def create_app(settings: Settings, *, host: str = "127.0.0.1", token: str | None = None,
               max_body: int = 1024 * 1024, max_upload: int = 200 * 1024 * 1024) -> Starlette:
    """The ASGI app. Bound to a loopback address it answers only to localhost names (no DNS
    rebinding); with a token every request must carry it (see security.Guard)."""
    web = Web(settings)
    routes = [
        Route("/", web.home, name="home"),
        Route("/search", web.search, name="search"),
        Route("/doc/{doc_id}", web.document, name="document"),
        Route("/doc/{doc_id}/source", web.source, name="source"),
        Route("/passage/{passage_id}", web.passage, name="passage"),
        Route("/collect", web.collect, name="collect"),
        Route("/export", web.export, methods=["POST"], name="export"),
        Route("/api/search", web.api_search, name="api_search"),
        Route("/api/cite/{passage_id}", web.api_cite, name="api_cite"),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def not_found(request: Request, exc) -> Response:
        return web.error(request, 404, "Not found", "There is nothing at this address.")

    async def not_allowed(request: Request, exc) -> Response:
        response = web.error(request, 405, "Method not allowed",
                             f"{request.method} is not answered at this address.")
        if getattr(exc, "headers", None) and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_allowed})
    app.state.web = web
    # The bound address answers too: `serve --host 127.0.0.2` is reached as http://127.0.0.2:PORT/.
    allowed = tuple(dict.fromkeys((*LOOPBACK_NAMES, normal_host(host)))) if is_loopback(host) and not token else None
    app.add_middleware(Guard, token=token, allowed_hosts=allowed, max_body=max_body, max_upload=max_upload)
    return app


# -- what a page shows ----------------------------------------------------------------------------


META_FIELDS = [("title", "title"), ("author", "author"), ("publisher", "publisher"), ("date", "date"),
               ("type", "csl_type"), ("url", "url"), ("site name", "site_name"), ("container", "container_title")]


def metadata_rows(record: DocumentRecord) -> list[dict]:
    """The citation fields, each with where it came from: extracted, guessed (check it) or corrected."""
    rows = []
    corrected = set(record.corrected)
    for label, attribute in META_FIELDS:
        name = "type" if attribute == "csl_type" else attribute
        value = getattr(record, attribute)
        if attribute == "csl_type" and not value:
            value = cite.default_type(record)
        status = "corrected" if name in corrected else ("guessed" if name in record.guessed else "")
        if not value and name in ("title", "date"):
            status = "missing"
        rows.append({"label": label, "field": name, "value": value, "status": status})
    return rows


def styled_references(item: dict) -> list[tuple[str, str]]:
    found = []
    for style in sorted(cite.STYLES):
        try:
            _in_text, references = cite.formatted([item], style)
        except Exception:  # citeproc-py trips on an odd record: the other styles still show
            continue
        if references:
            found.append((STYLE_NAMES[style], references[0]))
    return found


def styled_citations(record: DocumentRecord, passage: Passage, item: dict) -> list[dict]:
    """The passage's citation in every style: key, name, in-text citation and reference."""
    found = [{"key": "short", "name": STYLE_NAMES["short"], "citation": cite.short_citation(record, passage) + ".", "reference": ""}]
    for style in sorted(cite.STYLES):
        try:
            in_text, references = cite.formatted([item], style, [(item["id"], cite.locator_of(passage))])
        except Exception:
            continue
        found.append({"key": style, "name": STYLE_NAMES[style], "citation": in_text[0],
                      "reference": references[0] if references else ""})
    return found


def _spans(text: str, query_text: str) -> list[tuple[int, int]]:
    if not query_text.strip():
        return []
    node = q.parse(query_text, strict=False)
    return match_spans(text, q.highlights(node))


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """Page links: the first, the last and those near the current one; None for a gap."""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int | None] = []
    for n in wanted:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


# -- source files ---------------------------------------------------------------------------------


def source_file(settings: Settings, record: DocumentRecord) -> Path | None:
    """The saved copy of a fetched page (inside the index directory), else the first source that
    is a readable file. Only these paths, which the catalog holds, are ever served."""
    if record.snapshot:
        root = settings.index_dir.resolve()
        path = (root / record.snapshot).resolve()
        if path.is_relative_to(root) and path.is_file():
            return path
        return None
    for location in record.sources:
        if "://" in location or "#" in location:  # a URL, or one record of a JSON Lines file
            continue
        path = Path(location)
        if path.is_absolute() and path.is_file():
            return path
    return None


def source_link(settings: Settings, record: DocumentRecord, passage: Passage | None) -> dict | None:
    """Where a link opens the source: at the physical page of a PDF, at the passage's words in a
    web page (a text fragment, where the browser supports it)."""
    path = source_file(settings, record)
    if path is None:
        return None
    url = f"/doc/{record.id}/source"
    where = ""
    if passage is not None and record.kind == "pdf" and passage.page_index:
        url += f"#page={passage.page_index}"
        where = f"at page {passage.page or passage.page_index}"
    elif passage is not None and record.kind == "html":
        words = passage.text.split()[:6]
        if words:
            url += "#:~:text=" + text_directive(" ".join(words))
            where = "at the passage"
    name = "saved web page" if record.snapshot else path.name
    return {"url": url, "name": name, "where": where}


def text_directive(text: str) -> str:
    """Text for a #:~:text= fragment: percent-encoded, and "-", "," and "&" too, which the
    fragment syntax reads as its own (prefix-, -suffix, start,end, and the next directive)."""
    return quote(text, safe="").replace("-", "%2D").replace(",", "%2C").replace("&", "%26")


_MEDIA = {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html", ".xhtml": "text/html",
          ".txt": "text/plain", ".md": "text/plain", ".markdown": "text/plain", ".jsonl": "text/plain"}


def file_response(path: Path) -> Response:
    """A source file, shown inline and streamed from disk (ranges work, so a browser's PDF viewer
    can fetch parts). HTML and text are sandboxed: no script runs, in an origin of its own. A
    gzipped file is unpacked up to MAX_GUNZIP; a larger one is offered as the .gz file itself."""
    name = path.name
    background = None
    if name.endswith(".gz"):
        unpacked = _gunzip(path, MAX_GUNZIP)
        if unpacked is None:
            safe_gz = re.sub(r"[^\w.\-]", "_", name)[:120] or "source.gz"
            return FileResponse(path, media_type="application/gzip", headers={
                "Content-Disposition": f'attachment; filename="{safe_gz}"', "Cache-Control": "no-store"})
        path, name = unpacked, name[:-3]
        background = BackgroundTask(unpacked.unlink, missing_ok=True)
    media = _MEDIA.get(Path(name).suffix.lower(), "application/octet-stream")
    safe_name = re.sub(r"[^\w.\-]", "_", name)[:120] or "source"
    headers = {"Content-Disposition": f'inline; filename="{safe_name}"', "Cache-Control": "no-store"}
    if media == "text/html":
        headers["Content-Security-Policy"] = SANDBOX_CSP
        # Only UTF-8 is labelled as such: another encoding is left to the page's own <meta charset>.
        media = "text/html; charset=utf-8" if _looks_utf8(path) else "text/html"
    elif media == "text/plain":
        media = "text/plain; charset=utf-8"
        headers["Content-Security-Policy"] = SANDBOX_CSP
    elif media == "application/pdf":
        # No sandbox or object-src here: they stop the browser's own PDF viewer; a PDF runs no script of ours.
        headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    else:
        headers["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    headers["Content-Type"] = media  # as is: starlette would add "; charset=utf-8" to any text/ type
    return FileResponse(path, headers=headers, background=background)


def _gunzip(path: Path, cap: int) -> Path | None:
    """A gzipped file unpacked to a temporary file (the caller deletes it), or None when it is
    larger than cap unpacked. A file that is not gzip after all is copied as it is."""
    out = tempfile.NamedTemporaryFile(prefix="evidex-source-", delete=False)
    written = 0
    try:
        with out:
            try:
                with gzip.open(path, "rb") as source:
                    while chunk := source.read(64 * 1024):
                        written += len(chunk)
                        if written > cap:
                            raise OverflowError
                        out.write(chunk)
            except (OSError, EOFError):  # not gzip (or cut short): the bytes as they are, as before
                out.seek(0)
                out.truncate()
                with open(path, "rb") as source:
                    shutil.copyfileobj(source, out)
    except OverflowError:
        Path(out.name).unlink(missing_ok=True)
        return None
    except BaseException:
        Path(out.name).unlink(missing_ok=True)
        raise
    return Path(out.name)


def _looks_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as source:
            while chunk := source.read(64 * 1024):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return True
    except UnicodeDecodeError:
        return False
