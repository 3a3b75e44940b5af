"""Ingesting URLs from a real HTTP server on 127.0.0.1: good pages are fetched, snapshotted and
cited with their URL; every kind of fetch failure gets one clear line and the batch goes on."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fpdf import FPDF

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

SLOW_SECONDS = 5.0  # how long the slow handlers stall (the fetch timeout under test is 1 s)
BIG = 200_000  # bytes served by the "too large" handlers (the cap under test is 1000)

PDF_WORD = "fenwright"
FALLBACK_ARTICLE_WORD = "quillwort"

PARAGRAPHS = [
    "The regional safeguarding board reviewed how schools respond when a pupil reports that an "
    "intimate image has been shared without consent. Staff said the first hour matters most: the "
    "pupil needs to hear that they are not in trouble, and the image must not be copied or forwarded "
    "by adults trying to help.",
    "Headteachers asked for clearer guidance on when to involve the police and when a referral to "
    "children's social care is enough. The board agreed to publish short scenarios with model answers "
    "and to review the results after one school year.",
]


# -- the server -------------------------------------------------------------------------------


@dataclass
class Route:
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    send_length: bool = True
    stall_before_headers: bool = False
    stall_mid_body: bool = False


@dataclass
class Server:
    base: str
    routes: dict[str, Route]
    seen: list[tuple[str, str]] = field(default_factory=list)  # (path, User-Agent)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path


class _Handler(BaseHTTPRequestHandler):
    server_version = "EvidexTestServer/1"

    def log_message(self, format, *args):  # keep test output clean
        pass

    def do_GET(self):
        state: Server = self.server.state
        stop: threading.Event = self.server.stop
        with state.lock:
            state.seen.append((self.path, self.headers.get("User-Agent", "")))
        route = state.routes.get(self.path)
        if route is None:
            route = Route(status=404, body=b"<html><body><h1>Not found</h1></body></html>")
        if route.stall_before_headers:
            stop.wait(SLOW_SECONDS)
            if stop.is_set():
                return
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        if route.send_length:
            self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        try:
            if route.stall_mid_body:
                self.wfile.write(route.body[: len(route.body) // 2])
                self.wfile.flush()
                stop.wait(SLOW_SECONDS)
                return
            if route.send_length:
                self.wfile.write(route.body)
            else:  # no length: the body ends when the connection closes
                for start in range(0, len(route.body), 8192):
                    self.wfile.write(route.body[start : start + 8192])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should past its cap


@pytest.fixture
def article_html() -> tuple[bytes, str]:
    """A real article page (the corpus's, or a generated one) and a word from its text."""
    path = CORPUS / "sextortion-teenage-boys.html"
    if path.is_file() and b"flirtatious" in path.read_bytes():
        return path.read_bytes(), "flirtatious"
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + f"<p>The {FALLBACK_ARTICLE_WORD} protocol sets out who is told.</p>"
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Safeguarding review | Board news</title>"
        "<meta name='author' content='Ada Example'><meta property='og:site_name' content='Board news'></head><body>"
        "<nav><a href='/'>Home</a></nav>"
        f"<main><article><h1>Safeguarding review</h1>{body}</article></main></body></html>"
    )
    return page.encode("utf-8"), FALLBACK_ARTICLE_WORD


@pytest.fixture
def report_pdf(tmp_path) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title("Safeguarding Board Annual Report")
    pdf.set_author("Safeguarding Board")
    for number in (1, 2):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        for paragraph in PARAGRAPHS:
            pdf.multi_cell(0, 6, paragraph)
            pdf.ln(3)
        pdf.multi_cell(0, 6, f"Page {number} records the {PDF_WORD} review of the board's own procedures.")
    return bytes(pdf.output())


@pytest.fixture
def small_note() -> tuple[bytes, str]:
    text = (
        "Notes from the safeguarding board. The larchmoor checklist was agreed: schools record who was "
        "told, when, and what support the pupil was offered. Parents are contacted the same day.\n"
    )
    assert len(text.encode()) < 1000
    return text.encode("utf-8"), "larchmoor"


@pytest.fixture
def server(article_html, report_pdf, small_note):
    """A real HTTP server on 127.0.0.1 in a background thread, shut down after the test."""
    big_page = b"<!DOCTYPE html><html><body>" + b"<p>" + b"padding text " * (BIG // 13) + b"</p></body></html>"
    routes = {
        "/articles/sextortion.html": Route(body=article_html[0]),
        "/reports/annual-report.pdf": Route(content_type="application/pdf", body=report_pdf),
        "/notes/board-notes.txt": Route(content_type="text/plain; charset=utf-8", body=small_note[0]),
        "/gone/old-page.html": Route(status=404, body=b"<html><body><h1>Not found</h1></body></html>"),
        "/slow/stalls-before-headers.html": Route(body=article_html[0], stall_before_headers=True),
        "/slow/stalls-mid-body.html": Route(body=article_html[0], stall_mid_body=True),
        "/big/with-length.html": Route(body=big_page),
        "/big/without-length.html": Route(body=big_page, send_length=False),
    }
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    host, port = httpd.server_address[:2]
    httpd.state = Server(base=f"http://{host}:{port}", routes=routes)
    httpd.stop = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd.state
    finally:
        httpd.stop.set()  # release stalled handlers
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def refused_url() -> str:
    """A URL on a port nothing listens on: bound, then closed."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/report.html"


# -- helpers -----------------------------------------------------------------------------------


def lines_naming(output: str, name: str) -> list[str]:
    return [line for line in output.splitlines() if name in line]


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("Error:", "Warning:"))]


def summary(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("Ingested ")]
    assert len(lines) == 1, output
    return lines[0]


def assert_one_error(output: str, url: str, cause: str) -> None:
    named = lines_naming(output, url)
    assert len(named) == 1, f"expected one line naming {url}:\n{output}"
    assert named[0].startswith(f"Error: {url}: "), named[0]
    assert cause in named[0], f"{cause!r} not in {named[0]!r}"
    assert "Traceback" not in output and "unexpected error" not in output, output


def docs_json(evidex) -> list[dict]:
    return json.loads(evidex("docs", "--format", "json").stdout)


def record_for(evidex, url: str) -> dict:
    records = [d for d in docs_json(evidex) if url in d["sources"]]
    assert len(records) == 1, f"{url} not in evidex docs"
    return records[0]


def assert_snapshot(index_dir: Path, record: dict, served: bytes) -> None:
    snapshot = record["snapshot"]
    assert snapshot, record
    path = index_dir / snapshot
    assert path.parent == index_dir / "snapshots", snapshot
    assert path.is_file() and path.read_bytes() == served


def assert_retrieved_now(record: dict) -> None:
    retrieved = datetime.fromisoformat(record["retrieved_at"])
    assert retrieved.tzinfo is not None
    assert abs((datetime.now(retrieved.tzinfo) - retrieved).total_seconds()) < 600


# -- tests -------------------------------------------------------------------------------------


def test_good_urls_and_fetch_failures_in_one_batch(evidex, server, refused_url, index_dir, article_html, report_pdf):
    article = server.url("/articles/sextortion.html")
    pdf = server.url("/reports/annual-report.pdf")
    failures = {
        server.url("/gone/old-page.html"): "HTTP 404",
        server.url("/slow/stalls-before-headers.html"): "timed out",
        server.url("/slow/stalls-mid-body.html"): "timed out",
        refused_url: "connection refused",
    }
    bad = list(failures)
    urls = [bad[0], bad[1], article, bad[2], bad[3], pdf]  # good and bad interleaved

    result = evidex("ingest", "--jobs", "2", "--fetch-timeout", "1", *urls, ok=False)

    assert result.exit_code == 1
    for url, cause in failures.items():
        assert_one_error(result.output, url, cause)
    assert len(error_lines(result.output)) == len(failures), result.output
    assert summary(result.output).startswith("Ingested 2 ") and f"failed {len(failures)}" in summary(result.output)

    html_record = record_for(evidex, article)
    assert html_record["kind"] == "html" and html_record["url"] == article
    assert_retrieved_now(html_record)
    assert_snapshot(index_dir, html_record, article_html[0])

    pdf_record = record_for(evidex, pdf)
    assert pdf_record["kind"] == "pdf" and pdf_record["url"] == pdf
    assert_retrieved_now(pdf_record)
    assert_snapshot(index_dir, pdf_record, report_pdf)
    assert pdf_record["snapshot"].endswith(".pdf") and html_record["snapshot"].endswith(".html")

    assert len(docs_json(evidex)) == 2

    hits = json.loads(evidex("search", article_html[1], "--format", "json").stdout)
    web_hits = [h for h in hits if h["doc_id"] == html_record["id"]]
    assert web_hits, f"search {article_html[1]!r} does not find the fetched article"
    citation = web_hits[0]["citation"]
    assert article in citation and f"accessed {html_record['retrieved_at'][:10]}" in citation, citation
    assert web_hits[0]["url"] == article

    pdf_hits = json.loads(evidex("search", PDF_WORD, "--format", "json").stdout)
    assert any(h["doc_id"] == pdf_record["id"] for h in pdf_hits)

    # The server saw evidex's User-Agent on every request.
    requested = {path for path, _ in server.seen}
    assert {"/articles/sextortion.html", "/reports/annual-report.pdf", "/gone/old-page.html"} <= requested
    for path, agent in server.seen:
        assert agent.startswith("evidex/"), (path, agent)


def test_responses_over_the_size_cap_are_refused(evidex, server, small_note):
    note = server.url("/notes/board-notes.txt")
    with_length = server.url("/big/with-length.html")
    without_length = server.url("/big/without-length.html")

    result = evidex("ingest", "--jobs", "2", "--max-bytes", "1000", with_length, note, without_length, ok=False)

    assert result.exit_code == 1
    assert_one_error(result.output, with_length, "too large")
    assert_one_error(result.output, without_length, "too large")
    assert "--max-bytes" in lines_naming(result.output, with_length)[0]
    assert len(error_lines(result.output)) == 2
    assert summary(result.output).startswith("Ingested 1 ") and "failed 2" in summary(result.output)

    record = record_for(evidex, note)
    assert record["kind"] == "text" and record["retrieved_at"]
    hits = json.loads(evidex("search", small_note[1], "--format", "json").stdout)
    assert [h["doc_id"] for h in hits] == [record["id"]]
    assert len(docs_json(evidex)) == 1
    for path, agent in server.seen:
        assert agent.startswith("evidex/"), (path, agent)


def test_fetching_the_same_urls_again_adds_no_duplicates(evidex, server, index_dir, article_html):
    article = server.url("/articles/sextortion.html")
    pdf = server.url("/reports/annual-report.pdf")
    evidex("ingest", "--jobs", "2", article, pdf)
    before = {d["id"]: d for d in docs_json(evidex)}
    assert len(before) == 2

    again = evidex("ingest", "--jobs", "2", article, pdf)
    assert error_lines(again.output) == []
    after = {d["id"]: d for d in docs_json(evidex)}
    assert after.keys() == before.keys()
    for doc_id, record in after.items():
        assert record["passage_count"] == before[doc_id]["passage_count"]
        assert record["sources"] == before[doc_id]["sources"]
    assert len(list((index_dir / "snapshots").iterdir())) == 2
    hits = json.loads(evidex("search", article_html[1], "--format", "json", "--limit", "50").stdout)
    assert len({h["passage_id"] for h in hits}) == len(hits)
    assert len({h["doc_id"] for h in hits}) == 1


def test_removing_a_web_document_removes_its_snapshot(evidex, server, index_dir):
    article = server.url("/articles/sextortion.html")
    evidex("ingest", article)
    record = record_for(evidex, article)
    snapshot = index_dir / record["snapshot"]
    assert snapshot.is_file()
    evidex("remove", article)
    assert not snapshot.exists()
    assert docs_json(evidex) == []
