"""evidex serve, through Starlette's TestClient over a real library (the corpus and a hostile
article): search, facets, filters, pages, source files, exports, and the safety rules."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import warnings

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

import bibtexparser  # noqa: E402
import rispy  # noqa: E402
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's TestClient now prefers httpx2 over httpx
    from starlette.testclient import TestClient  # noqa: E402

from _web_library import HOSTILE_TITLE, IMG, SCRIPT, build_library  # noqa: E402
from conftest import Evidex  # noqa: E402
from evidex.config import Settings  # noqa: E402
from evidex.library import Library  # noqa: E402
from evidex.web import create_app, is_loopback, resolve_token  # noqa: E402
from evidex.web.app import source_file  # noqa: E402

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
        return next(r.id for r in library.catalog.documents() if "hostile" in r.source)


def csrf_of(client) -> str:
    client.get("/collect")
    return client.cookies["evidex_csrf"]


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
    # Past the last page: no hits, no error.
    assert client.get("/search", params={"q": "children", "page": 999}).status_code == 200


def test_bad_queries_and_filters_are_explained(client):
    page = client.get("/search", params={"q": '"end-to-end encryption'})
    assert page.status_code == 400
    assert "this quote is never closed" in page.text and "^" in page.text
    assert client.get("/search", params={"q": "x", "theme": "nonsense"}).status_code == 400
    assert client.get("/search", params={"q": "x", "year": "20x4"}).status_code == 400
    assert client.get("/search", params={"q": "x", "kind": "exe"}).status_code == 400
    bad = client.get("/api/search", params={"q": "(unclosed"})
    assert bad.status_code == 400 and "error" in bad.json()
    assert client.get("/search", follow_redirects=False).status_code == 303


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
        client.get("/search", params={"q": "sextortion warning"}),
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
    hit = api(client, q="sextortion warning")["hits"][0]
    assert hit["title"] == HOSTILE_TITLE  # the JSON keeps the text as it is
    assert client.get("/api/search", params={"q": "alert"}).headers["content-type"].startswith("application/json")


def test_no_library_gives_a_helpful_page(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(create_app(Settings(index_dir=tmp_path / "none")), base_url=BASE) as c:
            page = c.get("/")
            assert page.status_code == 503 and "evidex --index" in page.text and "ingest" in page.text
            assert c.get("/api/search?q=x").status_code == 503
