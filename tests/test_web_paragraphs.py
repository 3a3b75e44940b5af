"""Web articles are cited by paragraph: only the body's paragraphs are counted (issue 12).

The headline, a standfirst, the byline, captions, share and related boxes and newsletter
sign-ups are not paragraphs a reader would count, so a first body paragraph is "para. 1".
A standfirst stays searchable as an aside (cited by the page, never by paragraph).
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from evidex.extract import extract_path

# Pages of the AEB benchmark's development half (IDs 0-7, see benchmarks/articles.py) whose
# first body paragraph used to be numbered 2 or later: behind a headline, a reading-time line,
# a video headline...
AEB_PAGES = ["05844573", "23aaecd1", "65ce3a45", "70cb2d5b", "776a1c04", "7a664e40"]


def words(text: str) -> list[str]:
    text = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
    return re.findall(r"\w+", text.casefold())


@pytest.mark.shared
@pytest.mark.parametrize("prefix", AEB_PAGES)
def test_first_body_paragraph_of_a_real_news_page_is_paragraph_1(evidex, shared, prefix):
    folder = shared / "html-articles" / "aeb"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    (page_id,) = [i for i in truth if i.startswith(prefix)]
    body = [p for p in truth[page_id]["articleBody"].split("\n\n") if p.strip()]
    out = json.loads(evidex("extract", folder / "html" / f"{page_id}.html.gz", "--format", "json").stdout)
    blocks = [b for b in out["pages"][0]["text"].split("\n\n") if b.strip()]
    # The ground truth's first two paragraphs are evidex's paragraphs 1 and 2.
    for number in (1, 2):
        assert words(blocks[number - 1])[:8] == words(body[number - 1])[:8], (number, blocks[:3])
    # The headline is not among the paragraphs.
    headline = words(out["title"])
    assert all(words(b) != headline for b in blocks)


STANDFIRST = (
    "Three fishing towns are trying an inflatable barrier that rises with the tide, and engineers are watching the "
    "trial closely."
)
BODY = [
    "When the spring tide reached the northern quay of Port Ellery last month, a grey tube lying along the harbour wall "
    "filled with air and rose to the height of a man in under ten minutes. It was the first full test of the gullwhistle "
    "barrier, a flood defence that stays flat for most of the year.",
    "The town has flooded four times in the past decade. Each time, shops along the quay were closed for weeks and the "
    "fish market lost most of a season. A permanent wall was ruled out because it would cut the harbour off from the "
    "town it feeds.",
    "Engineers from the regional water board say the design borrows from river defences used inland. The tube is anchored "
    "to a concrete sill and inflated by pumps that start when sensors detect a surge, with a kelpmarrow valve that lets "
    "trapped water drain back to sea.",
    "Not everyone is convinced. Fishermen worry that the sill will catch nets and that the pumps, which run on mains "
    "power, could fail in exactly the storms the barrier is meant for. The board has promised diesel backups before "
    "the autumn.",
    "The other two towns will install their barriers over the summer. If the trial holds, the board plans to offer the "
    "design to a dozen more harbours along the coast within five years.",
]


def article_page() -> str:
    """A news page laid out as many are: headline, standfirst, byline and widgets in the same
    container as the story, so that an article extractor keeps some of them."""
    p = [f"<p>{text}</p>" for text in BODY]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour towns test a flood barrier that rises with the tide | Coastline Weekly</title>
<meta property="og:title" content="Harbour towns test a flood barrier that rises with the tide">
<meta property="og:site_name" content="Coastline Weekly">
<meta name="author" content="Mara Quillfeather">
</head><body>
<nav><ul><li><a href="/news/">News</a></li><li><a href="/environment/">Environment</a></li></ul></nav>
<div class="story">
  <p class="section-label">Environment</p>
  <h1>Harbour towns test a flood barrier that rises with the tide</h1>
  <h2 class="dek">{STANDFIRST}</h2>
  <div class="story-body">
    <p class="byline">By Mara Quillfeather, coastal affairs correspondent</p>
    <p>Updated 2 March 2024, 09:14</p>
    <figure><img src="barrier.jpg" alt="">
      <figcaption>The barrier inflated during a spring tide test at the northern quay.
        Photograph: Harbour Authority</figcaption></figure>
    <div class="social-share"><a href="/s/facebook">Share on Facebook</a> <a href="/s/email">Email this story</a></div>
    {p[0]}
    {p[1]}
    <p>Related: <a href="/news/sea-walls">Sea walls are getting taller all along the southern coast</a></p>
    {p[2]}
    <h3>More on flooding</h3>
    <ul><li><a href="/news/dykes">How inland dykes were rebuilt after the winter storms of last year</a></li>
      <li><a href="/news/insurance">Flood insurance premiums are rising fastest in coastal towns, brokers say</a></li></ul>
    {p[3]}
    <div class="newsletter-promo"><p>Sign up for the Coastline Weekly briefing and get our best coastal reporting
      in your inbox every Friday.</p></div>
    {p[4]}
  </div>
  <div class="author-bio"><p>Mara Quillfeather covers coastal affairs and the fishing industry for Coastline Weekly.</p></div>
</div>
<footer><p>Coastline Weekly, 4 Quay Street. All rights reserved.</p></footer>
</body></html>"""


FURNITURE = ["Environment", "Updated", "Share on Facebook", "Photograph", "Sea walls are getting taller", "More on flooding",
             "inland dykes", "Sign up for the Coastline Weekly", "fishing industry", "Quay Street"]


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "barrier.html"
    path.write_text(article_page(), encoding="utf-8")
    return path


def test_only_body_paragraphs_are_numbered_and_the_standfirst_is_an_aside(article):
    page = extract_path(article).pages[0]
    assert page.text.split("\n\n") == BODY
    assert page.asides == (STANDFIRST,)
    outside = "\n".join([page.text, *page.asides])
    assert "Harbour towns test a flood barrier" not in outside  # the headline
    assert "Quillfeather" not in outside and "2 March 2024" not in outside  # the byline
    for text in FURNITURE:
        assert text not in outside, text


def test_citations_count_body_paragraphs_and_the_standfirst_stays_searchable(evidex, article):
    evidex("ingest", "-q", article)
    first = json.loads(evidex("search", "gullwhistle", "--format", "json").stdout)
    assert first and first[0]["paragraph"] == 1 and first[0]["citation"].endswith("para. 1"), first[:1]
    third = json.loads(evidex("search", "kelpmarrow", "--format", "json").stdout)
    assert third and third[0]["paragraph"] == 3 and re.search(r"paras?\. 3(-\d+)?$", third[0]["citation"]), third[:1]
    standfirst = json.loads(evidex("search", "inflatable", "--format", "json").stdout)
    assert standfirst and "inflatable barrier" in standfirst[0]["text"]
    assert standfirst[0]["paragraph"] is None and "para" not in standfirst[0]["citation"]
