"""What a web page shows a reader, read from its markup: the text of an element as it looks on
screen, words counted as a reader counts them, lines of extracted text. Shared by the title,
metadata and article-body readers of HTML."""

from __future__ import annotations

import re

from bs4 import NavigableString, Tag

from . import _clean

NEVER_SHOWN = ("script", "style", "noscript", "template", "svg", "button")
# Tags that start a new line on screen, so their text never runs into the next word.
BREAKING_TAGS = {
    "br", "div", "p", "li", "ul", "ol", "section", "header", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "table", "tr", "td",
}
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")  # soft hyphen, zero-width characters
EDGE_PUNCTUATION = " :|-–—·•/"


def paragraphs(text: str) -> list[str]:
    text = _clean.normalise_characters(text)
    return [" ".join(line.split()) for line in text.split("\n") if line.strip()]


def word_count(text: str) -> int:
    # Chinese and Japanese put no spaces between words: count each character as one.
    return len(re.findall(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+", text))


def shown_text(tag: Tag, skip=None) -> str:
    """The tag's text as a reader sees it: inline pieces joined without a space ("THW: ..."),
    blocks and line breaks kept apart, and the children `skip` rejects left out."""
    pieces: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                if child.name in NEVER_SHOWN:
                    continue
                if skip and skip(child):
                    pieces.append(" ")  # what was left out stood between words
                    continue
                breaking = child.name in BREAKING_TAGS
                pieces.append(" " if breaking else "")
                walk(child)
                pieces.append(" " if breaking else "")
            elif type(child) is NavigableString:  # not comments, CDATA or doctype
                pieces.append(str(child))

    walk(tag)
    return " ".join("".join(pieces).split()).strip(EDGE_PUNCTUATION)
