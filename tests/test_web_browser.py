"""evidex serve in a real browser: Debian's chromium driven by Playwright, against a real
`evidex serve` process over the corpus and a hostile article."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from _web_library import SCRIPT, build_library
from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required under CI)")
    pytest.skip(reason)


_require(CHROMIUM.exists(), f"no browser at {CHROMIUM}: apt-get install chromium")
try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover
    _require(False, "playwright is not installed: pip install -e '.[test]'")

import bibtexparser  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    index = build_library(tmp_path_factory.mktemp("browser"))
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "evidex", "--index", str(index), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"evidex serve did not start: {process.stdout.read()}")
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def test_search_filter_read_collect_and_export(server, page, tmp_path):
    page.goto(server + "/")
    page.fill(".bigsearch input[name=q]", "sextortion")
    page.press(".bigsearch input[name=q]", "Enter")
    expect(page.locator("li.hit").first).to_be_visible()
    assert page.locator("li.hit").count() == 10
    expect(page.locator("mark").first).to_have_text("sextortion", ignore_case=True)

    # Filter by a theme: every hit carries it, and the filter shows as a removable chip.
    page.locator('[data-facet="theme"] a', has_text="Prevention").click()
    page.wait_for_url("**theme=prevention**")
    hits = page.locator("li.hit")
    assert hits.count() > 0
    for i in range(hits.count()):
        expect(hits.nth(i).locator(".tags")).to_contain_text("Prevention")
    expect(page.locator(".chips")).to_contain_text("theme: Prevention")

    # Collect two passages (of the corpus, not the one-passage hostile article); the basket
    # survives navigation.
    hits = hits.filter(has_not_text="Sextortion warning")
    first_id = hits.nth(0).locator("button.collect").get_attribute("data-id")
    second_id = hits.nth(1).locator("button.collect").get_attribute("data-id")
    hits.nth(0).locator("button.collect").click()
    hits.nth(1).locator("button.collect").click()
    expect(page.locator("#basket-count")).to_have_text("2")
    expect(hits.nth(0).locator("button.collect")).to_have_text("Collected ✓")

    # Copy a citation in a style: the clipboard holds what the app says it copied.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.evaluate("navigator.clipboard.writeText('')")
    page.select_option("#cite-style", "apa")
    hits.nth(0).locator("button.copy").click()
    copied = hits.nth(0).locator("output.copied")
    expect(copied).to_contain_text("Copied: (")
    message = copied.text_content()
    assert message.startswith("Copied: ")
    clipboard = page.evaluate("navigator.clipboard.readText()")
    assert clipboard == message[len("Copied: "):]
    assert clipboard.startswith("(") and "\n" in clipboard  # the APA citation, then its reference

    # The passage in context, then its document.
    hits.nth(0).locator("a", has_text="In context").click()
    page.wait_for_url(f"**/passage/{first_id}**")
    expect(page.locator("article.current mark").first).to_be_visible()
    assert page.locator(".context").count() >= 1
    expect(page.locator(".cite-box")).to_contain_text("APA 7th")
    page.locator(".crumbs a").nth(1).click()
    page.wait_for_url("**/doc/*")
    expect(page.locator("table.meta-table").first).to_contain_text("title")
    expect(page.locator("#basket-count")).to_have_text("2")

    # Export the basket as BibTeX.
    page.goto(server + "/collect")
    expect(page.locator("#basket-list li")).to_have_count(2)
    page.select_option("#export-format", "bibtex")
    with page.expect_download() as info:
        page.click("#export-button")
    download = info.value
    assert download.suggested_filename.endswith(".bib")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    entries = bibtexparser.parse_string(saved.read_text(encoding="utf-8")).entries
    assert len(entries) == 2
    ordinals = {e.key.rsplit("-p", 1)[1] for e in entries}
    assert ordinals == {first_id.rsplit("-", 1)[1], second_id.rsplit("-", 1)[1]}

    # Removing from the basket works too.
    page.locator("#basket-list button.remove").first.click()
    expect(page.locator("#basket-list li")).to_have_count(1)
    assert page.dialogs == []
    _screenshot(page, server, tmp_path)


def test_hostile_article_shows_as_text_and_runs_nothing(server, page):
    page.goto(server + "/search?q=" + "sextortion%20warning")
    hostile = page.locator("li.hit", has_text="Sextortion warning").first
    expect(hostile.locator("h2")).to_have_text("Sextortion warning " + SCRIPT)
    expect(hostile.locator(".snippet")).to_contain_text(SCRIPT)
    hostile.locator("button.collect").click()
    doc_url = hostile.locator("h2 a").get_attribute("href")
    passage_url = hostile.locator("a", has_text="In context").get_attribute("href")
    for url in (doc_url, passage_url, "/collect", doc_url + "/source", "/"):
        page.goto(server + url)
        page.wait_for_load_state("load")
    page.goto(server + passage_url)
    expect(page.locator("article.current .text")).to_contain_text("<img src=x onerror=alert(1)>")
    page.goto(server + "/collect")
    expect(page.locator("#basket-list")).to_contain_text(SCRIPT)
    page.wait_for_timeout(200)
    assert page.dialogs == []
    assert page.evaluate("document.querySelectorAll('img').length") == 0


def _screenshot(page, server: str, tmp_path: Path) -> None:
    """A results page with a filter, a collected passage and a copied citation: always to the
    test's directory; to docs/serve.png (the README's picture) with EVIDEX_SCREENSHOT=1."""
    page.goto(server + '/search?q=%22end-to-end+encryption%22+detection&theme=encryption')
    first = page.locator("li.hit").first
    first.locator("button.collect").click()
    page.select_option("#cite-style", "harvard")
    first.locator("button.copy").click()
    expect(first.locator("output.copied")).to_contain_text("(")
    page.evaluate("window.scrollTo(0, 0)")
    shot = tmp_path / "serve.png"
    page.screenshot(path=str(shot))
    if os.environ.get("EVIDEX_SCREENSHOT") == "1":
        target = ROOT / "docs" / "serve.png"
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, target)
