"""A library for the web tests: the sample corpus plus a hostile web article and hostile
metadata (author, publisher, site name that try to break out of an attribute or open a tag)."""

from __future__ import annotations

import json
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

# Metadata that tries to close an attribute ("> and '>) and open a tag. Its documents hold the
# word MARKER, so a search finds them and nothing else.
MARKER = "quokkamarker"
EVIL_AUTHOR = """'"><img src=x onerror=alert(2)>"""
EVIL_PUBLISHER = """"><img src=x onerror=alert(2)> data-x='"""
EVIL_SITE = """"><svg onload=alert(3)>"""
EVIL_TITLE = """Field notes "><img src=x onerror=alert(2)>"""
EVIL_MARKUP = ("<img", "<svg", "onerror=alert(2)>", "onload=alert(3)>", '"><', "'><")
HOSTILE_RECORD = {"id": "evil-1", "title": EVIL_TITLE, "author": EVIL_AUTHOR, "publisher": EVIL_PUBLISHER,
                  "date": "2024-05-01", "url": "https://evil.example/notes", "kind": "html",
                  "text": f"The {MARKER} field notes describe how volunteers keep a garden tidy through the winter."}
HOSTILE_META_HTML = f"""<!doctype html>
<html><head><title>Garden diary</title>
<meta name="author" content="{EVIL_AUTHOR.replace('"', '&quot;').replace('<', '&lt;').replace('>', '&gt;')}">
<meta property="og:site_name" content="{EVIL_SITE.replace('"', '&quot;').replace('<', '&lt;').replace('>', '&gt;')}">
<meta property="og:title" content="Garden diary">
</head><body><article>
<h1>Garden diary</h1>
<p>The {MARKER} garden diary records which plants survived the frost and which did not, week by
week, so that the next season can be planned with care and the seeds ordered in good time.</p>
<p>Volunteers met every Saturday morning to water, weed and label the beds along the old wall,
and the diary keeps their notes on the weather and the soil as they wrote them.</p>
</article></body></html>
"""


def build_library(root: Path) -> Path:
    """Ingest the corpus and the hostile article into root/index; returns the index directory."""
    hostile = root / "hostile"
    hostile.mkdir(parents=True, exist_ok=True)
    (hostile / "hostile-article.html").write_text(HOSTILE_HTML, encoding="utf-8")
    (hostile / "hostile-meta.html").write_text(HOSTILE_META_HTML, encoding="utf-8")
    (hostile / "hostile-records.jsonl").write_text(json.dumps(HOSTILE_RECORD) + "\n", encoding="utf-8")
    index = root / "index"
    evidex = Evidex()
    evidex("--index", index, "ingest", "-q", CORPUS, hostile)
    return index
