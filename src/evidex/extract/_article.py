"""The article's body, and what stands around it on a web page.

Paragraph numbers count the body only, so what trafilatura keeps of a page is sorted into the
body, the asides (a standfirst: prose, kept searchable but not numbered) and furniture
(headline, byline, caption, share and related boxes...), which is dropped. Each block is found
again in the page by its text, and judged by where it stands (inside the container of the
article's paragraphs, or before it) and by what the markup around it says.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from copy import deepcopy
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag
from trafilatura.xml import xmltotxt

from . import _clean, _markup

MIN_ARTICLE_WORDS = 20  # below this, trafilatura's pick is probably a menu

_KEEP_WHOLE = ("list", "table")  # one paragraph each, however many lines
_BLOCK_ELEMENTS = ("p", "head", "list", "table", "quote")  # trafilatura's block-level elements
# Class, id and role names, as words ("has-ads" or "no-share" is not an ad or a share box).
_NAME = r"(?<![a-z])(?<!has-)(?<!no-)(?<!with-)(?:{})(?![a-z])"
# A standfirst wherever it stands; "intro" and "lead" name one only outside the body's
# container (inside it, a lead is the first paragraph set in bold).
_STANDFIRST_NAMES = re.compile(
    _NAME.format(r"standfirst|stand-first|dek|deck|strapline|sub-?headline|summary|excerpt|synopsis|abstract|description")
)
_INTRO_NAMES = re.compile(_NAME.format(r"intro|introduction|lead|lede|teaser|sub-?title"))
_FURNITURE_NAMES = re.compile(
    _NAME.format(
        r"captions?|credits?|byline|by-line|author-?bio|about-?(?:the-)?author|bio|share|shares|sharing|social|sociable"
        r"|related|recommend\w*|more-stories|see-?also|also-?read|newsletters?|sign-?up|subscribe|subscription|promo"
        r"|promotion|adverts?|advertisement|advertising|ads?|sponsor|sponsored|outbrain|taboola|breadcrumbs?|tags|tag-?list"
        r"|topics|keywords|popular|trending|most-?read|toolbar|follow|widget|sidebar|rail|menu|nav|navigation|footer"
        r"|disclaimer|copyright|cta|donate|paywall|banner|modal|popup|tooltip|popover|rollover|player|sr-only"
        r"|visually-?hidden|screen-?reader"
    )
)
# Names of a byline or a dateline: furniture when the block is a short line, as those are.
_BYLINE_NAMES = re.compile(
    _NAME.format(
        r"authors?|author-?name|contributors?|dateline|date|time|timestamp|published|pubdate|updated|modified|read-?time"
        r"|reading-?time|meta"
    )
)
_BYLINE_WORDS = 15
# "By Jane Smith", "Von Jane Smith", "Par...", "Por...": a byline set as a paragraph.
_BYLINE_TEXT = re.compile(r"(?:by|von|par|por|di|door|av|af)\s+\w", re.IGNORECASE)
# A date or a time on a line of its own ("Updated 2 March 2024, 09:14", "2019-11-19").
_DATED = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2}"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b"
    r"|\b\d{1,2}\.? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-zä]*\b",
    re.IGNORECASE,
)
_FURNITURE_TAGS = {"figcaption", "aside", "nav", "footer", "form", "button", "address"}
_FURNITURE_ITEMPROPS = {"author", "creator", "datepublished", "datemodified", "publisher", "caption", "headline", "name"}
_STANDFIRST_ITEMPROPS = {"description", "abstract", "alternativeheadline"}
_BODY_ITEMPROPS = {"articlebody", "text", "reviewbody"}
_NOTICE = re.compile(r"(?:copyright|\(c\)|©)\s", re.IGNORECASE)  # a copyright line, in any language
_ADDRESS = re.compile(r"\S+@\S+\.\w+|\w+://\S+|www\.\S+")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")
_SOLID_WORDS = 25  # a paragraph this long is article prose, not a label or a teaser
_PROSE_WORDS = 10  # the least a standfirst has
_LINKED = 0.6  # a short block mostly made of one link is a teaser or a "Related:" line
_SHORT_LINKED_WORDS = 40


@dataclass
class _Block:
    text: str
    tag: str  # trafilatura's element: p, head, list, table, quote...
    key: str = ""
    words: int = 0
    element: Tag | None = None
    links: float = 0.0  # share of its text inside links, in the page
    one_link: float = 0.0  # share of its text in one link that ends it, after at most a label
    markup: str = ""  # what the markup around it says: "", "standfirst", "intro", "furniture" or "header"
    role: str = "body"  # "body", "aside" or "drop"
    why: str = ""  # why not body


def _key(text: str) -> str:
    """Word characters only, case-folded: the same for a block and the page text it came from."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", _markup.INVISIBLE.sub("", text)).casefold())


def _trafilatura_blocks(body, page: _PageText) -> list[_Block]:
    """The blocks of trafilatura's article, each a paragraph as a reader counts them: a list or a
    table is one; so is a paragraph whose lines only a single line break parts (an address, a
    poem, an embedded post), where a blank line between them makes paragraphs of its lines."""
    texts: list[tuple[str, str]] = [(line, "p") for line in _markup.paragraphs(body.text or "")]
    for child in body:
        child = deepcopy(child)
        tail, child.tail = child.tail, None
        # An embedded post or a quotation made of paragraphs: a paragraph per paragraph in it.
        split = child.tag == "quote" and len(child) and all(c.tag in _BLOCK_ELEMENTS for c in child)
        parts = [*child] if split else [child]
        if split:
            texts += [(line, "quote") for line in _markup.paragraphs(child.text or "")]
        for part in parts:
            part_tail, part.tail = part.tail, None
            lines = _markup.paragraphs(xmltotxt(part, False))
            whole = child.tag in _KEEP_WHOLE or (child.tag == "quote" and part.tag == "p")
            if not whole and len(lines) > 1 and part.find(".//lb") is not None:
                element = page.find(_key(" ".join(lines)), -1)
                whole = element is not None and not _blank_line_in(element)
            if whole and lines:
                texts.append(("\n".join(lines), child.tag))
            else:
                texts += [(line, child.tag) for line in lines]
            if part is not child:
                texts += [(line, "quote") for line in _markup.paragraphs(part_tail or "")]
        texts += [(line, "p") for line in _markup.paragraphs(tail or "")]
    return [_Block(text, tag, key=_key(text), words=_markup.word_count(text)) for text, tag in texts]


def _blank_line_in(element: Tag) -> bool:
    """Whether two line breaks follow each other in the element: a blank line between paragraphs."""
    for br in element.find_all("br"):
        following = br.next_sibling
        while type(following) is NavigableString and not following.strip():
            following = following.next_sibling
        if isinstance(following, Tag) and following.name == "br":
            return True
    return False


class _PageText:
    """The page's elements with their text, to find where a block of the article stands."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.keys: dict[int, str] = {}
        self.linked: dict[int, int] = {}  # characters of the text inside links
        self.italic: dict[int, int] = {}  # characters of the text in italics
        self.bold: dict[int, int] = {}  # characters of the text in bold
        self.position: dict[int, int] = {}  # in document order
        self.order: list[Tag] = []
        self.exact: dict[str, list[Tag]] = defaultdict(list)
        self.starts: dict[str, list[tuple[str, Tag]]] = defaultdict(list)  # text nodes by their first characters
        root = soup.body or soup
        order = self.order
        stack: list[tuple[Tag, bool]] = [(root, False)]
        while stack:  # post-order without recursion: pages nest deeper than Python recurses
            node, done = stack.pop()
            if not done:
                self.position[id(node)] = len(order)
                order.append(node)
                stack.append((node, True))
                shown = [c for c in node.children if isinstance(c, Tag) and c.name not in _markup.NEVER_SHOWN]
                stack += [(c, False) for c in reversed(shown)]
                continue
            parts, linked, italic, bold = [], 0, 0, 0
            for child in node.children:
                if isinstance(child, Tag):
                    parts.append(self.keys.get(id(child), ""))
                    linked += self.linked.get(id(child), 0)
                    italic += self.italic.get(id(child), 0)
                    bold += self.bold.get(id(child), 0)
                elif type(child) is NavigableString:
                    part = _key(child)
                    parts.append(part)
                    if len(part) >= 12:
                        self.starts[part[:12]].append((part, node))
            key = "".join(parts)
            self.keys[id(node)] = key
            self.linked[id(node)] = len(key) if node.name == "a" and node.has_attr("href") else linked
            self.italic[id(node)] = len(key) if node.name in ("em", "i") else italic
            self.bold[id(node)] = len(key) if node.name in ("strong", "b") else bold
        for node in order:
            if self.keys[id(node)]:
                self.exact[self.keys[id(node)]].append(node)

    def find(self, key: str, after: int) -> Tag | None:
        """The innermost element whose text is the block's (the first after position `after`), else
        the element holding the text the block starts with."""
        found = self.exact.get(key)
        if found:
            later = [t for t in found if self.position[id(t)] > after] or found
            element = later[0]
            for inner in later[1:]:  # the same text nested: the elements around it are ancestors
                if element in inner.parents:
                    element = inner
            return element
        if len(key) < 12:
            return None
        nodes = [(part, tag) for part, tag in self.starts.get(key[:12], ()) if key.startswith(part) or part.startswith(key)]
        if not nodes:
            return None
        later = [n for n in nodes if self.position[id(n[1])] > after] or nodes
        element = later[0][1]
        while element.parent is not None and element.parent.name != "body" and self.keys.get(id(element.parent), "") in key:
            element = element.parent
        return element

    def link_share(self, element: Tag) -> float:
        """How much of the element's text is in links."""
        return self.linked[id(element)] / max(1, len(self.keys[id(element)]))

    def teaser_share(self, element: Tag) -> float:
        """How much of the element's text is one link that ends it, after at most a label
        ("Related: <a>Headline</a>", "[Read more: <a>...</a>]"); 0 when words of a sentence
        come before or after the link."""
        links = [element] if element.name == "a" and element.has_attr("href") else element.find_all("a", href=True)
        key = self.keys[id(element)]
        link = max(links, key=lambda a: len(self.keys.get(id(a), "")), default=None)
        if link is None or not self.keys.get(id(link)) or not key.endswith(self.keys[id(link)]):
            return 0.0
        before = []
        for text in element.find_all(string=True):
            if text is link or link in text.parents:
                break
            if type(text) is NavigableString:
                before.append(str(text))
        label = " ".join("".join(before).split())
        if label and not (re.search(r"[:»›→|>\[(–—-]$", label) and _markup.word_count(label) <= 4):
            return 0.0
        return len(self.keys[id(link)]) / max(1, len(key))


def _markup_of(node: Tag, words: int) -> str:
    """What one element says about the block of `words` words inside it: "body", "standfirst",
    "intro", "furniture", "header" or nothing."""
    itemprop = (node.get("itemprop") or "").casefold()
    if itemprop in _BODY_ITEMPROPS:
        return "body"
    if itemprop in _STANDFIRST_ITEMPROPS:
        return "standfirst"
    if itemprop in _FURNITURE_ITEMPROPS or node.name in _FURNITURE_TAGS:
        return "furniture"
    style = node.get("style") or ""
    hidden = node.has_attr("hidden") or node.get("aria-hidden") == "true" or re.search(r"display:\s*none", style)
    if hidden and words <= _BYLINE_WORDS:
        return "furniture"  # longer hidden text is content a script shows (a tab, "read more")
    # A heading's id is an anchor made of its words ("nav-und-suche"), not a role.
    names = " ".join(node.get("class") or []) + " " + (node.get("role") or "")
    if not re.fullmatch(r"h[1-6]", node.name or ""):
        names += " " + (node.get("id") or "")
    names = re.sub(r"([a-z])([A-Z])", r"\1-\2", names).casefold()  # articleSummary -> article-summary
    if _STANDFIRST_NAMES.search(names):
        return "standfirst"
    if _INTRO_NAMES.search(names):
        return "intro"
    if _FURNITURE_NAMES.search(names) or (words <= _BYLINE_WORDS and _BYLINE_NAMES.search(names)):
        return "furniture"
    return "header" if node.name == "header" else ""


def _markup_around(block: _Block, container: Tag | None) -> str:
    """What the elements from the block's own up to the article's container say, the nearest first.
    Those around the container hold the body too, so they say nothing about one block."""
    above = set(map(id, container.parents)) | {id(container)} if container is not None else set()
    for node in [block.element, *block.element.parents]:
        if id(node) in above or node.name in ("body", "html", "[document]"):
            return ""
        said = _markup_of(node, block.words)
        if said == "body":
            return ""
        if said:
            return said
    return ""


def _container(blocks: list[_Block]) -> Tag | None:
    """The innermost element that holds three quarters of the article's solid prose, and more than
    one block: the article body, without the header, the sidebars or the boxes below."""
    solid = [b for b in blocks if b.element is not None and b.words >= _SOLID_WORDS and b.links < 0.5]
    if not solid:
        solid = [b for b in blocks if b.element is not None and b.words >= _PROSE_WORDS and b.links < 0.5]
    if not solid:
        return None
    total = sum(b.words for b in solid)
    weight: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    nodes: dict[int, Tag] = {}
    for block in blocks:
        if block.element is None:
            continue
        for node in [block.element, *block.element.parents]:
            nodes[id(node)] = node
            count[id(node)] += 1
            weight[id(node)] += block.words if block in solid else 0
    best, depth = None, -1
    for ident, node in nodes.items():
        if weight[ident] >= 0.75 * total and count[ident] >= 2:
            d = sum(1 for _ in node.parents)
            if d > depth:
                best, depth = node, d
    return best


def _inside(element: Tag | None, container: Tag | None) -> bool:
    return element is None or container is None or element is container or container in element.parents


def _labels_links(block: _Block, following: _Block | None, page: _PageText, blocks: list[_Block]) -> bool:
    """A short heading or label ("More:", "You may also like...") over links that are not the
    article's: the next block was dropped as links, or the next element in the page is a box of
    links that is no block of the body."""
    if block.element is None or block.words > 6:
        return False
    if block.tag != "head" and not re.search(r"(?::|\.\.\.|…)$", block.text):
        return False  # a label is a heading, or ends as one
    if following is not None and following.why in ("a link", "a list of links"):
        return True
    node = block.element
    while node.find_next_sibling() is None and node.parent is not None and node.parent.name != "body":
        node = node.parent  # the label ends its own wrapper: the box is what comes after the wrapper
    sibling = node.find_next_sibling()
    if sibling is None or id(sibling) not in page.keys or sibling.find("a") is None or page.link_share(sibling) < _LINKED:
        return False
    return not any(
        b.role == "body" and b.element is not None and (b.element is sibling or sibling in b.element.parents) for b in blocks
    )


def _emphasised(element: Tag, page: _PageText, style: str = "italic") -> bool:
    """Whether the whole block is set in italics (as an editor's note or a promotion is) or bold."""
    counts = page.italic if style == "italic" else page.bold
    return counts[id(element)] >= 0.9 * max(1, len(page.keys[id(element)]))


def _page_standfirst(soup: BeautifulSoup, page: _PageText, blocks: list[_Block], headlines: set[str]) -> _Block | None:
    """The page's standfirst when trafilatura left it out: prose its markup calls a standfirst
    (or the description, in itemprop), between the headline and the body, as an aside."""
    body = [b.element for b in blocks if b.role == "body" and b.element is not None]
    heading = next((h for h in soup.find_all(["h1", "h2"]) if page.keys.get(id(h)) in headlines), None)
    if not body or heading is None or id(heading) not in page.position:
        return None
    low, high = page.position[id(heading)], page.position[id(body[0])]
    taken = [b.key for b in blocks if b.key]
    for element in page.order[low + 1 : high]:
        if _markup_of(element, _SOLID_WORDS) != "standfirst":
            continue
        key = page.keys[id(element)]
        text = " ".join(_clean.normalise_characters(_markup.shown_text(element)).split())
        if _markup.word_count(text) < _PROSE_WORDS or page.link_share(element) >= 0.5 or any(key in t or t in key for t in taken):
            continue
        return _Block(text, "p", key=key, words=_markup.word_count(text), element=element, role="aside", why="standfirst of the page")
    return None


def article_blocks(body, soup: BeautifulSoup, headlines: list[str], author: str | None = None) -> tuple[list[str], list[str]]:
    """trafilatura's article (its XML `body`) sorted into body paragraphs (numbered when cited)
    and asides. `headlines`: the page's title as evidex reads it and as the page declares it."""
    blocks = judged_blocks(body, soup, headlines, author)
    paragraphs = [b.text for b in blocks if b.role == "body"]
    asides = [b.text for b in blocks if b.role == "aside"]
    if sum(_markup.word_count(p) for p in paragraphs) < MIN_ARTICLE_WORDS:
        # Too little left to be the article: the judgement failed, not the article. Keep what
        # trafilatura kept, but for the headline.
        paragraphs = [b.text for b in blocks if b.why not in ("headline", "standfirst of the page")]
        asides = []
    return paragraphs, asides


def judged_blocks(body, soup: BeautifulSoup, headlines: list[str], author: str | None = None) -> list[_Block]:
    """trafilatura's blocks, each with its role ("body", "aside" or "drop") and why.

    The body starts at the first block inside the container of the article's paragraphs that
    no markup sets apart. Before it: the headline and whatever precedes it (kicker,
    breadcrumbs, teasers) are dropped, so are bylines, dates and other furniture; prose set
    apart as a standfirst (by its markup, a <header>, as a heading, or in bold) is an aside;
    plain prose starts the body there. Anywhere: captions, share, related and newsletter boxes
    (by their markup), short lines made of one link ("Related: ..."), lists of links and the
    label of a box of links are dropped. A standfirst trafilatura left out, between the
    headline and the body, is an aside. Notes in italics at either end of the body ("Follow
    us on...", "This story has been updated") are asides.
    """
    page = _PageText(soup)
    blocks = _trafilatura_blocks(body, page)
    after = -1
    for block in blocks:
        block.element = page.find(block.key, after) if block.key else None
        if block.element is not None:
            after = page.position[id(block.element)]
            block.links = page.link_share(block.element)
            block.one_link = page.teaser_share(block.element)
    container = _container(blocks)
    for block in blocks:
        if block.element is not None:
            block.markup = _markup_around(block, container)
    headline_keys = {_key(t) for t in headlines if t} - {""}
    author_key = _key(author or "")

    def heads(block: _Block) -> bool:
        return block.key in headline_keys

    def byline(block: _Block) -> bool:
        """A byline or a dateline: a short line, no sentence, with a name or a date."""
        if block.words > _BYLINE_WORDS // 2 + 2 or _SENTENCE_END.search(block.text):
            return False
        named = bool(_BYLINE_TEXT.match(block.text)) or bool(author_key and len(author_key) >= 6 and author_key in block.key)
        return named or bool(_DATED.search(block.text))

    def set_apart(block: _Block) -> bool:
        # Being the page's description is no sign on its own: a blog's description is often
        # its first paragraph.
        styled = block.element is not None and _emphasised(block.element, page, "bold")
        return block.markup in ("standfirst", "intro", "header") or block.tag == "head" or styled

    plain = ("", "header", "intro")
    start = next(
        (i for i, b in enumerate(blocks) if _inside(b.element, container) and b.markup in plain and not heads(b)), len(blocks)
    )
    last_headline = max((i for i in range(start) if heads(blocks[i])), default=-1)
    begun = False  # the body may begin before `start`, at plain prose outside the container
    read = False  # whether a paragraph of prose has been kept: bylines and datelines come before
    for i, block in enumerate(blocks):
        prose = block.words >= _PROSE_WORDS and block.links < 0.5
        if i < start and not begun:
            if heads(block):
                block.role, block.why = "drop", "headline"
            elif i < last_headline:
                block.role, block.why = "drop", "above the headline"
            elif block.markup == "furniture":
                block.role, block.why = "drop", "furniture before the body"
            elif byline(block):
                block.role, block.why = "drop", "byline"
            elif prose and set_apart(block):
                block.role, block.why = "aside", "standfirst"
            elif not prose and not _SENTENCE_END.search(block.text):
                block.role, block.why = "drop", "label before the body"
            else:
                begun = True
            if block.role != "body":
                continue
        if block.markup == "furniture":
            block.role, block.why = "drop", "furniture"
        elif not read and byline(block):
            block.role, block.why = "drop", "byline"
        elif block.words <= _SHORT_LINKED_WORDS and block.one_link >= _LINKED and not _ADDRESS.fullmatch(block.text.strip()):
            block.role, block.why = "drop", "a link"
        elif block.tag == "list" and block.links >= 0.8:
            block.role, block.why = "drop", "a list of links"
        elif _NOTICE.match(block.text) and block.words <= 30:
            block.role, block.why = "drop", "copyright"
        read = read or (block.role == "body" and prose)
    for i, block in enumerate(blocks):
        if block.role == "body" and _labels_links(block, blocks[i + 1] if i + 1 < len(blocks) else None, page, blocks):
            block.role, block.why = "drop", "label of links"
    standfirst = _page_standfirst(soup, page, blocks, headline_keys)
    if standfirst is not None:
        blocks.insert(0, standfirst)
    # Notes in italics before or after the body are the editor's, not the article's: asides.
    # Not when much of the body is in italics.
    body_blocks = [b for b in blocks if b.role == "body"]
    noted = [b.element is not None and _emphasised(b.element, page) for b in body_blocks]
    if sum(noted) <= len(noted) / 4:
        first = next((k for k, italic in enumerate(noted) if not italic), len(noted))
        last = max((k for k, italic in enumerate(noted) if not italic), default=-1)
        for k, block in enumerate(body_blocks):
            if (k < first or k > last) and block.words <= 60:
                if byline(block) or (block.words < _PROSE_WORDS and not _SENTENCE_END.search(block.text)):
                    block.role, block.why = "drop", "byline or credit in italics"
                else:
                    block.role, block.why = "aside", "note in italics"
    return blocks
