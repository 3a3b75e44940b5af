"""A library for the web tests: the sample corpus plus a hostile web article."""

from __future__ import annotations

from pathlib import Path

from conftest import CORPUS, Evidex

HOSTILE_TITLE = "Sextortion warning <script>alert(1)</script>"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"

# Real script and handlers (extraction must drop them) and the same markup as text (it must
# reach the pages as text, escaped).
HOSTILE_HTML = """<!doctype html>
<html><head><title>Sextortion warning &lt;script&gt;alert(1)&lt;/script&gt;</title>
<link rel="canonical" href="javascript:alert(1)">
<script>alert("head")</script>
</head><body><article>
<h1>Sextortion warning &lt;script&gt;alert(1)&lt;/script&gt;</h1>
<script>alert("body")</script>
<p>Sextortion scams aimed at teenagers keep growing, and this page checks that a hostile page cannot
run code: &lt;script&gt;alert(1)&lt;/script&gt; must show as text. Criminals threaten to share
intimate images unless a victim pays.</p>
<p>An image tag follows as text: &lt;img src=x onerror=alert(1)&gt; and the reader should see it
literally. Parents and schools can help children report sextortion early and get images taken down.</p>
<p>A <a href="javascript:alert(1)">javascript link</a> sits in this paragraph, <img src=x onerror=alert(1)>
and a real image with a handler too. Prevention means talking about online safety before anything
goes wrong.</p>
</article></body></html>
"""


def build_library(root: Path) -> Path:
    """Ingest the corpus and the hostile article into root/index; returns the index directory."""
    hostile = root / "hostile"
    hostile.mkdir(parents=True, exist_ok=True)
    (hostile / "hostile-article.html").write_text(HOSTILE_HTML, encoding="utf-8")
    index = root / "index"
    evidex = Evidex()
    evidex("--index", index, "ingest", "-q", CORPUS, hostile)
    return index
