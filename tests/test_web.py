"""evidex serve, through Starlette's TestClient over a real library (the corpus and a hostile
article): search, facets, filters, pages, source files, exports, and the safety rules."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import gzip
import io
import json
import math
import re
import tempfile
import warnings
from html.parser import HTMLParser

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

import bibtexparser  # noqa: E402
import rispy  # noqa: E402
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient now prefers httpx2 over httpx
    from starlette.testclient import TestClient  # noqa: E402

from _web_library import (  # noqa: E402
    EVIL_AUTHOR, EVIL_PUBLISHER, EVIL_SITE, EVIL_TITLE, HOSTILE_TITLE, IMG, MARKER, SCRIPT, build_library,
)
from conftest import Evidex  # noqa: E402
from evidex.config import Settings  # noqa: E402
from evidex.library import Library  # noqa: E402
from evidex.web import app as web_app  # noqa: E402
from evidex.web import create_app, is_loopback, resolve_token  # noqa: E402
from evidex.web.app import file_response, source_file, source_link  # noqa: E402
from evidex.web.security import Guard  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # starlette's TestClient prefers httpx2

BASE = "http://127.0.0.1:8765"
THREAT = "0543bc4f1a24"  # corpus/threat-assessment-2025.pdf


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    return build_library(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def settings(index) -> Settings:
    return Settings(index_dir=index)


@pytest.fixture
def client(settings):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(settings), base_url=BASE) as c:
            yield c


@pytest.fixture(scope="module")
def hostile_id(settings) -> str:
    with Library(settings) as library:
        return next(r.id for r in library.catalog.documents() if "hostile-article" in r.source)


def csrf_of(client) -> str:
    client.get("/collect")
    return client.cookies["evidex_csrf_8765"]  # the cookie names carry the server's port


def api(client, **params) -> dict:
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


# -- search ------------------------------------------------------------------------------------


def test_home_lists_documents_and_themes(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Online Child Safety Threat Assessment 2025" in page.text
    assert 'href="/search?theme=sextortion"' in page.text
    assert f'href="/doc/{THREAT}"' in page.text


def test_search_page_shows_highlighted_hits_themes_citations_and_facets(client):
    page = client.get("/search", params={"q": "sextortion"})
    assert page.status_code == 200
    html = page.text
    assert "<mark>sextortion</mark>" in html.lower()
    assert 'class="citation"' in html and "Parent Signal" in html
    assert 'class="tag tag-sextortion"' in html
    assert 'class="copy"' in html and 'class="collect"' in html
    for facet in ("theme", "year", "kind", "publisher"):
        assert f'data-facet="{facet}"' in html
    total = api(client, q="sextortion")["total"]
    assert re.search(rf"Passages 1–10 of {total}\b", html)


def test_facet_counts_match_filtered_totals(client):
    result = api(client, q="sextortion")
    facets = result["facets"]
    assert sum(v["passages"] for v in facets["kind"]) == result["total"]
    for name, param in (("theme", "theme"), ("year", "year"), ("kind", "kind"), ("publisher", "publisher")):
        first = facets[name][0]
        filtered = api(client, q="sextortion", **{param: first["value"] if name != "publisher" else first["label"]})
        assert filtered["total"] == first["passages"], (name, first)


def test_filters_narrow_the_hits(client):
    themed = api(client, q="children", theme="prevention", limit=50)["hits"]
    assert themed and all("prevention" in h["themes"] for h in themed)
    years = api(client, q="encryption", year="2024", limit=50)["hits"]
    assert years and all(h["date"].startswith("2024") for h in years)
    ranged = api(client, q="encryption", year="2023..2024", limit=50)["hits"]
    assert {h["date"][:4] for h in ranged} <= {"2023", "2024"} and len(ranged) > len(years)
    pdfs = api(client, q="encryption", kind="pdf", limit=50)["hits"]
    assert pdfs and all(h["source"].endswith(".pdf") for h in pdfs)
    signal = api(client, q="sextortion", publisher="parent signal", limit=50)["hits"]
    assert signal and {h["doc_id"] for h in signal} == {"ad81146dfa21"}
    # Filters alone, without words, list the matching passages.
    only = api(client, theme="ai", kind="html", limit=50)
    assert only["total"] and all("ai" in h["themes"] for h in only["hits"])
    page = client.get("/search", params=[("theme", "ai"), ("theme", "encryption")])
    assert page.status_code == 200 and "theme: Artificial intelligence ✕" in page.text


def test_pagination(client):
    first = api(client, q="children")
    second = api(client, q="children", page=2)
    assert first["total"] > 10
    assert len(first["hits"]) == 10 and second["hits"]
    assert not {h["passage_id"] for h in first["hits"]} & {h["passage_id"] for h in second["hits"]}
    html = client.get("/search", params={"q": "children", "page": 2}).text
    assert f"Passages 11–{10 + len(second['hits'])} of {first['total']}" in html
    assert 'rel="prev"' in html



def test_a_page_past_the_last_goes_to_the_last_page(client):
    total = api(client, q="children")["total"]
    last = math.ceil(total / 10)
    for asked in (last + 1, 999, 5000):
        moved = client.get("/search", params={"q": "children", "page": asked}, follow_redirects=False)
        assert moved.status_code == 303 and moved.headers["location"] == f"/search?q=children&page={last}", asked
    html = client.get("/search", params={"q": "children", "page": 999}).text
    assert f"Passages {(last - 1) * 10 + 1}–{total} of {total}" in html
    assert 'aria-current="page">' + str(last) in html and 'rel="next"' not in html
    # No hits at all: page 3 goes to page 1, which says so.
    none = client.get("/search", params={"q": "zzzqqqxxx", "page": 3}, follow_redirects=False)
    assert none.status_code == 303 and none.headers["location"] == "/search?q=zzzqqqxxx"
    assert "No passages found." in client.get("/search", params={"q": "zzzqqqxxx", "page": 3}).text
    # The API answers a page past the end with no hits and the real total.
    past = api(client, q="children", page=5000)
    assert past["hits"] == [] and past["total"] == total and past["page"] == 5000


def test_huge_page_and_limit_numbers_are_refused_not_crashes(client):
    nines = "9" * 5000
    page = client.get("/search", params={"q": "children", "page": nines})
    assert page.status_code == 200 and "Passages 1–10 of" in page.text  # read as page 1
    for params in ({"page": nines}, {"limit": nines}, {"page": "12345678"}, {"limit": "0"}, {"page": "²"}, {"limit": "abc"}):
        response = client.get("/api/search", params={"q": "children", **params})
        assert response.status_code == 400, params
        assert "whole number" in response.json()["error"], params
    assert api(client, q="children", page="9999999", limit="1000")["limit"] == 100  # 7 digits are read


def test_bad_queries_and_filters_are_explained(client):
    page = client.get("/search", params={"q": '"end-to-end encryption'})
    assert page.status_code == 400
    assert "this quote is never closed" in page.text and "^" in page.text
    assert client.get("/search", params={"q": "x", "theme": "nonsense"}).status_code == 400
    assert client.get("/search", params={"q": "x", "year": "20x4"}).status_code == 400
    assert client.get("/search", params={"q": "x", "kind": "exe"}).status_code == 400
    # With a publisher filter too (its chip is shown above the error).
    for params in ({"q": "x", "publisher": "foo", "year": "20x4"}, {"q": '"abc', "publisher": "foo"},
                   {"q": "x", "theme": "nope", "publisher": "a"}):
        page = client.get("/search", params=params)
        assert page.status_code == 400, params
        assert 'role="alert"' in page.text and f"publisher: {params['publisher']} ✕" in page.text, params
    bad = client.get("/api/search", params={"q": "(unclosed"})
    assert bad.status_code == 400 and "error" in bad.json()
    assert client.get("/search", follow_redirects=False).status_code == 303


def test_publisher_facet_is_on_whatever_the_spelling(client):
    html = client.get("/search?q=sextortion&publisher=parent%20%20signal").text
    link = re.search(r'<a href="([^"]*)" class="on">Parent Signal</a>', html)
    assert link, "the Parent Signal facet is not marked on"
    assert "publisher=" not in link.group(1).replace("&amp;", "&")  # clicking it removes the filter
    assert "publisher: Parent Signal ✕" in html
    other = client.get("/search?q=sextortion&publisher=PARENT%20SIGNAL").text
    assert re.search(r'class="on">Parent Signal</a>', other)


def test_api_search_gives_the_hit_fields_of_the_cli(client, index):
    cli = Evidex()("--index", index, "search", "theme:encryption client-side scanning", "--format", "json")
    expected = json.loads(cli.output)
    result = api(client, q="theme:encryption client-side scanning")
    assert result["hits"] == expected
    assert list(result["hits"][0]) == list(expected[0])


# -- documents, passages, sources ------------------------------------------------------------------


def test_document_page_shows_metadata_review_flags_and_passages(client):
    page = client.get("/doc/e367c23fb770")  # its title was guessed
    html = page.text
    assert page.status_code == 200
    assert "Annual Review 2023" in html and "Check before citing" in html and "title guessed" in html
    assert 'class="flag flag-guessed"' in html
    assert html.count('href="/passage/e367c23fb770-') == 14
    assert "@report{harbour2023review" in html
    assert 'href="/doc/e367c23fb770/source"' in html
    assert "5 (printed 1-5 from physical 1-5)" in html  # the annual review prints "Page N" in its footer
    assert "page labels i-iii from physical 1-3, 1-7 from physical 4-10" in client.get(f"/doc/{THREAT}").text
    # An id prefix redirects to the full address; an unknown id is a 404.
    assert client.get("/doc/e367c23f", follow_redirects=False).headers["location"] == "/doc/e367c23fb770"
    assert client.get("/doc/ffffffffffff").status_code == 404


def test_corrected_fields_are_marked(client, index):
    Evidex()("--index", index, "meta", "76b5898c78f9", "--date", "2022")
    try:
        html = client.get("/doc/76b5898c78f9").text
        assert re.search(r"2022\s*<span class=\"flag flag-corrected\">corrected</span>", html)
    finally:
        Evidex()("--index", index, "meta", "76b5898c78f9", "--clear", "date")


def test_passage_page_shows_context_citations_and_source_link(client):
    page = client.get(f"/passage/{THREAT}-13", params={"q": "hash"})
    html = page.text
    assert page.status_code == 200
    assert "<mark>hash</mark>" in html
    assert html.count('class="context before"') == 2 and html.count('class="context after"') == 2
    assert f'href="/passage/{THREAT}-12' in html and f'href="/passage/{THREAT}-14' in html
    assert f'href="/doc/{THREAT}/source#page=5"' in html  # physical page 5 holds printed page 2
    assert "(Northbridge Child Safety Institute, 2025, p. 2)" in html  # APA, pinpointed on "hash"
    assert "Chicago author-date" in html and "Harvard" in html
    assert client.get("/passage/nothing-1").status_code == 404
    assert client.get(f"/passage/{THREAT}-999").status_code == 404


def test_api_cite_in_each_style(client):
    short = client.get(f"/api/cite/{THREAT}-4").json()
    assert short["citation"] == 'Northbridge Child Safety Institute, "Online Child Safety Threat Assessment 2025", 2025, p. iii.'
    harvard = client.get(f"/api/cite/{THREAT}-4", params={"style": "harvard"}).json()
    assert harvard["citation"] == "(Northbridge Child Safety Institute, 2025, p. iii)"
    assert harvard["reference"].startswith("Northbridge Child Safety Institute (2025)")
    assert client.get(f"/api/cite/{THREAT}-4", params={"style": "mla"}).status_code == 400


def test_api_cite_not_found_is_404(client, monkeypatch):
    from evidex.errors import NotFoundError

    def gone(self):
        raise NotFoundError("the passage is gone")

    monkeypatch.setattr(web_app.Web, "open", gone)
    response = client.get(f"/api/cite/{THREAT}-4")
    assert response.status_code == 404 and "the passage is gone" in response.json()["error"]


def test_source_files_are_served_and_nothing_else(client, settings, hostile_id):
    pdf = client.get(f"/doc/{THREAT}/source")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "inline" in pdf.headers["content-disposition"]
    html = client.get(f"/doc/{hostile_id}/source")
    assert html.status_code == 200
    assert html.headers["content-security-policy"].startswith("sandbox")  # its scripts never run
    for attempt in (
        "/doc/..%2F..%2F..%2Fetc%2Fpasswd/source", "/doc/../../etc/passwd/source", "/doc/%2e%2e/source",
        "/doc/ffffffffffff/source", f"/doc/{THREAT[:6]}/source", "/static/..%2F..%2Fcli.py",
        "/static/../../../pyproject.toml", "/doc/%00/source",
    ):
        response = client.get(attempt)
        assert response.status_code == 404, attempt
        assert b"%PDF" not in response.content and b"root:" not in response.content
    # A snapshot path that points outside the index is never served.
    with Library(settings) as library:
        record = library.catalog.document(THREAT)
    assert source_file(settings, dataclasses.replace(record, snapshot="../../../../etc/passwd")) is None
    assert source_file(settings, dataclasses.replace(record, sources=("relative/file.pdf", "https://x.test/a.pdf"))) is None


def test_a_symlink_in_the_index_pointing_outside_is_not_served(settings, index, tmp_path):
    outside = tmp_path / "secret.html"
    outside.write_text("<p>secret</p>", encoding="utf-8")
    (tmp_path / "secret-dir").mkdir()
    (tmp_path / "secret-dir" / "page.html").write_text("<p>secret</p>", encoding="utf-8")
    links = index / "snapshots-test"
    links.mkdir(exist_ok=True)
    try:
        (links / "evil.html").symlink_to(outside)
        (links / "dir").symlink_to(tmp_path / "secret-dir", target_is_directory=True)
        with Library(settings) as library:
            record = library.catalog.document(THREAT)
        for snapshot in ("snapshots-test/evil.html", "snapshots-test/dir/page.html"):
            assert source_file(settings, dataclasses.replace(record, snapshot=snapshot)) is None, snapshot
        (links / "inside.html").write_text("<p>fine</p>", encoding="utf-8")  # a real file inside is served
        assert source_file(settings, dataclasses.replace(record, snapshot="snapshots-test/inside.html")) is not None
    finally:
        for child in links.iterdir():
            child.unlink()
        links.rmdir()


def test_source_files_are_streamed_with_ranges(client):
    whole = client.get(f"/doc/{THREAT}/source")
    part = client.get(f"/doc/{THREAT}/source", headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.content == b"%PDF" == whole.content[:4]
    assert part.headers["content-range"] == f"bytes 0-3/{len(whole.content)}"
    assert part.headers["content-type"] == "application/pdf"


def _serve(response) -> tuple[int, dict, bytes]:
    """Run a response object as ASGI: its status, headers and body."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"spec_version": "2.4"}, "method": "GET", "headers": [], "path": "/"}
    asyncio.run(response(scope, receive, send))
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, b"".join(m.get("body", b"") for m in sent[1:])


def test_gzipped_sources_are_unpacked_up_to_a_cap(tmp_path, monkeypatch):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    page = b"<html><body><p>" + b"caf\xc3\xa9 " * 300 + b"</p></body></html>"
    source = tmp_path / "article.html.gz"
    source.write_bytes(gzip.compress(page))
    status, headers, body = _serve(file_response(source))
    assert status == 200 and body == page
    assert headers["content-type"] == "text/html; charset=utf-8" and headers["content-security-policy"].startswith("sandbox")
    latin = tmp_path / "latin.html.gz"
    latin.write_bytes(gzip.compress("<p>caf\xe9</p>".encode("latin-1")))
    assert _serve(file_response(latin))[1]["content-type"] == "text/html"  # not claimed to be UTF-8
    monkeypatch.setattr(web_app, "MAX_GUNZIP", 1000)
    status, headers, body = _serve(file_response(source))
    assert status == 200 and body == source.read_bytes()  # too big unpacked: the .gz itself, to download
    assert headers["content-type"] == "application/gzip" and headers["content-disposition"].startswith("attachment")
    assert not list(temporary.iterdir())  # the unpacked copies are gone once sent


def test_text_fragment_links_escape_the_fragment_syntax(settings, hostile_id):
    with Library(settings) as library:
        record = library.catalog.document(hostile_id)
        passage = library.catalog.passage(f"{hostile_id}-1")
    passage = dataclasses.replace(passage, text="End-to-end encryption, A&B -- safety first today")
    link = source_link(settings, record, passage)
    fragment = link["url"].split("#:~:text=", 1)[1]
    assert fragment == "End%2Dto%2Dend%20encryption%2C%20A%26B%20%2D%2D%20safety%20first"  # six words
    assert not set(fragment) & set("-,&")


# -- exports ----------------------------------------------------------------------------------------


def export(client, ids, export_format, **extra):
    return client.post("/export", data={"csrf": csrf_of(client), "ids": ",".join(ids), "format": export_format, **extra})


IDS = [f"{THREAT}-4", "ad81146dfa21-3", "e367c23fb770-5"]


def test_exports_parse_in_every_format(client):
    bib = export(client, IDS, "bibtex")
    assert bib.status_code == 200
    assert re.fullmatch(r'attachment; filename="evidex-3-passages-\d{4}-\d{2}-\d{2}\.bib"', bib.headers["content-disposition"])
    entries = bibtexparser.parse_string(bib.text).entries
    assert [e.key for e in entries] == ["northbridge2025online-p4", "ferreira2025sextortion-p3", "harbour2023review-p5"]

    ris = export(client, IDS, "ris")
    assert ris.headers["content-disposition"].endswith('.ris"')
    assert len(rispy.loads(ris.text)) == 3

    csl = export(client, IDS, "csl-json")
    assert [item["id"] for item in json.loads(csl.text)] == [e.key for e in entries]

    rows = list(csv.DictReader(io.StringIO(export(client, IDS, "csv").text)))
    assert [r["passage_id"] for r in rows] == IDS and rows[0]["locator"] == "p. iii"

    md = export(client, IDS, "markdown", style="chicago")
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# Evidence") and md.text.count("> — ") == 3 and "## References" in md.text


def test_exports_equal_the_cli_exporters(client, index):
    with Library(Settings(index_dir=index)) as library:
        ids = [p.id for r in library.catalog.documents() for p in library.catalog.document_passages(r.id)]
    for export_format in ("csl-json", "ris", "csv"):
        cli = Evidex()("--index", index, "export", "--passages", "--format", export_format)
        web = export(client, ids, export_format)
        assert web.text == cli.output, export_format


def test_export_needs_the_csrf_token(client):
    data = {"ids": ",".join(IDS), "format": "bibtex"}
    assert client.post("/export", data=data).status_code == 403
    csrf_of(client)
    assert client.post("/export", data={**data, "csrf": "forged-token-forged-token"}).status_code == 403
    client.cookies.clear()
    assert client.post("/export", data={**data, "csrf": "x" * 32}).status_code == 403


def test_an_export_cut_to_the_limit_says_so(client, monkeypatch):
    assert "at most 2000 passages" in client.get("/collect").text
    assert "x-evidex-export-cut" not in export(client, IDS, "ris").headers
    monkeypatch.setattr(web_app, "MAX_EXPORT", 2)
    cut = export(client, IDS, "ris")
    assert cut.status_code == 200 and len(rispy.loads(cut.text)) == 2
    assert cut.headers["x-evidex-export-cut"] == "the first 2 of 3 passages (the limit of one export)"


def test_export_rejects_nonsense(client):
    assert export(client, IDS, "docx").status_code == 400
    assert export(client, ["../../etc/passwd"], "bibtex").status_code == 400
    assert export(client, ["ffffffffffff-1"], "bibtex").status_code == 404
    huge = client.post("/export", data={"csrf": csrf_of(client), "ids": "a" * (2 * 1024 * 1024), "format": "ris"})
    assert huge.status_code == 413


# -- safety ---------------------------------------------------------------------------------------


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "<script>" not in response.text.replace('<script src="/static/app.js" defer></script>', "")


def test_only_localhost_names_on_loopback(client):
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 421
    assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200
    assert client.get("/", headers={"host": "[::1]:8765"}).status_code == 200
    for host in ("localhost:8799@evil", "localhost:anything", "localhost:8765/x", "127.0.0.1:99999",
                 "localhost@attacker.example", "[::1", "localhost:8765#x"):
        assert client.get("/", headers={"host": host}).status_code == 421, host


@pytest.mark.parametrize("host, base", [("127.0.0.2", "http://127.0.0.2:8765"), ("::1", "http://[::1]:8765"),
                                        ("0:0:0:0:0:0:0:1", "http://[::1]:8765")])
def test_the_bound_loopback_address_is_answered(settings, host, base):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(settings, host=host), base_url=base) as c:
            assert c.get("/").status_code == 200
            assert c.get("/", headers={"host": "attacker.example"}).status_code == 421
            assert c.get("/", headers={"host": "127.0.0.3:8765"}).status_code == 421


def test_csrf_cookie_is_lax_and_cookies_are_per_port(settings):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as a, \
                TestClient(create_app(settings), base_url="http://127.0.0.1:8766") as b:
            first = a.get("/collect")
            cookie = first.headers["set-cookie"]
            assert cookie.startswith("evidex_csrf_8765=") and "SameSite=Lax" in cookie and "HttpOnly" in cookie
            b.get("/collect")
            assert "evidex_csrf_8766" in b.cookies and "evidex_csrf_8765" not in b.cookies
            # The CSRF token of the server on 8765 does not open an export on 8766.
            token = a.cookies["evidex_csrf_8765"]
            b.cookies.clear()
            b.cookies.set("evidex_csrf_8765", token)
            data = {"csrf": token, "ids": ",".join(IDS), "format": "ris"}
            assert b.post("/export", data=data).status_code == 403
            assert a.post("/export", data=data).status_code == 200  # a's own cookie still works
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(settings, host="0.0.0.0", token="t" * 32), base_url="http://192.168.1.5:9001") as c:
            entered = c.get("/", params={"token": "t" * 32}, follow_redirects=False)
            assert entered.headers["set-cookie"].startswith("evidex_token_9001=")


def test_websockets_never_reach_the_app():
    reached = []

    async def app(scope, receive, send):
        reached.append(scope["type"])

    guard = Guard(app, token="secret-token-secret-token", allowed_hosts=("localhost",), max_body=10, max_upload=10)
    sent = []

    async def receive():
        return {"type": "websocket.connect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "websocket", "path": "/", "query_string": b"", "headers": [(b"host", b"attacker.example")]}
    asyncio.run(guard(scope, receive, send))
    assert reached == [] and sent == [{"type": "websocket.close", "code": 1008}]
    with pytest.raises(RuntimeError):
        asyncio.run(guard({"type": "webtransport", "path": "/", "headers": []}, receive, send))
    assert reached == []
    asyncio.run(guard({"type": "lifespan"}, receive, send))
    assert reached == ["lifespan"]


def test_errors_have_their_own_titles(client):
    wrong = client.get("/export")
    assert wrong.status_code == 405 and "Method not allowed" in wrong.text and wrong.headers["allow"] == "POST"
    assert "Not found" in client.get("/nowhere").text


def test_token_required_off_loopback(settings):
    assert resolve_token("127.0.0.1", None) is None and is_loopback("::1") and is_loopback("localhost")
    token = resolve_token("0.0.0.0", None)
    assert token and len(token) >= 24 and not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        app = create_app(settings, host="0.0.0.0", token=token)
        with TestClient(app, base_url="http://192.168.1.5:8765") as c:
            for path in ("/", "/search?q=sextortion", "/api/search?q=sextortion", f"/doc/{THREAT}/source", "/static/app.css"):
                assert c.get(path).status_code == 401, path
            assert c.get("/", params={"token": "wrong"}).status_code == 401
            assert c.get("/api/search?q=x", headers={"Authorization": f"Bearer {token}"}).status_code == 200
            entered = c.get("/search", params={"q": "sextortion", "token": token}, follow_redirects=False)
            assert entered.status_code == 303 and entered.headers["location"] == "/search?q=sextortion"
            assert c.get("/search?q=sextortion").status_code == 200  # the cookie carries it now
            for path in ("//evil.example/", "/%2F%2Fevil.example/"):  # the redirect never leaves the site
                location = c.get(path, params={"token": token}, follow_redirects=False).headers["location"]
                assert location.startswith("/") and not location.startswith("//"), location


def test_hostile_text_is_escaped_everywhere(client, hostile_id):
    pages = [
        client.get("/"),
        client.get("/search", params={"q": "sextortion scams aimed at teenagers"}),
        client.get("/search", params={"q": "alert"}),
        client.get(f"/doc/{hostile_id}"),
        client.get(f"/passage/{hostile_id}-1", params={"q": "script"}),
        client.get(f"/passage/{hostile_id}-1"),
    ]
    for page in pages:
        assert page.status_code == 200, page.url
        html = page.text
        assert SCRIPT not in html and IMG not in html and "<img" not in html, page.url
        assert 'href="javascript:' not in html.lower() and "onerror=alert(1)>" not in html
        assert "onerror=alert(1)" not in re.sub(r"&lt;img src=x onerror=alert\(1\)&gt;", "", html), page.url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[3].text
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages[4].text
    hit = api(client, q='"sextortion scams aimed at teenagers"')["hits"][0]
    assert hit["title"] == HOSTILE_TITLE  # the JSON keeps the text as it is
    assert client.get("/api/search", params={"q": "alert"}).headers["content-type"].startswith("application/json")


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser would read them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_hostile_metadata_stays_text_in_every_place(client):
    with Library(Settings(index_dir=client.app.state.web.settings.index_dir)) as library:
        docs = {r.id: r for r in library.catalog.documents() if "hostile-records" in r.source or "hostile-meta" in r.source}
    assert len(docs) == 2 and EVIL_SITE.title() in {r.site_name for r in docs.values()}  # trafilatura title-cases it
    evil_id = next(i for i, r in docs.items() if r.publisher == EVIL_PUBLISHER)
    pages = {
        "results": client.get("/search", params={"q": MARKER}),
        "filtered": client.get("/search", params={"q": MARKER, "publisher": EVIL_PUBLISHER}),
        "error": client.get("/search", params={"q": MARKER, "publisher": EVIL_PUBLISHER, "year": "20x4"}),
        "home": client.get("/"),
        **{f"doc {i}": client.get(f"/doc/{i}") for i in docs},
        **{f"passage {i}": client.get(f"/passage/{i}-1", params={"q": MARKER}) for i in docs},
    }
    for name, page in pages.items():
        assert page.status_code in (200, 400), name
        tags = _Tags(page.text).tags
        assert not [t for t, _ in tags if t in ("img", "svg")], name
        for tag, attrs in tags:
            assert not [a for a in attrs if a.startswith("on") or a == "data-x" or (a == "src" and tag != "script")], (name, tag, attrs)
        lowered = page.text.lower()
        assert "<img" not in lowered and "<svg" not in lowered and "onerror=alert(2)>" not in lowered, name
    # The markup arrives as the very text it was, inside the attributes and as text.
    results = _Tags(pages["results"].text).tags
    collect = next(a for t, a in results if t == "button" and a.get("class") == "collect" and a["data-id"].startswith(evil_id))
    assert collect["data-title"] == EVIL_TITLE and EVIL_AUTHOR in collect["data-citation"]
    copy = next(a for t, a in results if t == "button" and a.get("class") == "copy" and a["data-id"].startswith(evil_id))
    assert EVIL_AUTHOR in copy["data-short"]
    facet = re.search(r'data-facet="publisher">(.*?)</section>', pages["results"].text, re.S).group(1)
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt; data-x=&#39;" in facet
    for name in ("filtered", "error"):
        html = pages[name].text
        hidden = [a for t, a in _Tags(html).tags if t == "input" and a.get("name") == "publisher"]
        assert [a["value"] for a in hidden] == [EVIL_PUBLISHER], name
        chips = re.search(r'<ul class="chips">(.*?)</ul>', html, re.S).group(1)
        assert "publisher: &#34;&gt;&lt;img src=x onerror=alert(2)&gt; data-x=&#39; ✕" in chips, name
    assert "&#34;&gt;&lt;Svg Onload=Alert(3)&gt;" in pages[f"doc {next(i for i in docs if i != evil_id)}"].text


def test_no_library_gives_a_helpful_page(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(Settings(index_dir=tmp_path / "none")), base_url=BASE) as c:
            for path in ("/", "/search?q=x", "/search?q=x&publisher=a&year=20x4", f"/doc/{THREAT}",
                         f"/doc/{THREAT}/source", f"/passage/{THREAT}-4"):
                page = c.get(path)
                assert page.status_code == 503, path
                assert "No library yet" in page.text and "evidex --index" in page.text and "ingest" in page.text, path
            assert c.get("/api/search?q=x").status_code == 503
            assert c.get(f"/api/cite/{THREAT}-4").status_code == 503
            assert not (tmp_path / "none").exists()  # nothing was created
