"""HTML extraction: trafilatura for article text and metadata, BeautifulSoup as the fallback."""

from __future__ import annotations

import html as html_lib
import json
import re
import warnings

import trafilatura
from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning

from ..errors import NoTextError
from ..models import Document, Page
from . import _article, _clean, _markup

_BLOCKS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "dd", "dt", "figcaption"]
_NOISE = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "iframe", "button"]
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
    extractor = f"trafilatura {trafilatura.__version__}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)  # XHTML pages parse fine as HTML
        soup = BeautifulSoup(html, "lxml")
    meta["title"] = headline(soup, meta.get("title"), meta.get("site_name"), getattr(result, "hostname", None))
    kept = _markup.paragraphs(getattr(result, "text", None) or "")
    body = getattr(result, "body", None)
    paragraphs, asides = kept, []
    if body is not None and kept:
        # Only the body's paragraphs are numbered: headline, byline and widgets go, a standfirst
        # becomes an aside.
        titles = [t for _s, t in _declared_titles(soup)]
        headlines = [meta["title"], *titles, *[_longest_part(t) for t in titles if _markup.word_count(_longest_part(t)) >= 3]]
        paragraphs, asides = _article.article_blocks(body, soup, headlines, meta.get("author"))
    if sum(len(p.split()) for p in kept) < _article.MIN_ARTICLE_WORDS:
        # Too little for an article: what trafilatura kept is probably a menu. Take what is
        # left once navigation, headers, footers and scripts are gone (possibly nothing).
        paragraphs, asides = _soup_paragraphs(soup), []
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
        pages=(Page(index=1, label=None, text="\n\n".join(paragraphs), asides=tuple(asides)),),
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


# A pipe never belongs to a headline, so it separates even without spaces ("SITE|Headline").
_TITLE_SEPARATORS = re.compile(r"\s+(?:-|–|—|::|»|›|·|/|:)\s+|\s*[|│]\s*")
# Wider than the site-name separators: a headline is often "Topic: Headline" in the metadata.
_PART_SEPARATORS = re.compile(r"\s+(?:-|–|—|::|»|›|·|•|/|:)\s+|\s*[|│]\s*|(?<=\w)[:?!]\s+")
_ARTICLE_ROOTS = re.compile(r"\b(?:post|entry|article|story|content|main)\b", re.IGNORECASE)
# Parts of a heading that are not the headline: a kicker or roofline above it, a label, a
# date, or text only screen readers get (often a ": " joining the kicker to the headline).
_SECONDARY_CLASS = re.compile(
    r"kicker|overline|roofline|topline|toptitle|dachzeile|eyebrow|supertitle|sub-?title|sub-?headline"
    r"|(?<![a-z])label|hidden|sr-only|screen-reader|offscreen|visually|aural",
    re.IGNORECASE,
)
_HIDDEN_CLASS = re.compile(r"hidden|sr-only|screen-reader|offscreen|visually|aural|navskip", re.IGNORECASE)
_SECONDARY_TAGS = ("small", "time")


def _norm(text: str | None) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", _markup.INVISIBLE.sub("", (text or "").casefold())).split())


def _content_words(text: str | None) -> set[str]:
    return {w for w in _norm(text).split() if len(w) >= 4}


def _unspaced(text: str) -> str:
    return re.sub(r"\s+", "", _markup.INVISIBLE.sub("", text))


def _classes(tag: Tag) -> str:
    return " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")


def _is_secondary(tag: Tag) -> bool:
    return tag.name in _SECONDARY_TAGS or bool(_SECONDARY_CLASS.search(_classes(tag))) or tag.get("aria-hidden") == "true"


def _heading_variants(tag: Tag) -> list[tuple[str, bool]]:
    """Ways to read a heading, best first, each with whether a kicker was taken off: without
    its kicker, date or hidden parts; as printed; each line when <br> splits it; each inner
    element on its own; without its leading element."""
    cleaned, printed = _markup.shown_text(tag, _is_secondary), _markup.shown_text(tag)
    # Only punctuation left out (a hidden dash): the printed form is the better wording.
    variants = [(printed, False)] if _norm(cleaned) == _norm(printed) else [(cleaned, True), (printed, False)]
    lines = [" ".join(line.split()) for line in _shown_text_lines(tag)]
    if len(lines) > 1:
        variants += [(line, False) for line in lines]
    variants += [(_markup.shown_text(inner), False) for inner in tag.find_all(True, limit=12) if inner.name not in _markup.NEVER_SHOWN]
    # A leading element is where a kicker sits even when no class says so.
    first = next((c for c in tag.children if isinstance(c, Tag) and c.name not in _markup.NEVER_SHOWN), None)
    if first is not None:
        variants.append((_markup.shown_text(tag, lambda el: el is first), False))
    seen, unique = set(), []
    for text, unkicked in variants:
        text = text.strip(_markup.EDGE_PUNCTUATION)
        if text and text not in seen:
            seen.add(text)
            unique.append((text, unkicked))
    return unique


def _shown_text_lines(tag: Tag) -> list[str]:
    marker = "\u2063"  # a character no page puts in a heading, to mark where a <br> was
    pieces = []
    for node in tag.descendants:
        if isinstance(node, Tag) and node.name == "br":
            pieces.append(marker)
        elif type(node) is NavigableString and not any(p.name in _markup.NEVER_SHOWN for p in node.parents if p is not tag):
            pieces.append(str(node))
    return [line.strip(_markup.EDGE_PUNCTUATION + " \n\t") for line in "".join(pieces).split(marker) if line.strip()]


def _json_ld_headlines(soup: BeautifulSoup) -> list[str]:
    """`headline` of the top-level JSON-LD objects (and of those in an @graph); nested ones
    are usually related articles."""
    found = []
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError):
            continue
        items = data if isinstance(data, list) else [data]
        items = [i for item in items if isinstance(item, dict) for i in [item, *(item.get("@graph") or [])]]
        found += [html_lib.unescape(i["headline"]) for i in items if isinstance(i, dict) and isinstance(i.get("headline"), str)]
    return found


def _meta_content(soup: BeautifulSoup, *names: str) -> list[str]:
    metas = soup.find_all("meta")  # once: a search per name and attribute walks the whole page each time
    values = []
    for name in names:
        for attr in ("property", "name", "itemprop"):
            values += [tag["content"] for tag in metas if tag.get(attr) == name and tag.get("content")]
    return values


def _longest_part(text: str) -> str:
    return max(_PART_SEPARATORS.split(text), key=lambda p: len(_norm(p)))


def _is_home_link(tag: Tag) -> bool:
    """A heading that is only a link to the site's front page carries the site's name."""
    links = tag.find_all("a", href=True)
    if len(links) != 1 or _norm(_markup.shown_text(links[0])) != _norm(_markup.shown_text(tag)):
        return False
    href = links[0]["href"].strip()
    return href in ("/", "./", "#") or bool(re.fullmatch(r"(?:https?:)?//[^/]+/?(?:index\.\w+)?", href))


def _declared_titles(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """(source, title) for every title the page declares, most deliberate first."""
    page_title = soup.title.get_text(" ") if soup.title else None
    sources = (
        ("og", _meta_content(soup, "og:title")),
        ("twitter", _meta_content(soup, "twitter:title")),
        ("itemprop", _meta_content(soup, "headline")),
        ("json-ld", _json_ld_headlines(soup)),
        ("title", [page_title] if page_title else []),
    )
    return [(source, " ".join(text.split())) for source, texts in sources for text in texts if text and text.strip()]


class _Site:
    """The names a page goes by, to tell them apart from its headline."""

    def __init__(self, names: list[str | None]) -> None:
        self.forms = {_norm(name) for name in names if _norm(name)}

    def named_by(self, text: str) -> bool:
        n = _norm(text)
        return bool(n) and any(n == f or n in f or (len(f) > 3 and f in n and len(n) <= len(f) + 4) for f in self.forms)

    def strip(self, text: str) -> str:
        """The title without the parts that only name the site ("Headline | Site")."""
        parts = [p.strip() for p in _TITLE_SEPARATORS.split(text) if p.strip()]
        kept = [p for p in parts if not self.named_by(p)] or parts
        return max(kept, key=len) if len(kept) < len(parts) else text


def _site(
    soup: BeautifulSoup, tags: list[Tag], declared: list[tuple[str, str]], guessed: str | None, hostname: str | None
) -> _Site:
    named = _meta_content(soup, "og:site_name", "application-name")
    names = [hostname, (hostname or "").split(".")[0], *named, *(_markup.shown_text(t) for t in tags if _is_home_link(t))]
    # trafilatura guesses a site name from the <title> when the page names none; a guess (or
    # a piece of it between separators) that is the title's main part or the page's h1 is
    # the headline, not the site.
    title_keys = {_norm(text) for _source, text in declared}
    headline_like = title_keys | {_norm(_longest_part(text)) for _source, text in declared}
    headline_like |= {_norm(_markup.shown_text(t)) for t in tags if t.name == "h1"}
    confirmed = {_norm(n) for n in named}
    names += [g for g in _TITLE_SEPARATORS.split(guessed or "") if _norm(g) in confirmed or _norm(g) not in headline_like]
    # Some pages put their title in application-name; a site name equal to a title is no site name.
    return _Site([n for n in names if _norm(n) not in title_keys])


def _title_support(declared: list[tuple[str, str]], site: _Site) -> tuple[dict[str, float], dict[str, str]]:
    """How strongly the declared titles back each title key, and their wording by characters.

    A source's whole title (with or without the site's name) counts 1 and its longest part
    ("Topic: Headline") a half, so a page's own choice of the full title outweighs a part of
    it; each source counts once per key. A key cut out of a longer title needs two words,
    since one word ("News") is as likely a section as the headline.
    """
    backing: dict[str, dict[str, float]] = {}
    wordings: dict[str, str] = {}
    for source, text in declared:
        pieces = _PART_SEPARATORS.split(text)
        parts = [p for p in pieces if not site.named_by(p)]
        longest = max(parts, key=lambda p: len(_norm(p))) if len(pieces) > 1 and parts else ""
        for cut, weight in ((text, 1.0), (site.strip(text), 1.0), (longest, 0.5)):
            key = _norm(cut)
            if key and (cut == text or _markup.word_count(key) >= 2):
                sources = backing.setdefault(key, {})
                sources[source] = max(sources.get(source, 0.0), weight)
                wordings.setdefault(_unspaced(cut), cut.strip())
    return {key: sum(sources.values()) for key, sources in backing.items()}, wordings


def _agreeing_heading(candidates: list[Tag], support: dict[str, float], site: _Site) -> str | None:
    """The heading text best backed by the declared titles.

    A heading's reading is its first variant that a declared title backs: without the kicker
    when that agrees, else as printed. A heading whose markup sets a kicker apart is the
    article's own headline block and counts one backer more (a plain h1 may be the last
    item of a breadcrumb trail). On a tie the earlier candidate wins.
    """
    best, best_backing = None, 0.0
    for tag in candidates:
        if _HIDDEN_CLASS.search(_classes(tag)):
            continue  # a heading only screen readers get names a region of the site, not the article
        for text, unkicked in _heading_variants(tag):
            backing = support.get(_norm(text), 0.0)
            if backing and not site.named_by(text):
                backing += 1.0 if unkicked else 0.0
                if backing > best_backing:
                    best, best_backing = text, backing
                break
    return best


def headline(soup: BeautifulSoup, title: str | None, site_name: str | None, hostname: str | None) -> str | None:
    """The article's own headline.

    The page declares titles in its metadata (og:title, twitter:title, JSON-LD and itemprop
    headline, <title>); each counts whole, without the site's name, and by its longest part
    ("Topic: Headline"). A heading on the page that agrees with the best backed of them
    gives the headline as the page prints it, without its kicker. Failing that: the first
    declared title (else trafilatura's) without the site's name, or the article's main
    heading when that title is only the site or a one-word label, or the page's one h1 when
    it declares nothing but a <title>.
    """
    declared = _declared_titles(soup)
    tags = [t for level in ("h1", "h2", "h3") for t in soup.find_all(level)]
    site = _site(soup, tags, declared, site_name, hostname)
    raw = declared[0][1] if declared else (" ".join(title.split()) if title else None)
    stripped = site.strip(raw) if raw else None

    headings = []
    for tag in tags:
        text = _markup.shown_text(tag, _is_secondary) or _markup.shown_text(tag)
        if text and not site.named_by(text) and len(text) <= 200:
            in_article = any(
                parent.name in ("article", "main") or _ARTICLE_ROOTS.search(_classes(parent))
                for parent in tag.parents
                if getattr(parent, "get", None)
            )
            headings.append((tag.name, text, in_article, tag))

    # trafilatura's title is no evidence here: it is often read off a heading, so it would
    # agree with itself. Candidates: h1 first, then what is marked as the headline.
    support, wordings = _title_support(declared, site)
    marked = [t for t in soup.find_all(attrs={"itemprop": "headline"}) if t.name != "meta"]
    candidates = [h[3] for h in headings if h[0] == "h1"] + marked + [h[3] for h in headings if h[0] != "h1"]
    best = _agreeing_heading(candidates, support, site)
    if best:
        # The headline as the page prints it; but where markup spaced it oddly ("THW :") and a
        # declared title has the very same characters, the declared spacing is the real one.
        return wordings.get(_unspaced(best), best)

    full, short = _norm(raw), _norm(stripped)
    for _level, text, _in_article, _tag in headings:
        n = _norm(text)
        if _markup.word_count(n) >= 2 and full and n in full and len(n) >= 0.5 * len(short or full):
            return text
    title_words = _content_words(stripped)

    def plausible(text: str) -> bool:
        # A heading that shares no word with a real page title is a label ("Read also:").
        return not text.rstrip().endswith(":") and (not title_words or bool(_content_words(text) & title_words))

    generic = not stripped or (len(stripped.split()) <= 1 and len(stripped) < 15) or site.named_by(stripped)
    if generic:
        article_h1 = [t for level, t, inside, _tag in headings if level == "h1" and inside and len(t.split()) >= 2]
        if article_h1:
            return article_h1[0]
    h1s = [t for level, t, _inside, tag in headings if level == "h1" and not _HIDDEN_CLASS.search(_classes(tag))]
    if len(h1s) == 1 and len(h1s[0].split()) >= 3 and plausible(h1s[0]):
        return h1s[0]
    # With nothing but a <title> (often the site's name or a slogan), the one main heading
    # names the page.
    if len(h1s) == 1 and all(source == "title" for source, _text in declared):
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
