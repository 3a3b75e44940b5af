"""HTML extraction: trafilatura for article text and metadata, BeautifulSoup as the fallback."""

from __future__ import annotations

import re
import warnings

import trafilatura
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

from ..errors import NoTextError
from ..models import Document, Page
from . import _clean

_BLOCKS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "dd", "dt", "figcaption"]
_NOISE = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "iframe", "button"]
_MIN_ARTICLE_WORDS = 20  # below this, trafilatura's pick is probably a menu
_MIN_PAGE_WORDS = 10  # below this, the page has nothing to cite


def extract_html(data: bytes, source: str, sha256: str, url: str | None = None) -> Document:
    html = _decode(data)
    result = None
    try:
        result = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_formatting=False,
            deduplicate=False,
        )
    except Exception:  # trafilatura can fail on odd markup; the fallback below still tries
        result = None
    meta = _trafilatura_metadata(result)
    paragraphs = _paragraphs(getattr(result, "text", None) or "")
    extractor = f"trafilatura {trafilatura.__version__}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML pages parse fine as HTML
        soup = BeautifulSoup(html, "lxml")
    meta["title"] = headline(soup, meta.get("title"), meta.get("site_name"), getattr(result, "hostname", None))
    if sum(len(p.split()) for p in paragraphs) < _MIN_ARTICLE_WORDS:
        # Too little for an article: what trafilatura kept is probably a menu. Take what is
        # left once navigation, headers, footers and scripts are gone (possibly nothing).
        paragraphs = _soup_paragraphs(soup)
        extractor = "beautifulsoup4"
        for key, value in _soup_metadata(soup).items():
            meta.setdefault(key, value)
    words = sum(len(p.split()) for p in paragraphs)
    if words < _MIN_PAGE_WORDS:
        detail = f" (only {words} words outside menus and scripts)" if words else ""
        raise NoTextError(source, f"no readable text in this HTML page{detail}")
    guessed = set()
    if not meta.get("title"):
        meta["title"] = paragraphs[0][:150]
        guessed.add("title")
    if not meta.get("author"):
        guessed.add("author")
    if not meta.get("date"):
        guessed.add("date")
    return Document(
        kind="html",
        source=source,
        sha256=sha256,
        pages=(Page(index=1, label=None, text="\n\n".join(paragraphs)),),
        title=meta.get("title"),
        author=meta.get("author"),
        date=meta.get("date"),
        url=url or meta.get("url"),
        site_name=meta.get("site_name"),
        language=meta.get("language"),
        extractor=extractor.split()[0],
        extractor_version=trafilatura.__version__ if extractor.startswith("trafilatura") else _bs4_version(),
        guessed=frozenset(guessed),
    )


def _decode(data: bytes) -> str:
    head = data[:4096].decode("ascii", "ignore")
    match = re.search(r"charset=[\"']?([\w-]+)", head, re.IGNORECASE)
    encodings = [match.group(1)] if match else []
    for encoding in encodings + ["utf-8", "cp1252"]:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", "replace")


def _paragraphs(text: str) -> list[str]:
    text = _clean.normalise_characters(text)
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def _trafilatura_metadata(result) -> dict:
    if result is None:
        return {}
    meta = {
        "title": getattr(result, "title", None),
        "author": getattr(result, "author", None),
        "date": getattr(result, "date", None),
        "site_name": getattr(result, "sitename", None) or getattr(result, "hostname", None),
        "url": getattr(result, "url", None),
        "language": getattr(result, "language", None),
    }
    return {k: " ".join(str(v).split()) for k, v in meta.items() if v and str(v) != "None"}


_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|»|›|·|/|:)\s+")
_ARTICLE_ROOTS = re.compile(r"\b(?:post|entry|article|story|content|main)\b", re.IGNORECASE)


def _norm(text: str | None) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", (text or "").casefold()).split())


def _content_words(text: str | None) -> set[str]:
    return {w for w in _norm(text).split() if len(w) >= 4}


def headline(soup: BeautifulSoup, title: str | None, site_name: str | None, hostname: str | None) -> str | None:
    """The article's own headline.

    The page's title (og:title, else <title>, else what trafilatura found) without the site's
    name around it; where a heading on the page says the same, that heading's wording; and
    the article's main heading when the title is only the site or a one-word label.
    """
    site_forms = {f for f in (_norm(site_name), _norm(hostname), _norm((hostname or "").split(".")[0])) if f}

    def is_site(text: str) -> bool:
        n = _norm(text)
        return bool(n) and any(n == f or n in f or (len(f) > 3 and f in n and len(n) <= len(f) + 4) for f in site_forms)

    og = soup.find("meta", attrs={"property": "og:title"}) or soup.find("meta", attrs={"name": "og:title"})
    page_title = soup.title.get_text(" ") if soup.title else None
    raw = next((" ".join(t.split()) for t in ((og.get("content") if og else None), page_title, title) if t and t.strip()), None)
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(raw or "") if p.strip()]
    kept = [p for p in parts if not is_site(p)] or parts
    stripped = max(kept, key=len) if len(kept) < len(parts) else raw

    headings = []
    for level in ("h1", "h2", "h3"):
        for tag in soup.find_all(level):
            text = " ".join(tag.get_text(" ").split())
            if text and not is_site(text) and len(text) <= 200:
                in_article = any(
                    parent.name in ("article", "main") or _ARTICLE_ROOTS.search(" ".join(parent.get("class") or []) + " " + (parent.get("id") or ""))
                    for parent in tag.parents
                    if getattr(parent, "get", None)
                )
                headings.append((level, text, in_article))
    full, short = _norm(raw), _norm(stripped)
    for _level, text, _in_article in headings:
        n = _norm(text)
        if n and (n == short or (full and n in full and len(n) >= 0.5 * len(short or full))):
            return text  # the headline as the page prints it
    title_words = _content_words(stripped)

    def plausible(text: str) -> bool:
        # A heading that shares no word with a real page title is a label ("Read also:").
        return not text.rstrip().endswith(":") and (not title_words or bool(_content_words(text) & title_words))

    generic = not stripped or (len(stripped.split()) <= 1 and len(stripped) < 15) or is_site(stripped)
    if generic:
        article_h1 = [t for level, t, inside in headings if level == "h1" and inside and len(t.split()) >= 2]
        if article_h1:
            return article_h1[0]
    h1s = [t for level, t, _inside in headings if level == "h1"]
    if len(h1s) == 1 and len(h1s[0].split()) >= 3 and plausible(h1s[0]):
        return h1s[0]
    return stripped or title


def _soup_paragraphs(soup: BeautifulSoup) -> list[str]:
    for tag in soup(_NOISE):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    paragraphs = []
    blocks = root.find_all(_BLOCKS)
    for block in blocks:
        if block.find(_BLOCKS):  # the inner block will be taken on its own
            continue
        text = " ".join(_clean.normalise_characters(block.get_text(" ")).split())
        if text:
            paragraphs.append(text)
    if not paragraphs:
        text = _clean.normalise_characters(root.get_text("\n"))
        paragraphs = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    return paragraphs


def _soup_metadata(soup: BeautifulSoup) -> dict:
    meta = {}
    if soup.title and soup.title.string and soup.title.string.strip():
        meta["title"] = " ".join(soup.title.string.split())
    for name, key in (("author", "author"), ("og:site_name", "site_name"), ("article:published_time", "date")):
        tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if tag and tag.get("content"):
            meta[key] = tag["content"].strip()[: 10 if key == "date" else None]
    return meta


def _bs4_version() -> str:
    import bs4

    return bs4.__version__
