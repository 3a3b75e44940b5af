"""Splitting a Document into passages: paragraph-aware windows cut at sentence ends, page-aware."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .models import Document, Passage

# A sentence ends at . ! ? (optionally closed by quotes/brackets) followed by space and a
# capital, digit, quote or bracket. Common abbreviations do not end sentences.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9À-Ý])")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|cf|al|fig|figs|no|nos|vol|pp|p|ed|eds|dr|mr|mrs|ms|prof|st|inc|ltd|co|corp|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|approx|est|u\.s|u\.k|e\.u)|\b[A-Z])\.$",
    re.IGNORECASE,
)
_CONTINUES = re.compile(r"[\w,;–—-]$")


@dataclass
class _Sentence:
    text: str
    page_start: int  # 0-based index into document.pages
    page_end: int
    paragraph: int  # 1-based paragraph number in the document; negative for an aside (its position on the page)
    paragraph_ends: bool  # last sentence of its paragraph
    breaks: tuple[tuple[int, int], ...] = ()  # (offset in the sentence, page position) where a page starts


def split_sentences(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        cut = match.start() + len(match.group(1))  # closing quotes and brackets stay with their sentence
        candidate = text[start:cut].strip()
        if _ABBREVIATIONS.search(candidate.rstrip("\"'”’)]")):
            continue
        if candidate:
            pieces.append(candidate)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def _paragraphs(document: Document) -> list[list[tuple[str, int]]]:
    """Paragraphs as lists of (text, page position); a paragraph cut by a page break is re-joined."""
    paragraphs: list[list[tuple[str, int]]] = []
    for position, page in enumerate(document.pages):
        blocks = [b for b in page.text.split("\n\n") if b.strip()]
        for i, block in enumerate(blocks):
            joins_previous = (
                i == 0
                and paragraphs
                and document.paged
                and paragraphs[-1][-1][1] == position - 1
                and _CONTINUES.search(paragraphs[-1][-1][0])
                and block[:1].islower()
            )
            if joins_previous:
                paragraphs[-1].append((block, position))
            else:
                paragraphs.append([(block, position)])
    return paragraphs


def _sentences(document: Document) -> list[_Sentence]:
    sentences: list[_Sentence] = []
    for number, paragraph in enumerate(_paragraphs(document), start=1):
        # Join the parts, remembering where each page's text starts.
        text = ""
        starts: list[tuple[int, int]] = []
        for part, position in paragraph:
            if text:
                text += " "
            starts.append((len(text), position))
            text += part
        offset = 0
        pieces = split_sentences(text)
        for k, piece in enumerate(pieces):
            begin = text.index(piece, offset)
            end = begin + len(piece) - 1
            offset = begin + len(piece)
            sentences.append(
                _Sentence(
                    text=piece,
                    page_start=_page_at(starts, begin),
                    page_end=_page_at(starts, end),
                    paragraph=number,
                    paragraph_ends=k == len(pieces) - 1,
                    breaks=tuple((start - begin, position) for start, position in starts if begin < start <= end),
                )
            )
    return sentences


def _page_at(starts: list[tuple[int, int]], offset: int) -> int:
    page = starts[0][1]
    for start, position in starts:
        if start <= offset:
            page = position
    return page


def _long_sentence_parts(sentence: _Sentence, max_words: int) -> list[_Sentence]:
    """A sentence longer than max_words, cut into pieces that keep their own pages."""
    words = sentence.text.split()
    if len(words) <= max_words:
        return [sentence]
    parts = []
    for i in range(0, len(words), max_words):
        chunk = words[i : i + max_words]
        start = len(" ".join(words[:i])) + (1 if i else 0)  # sentence text has single spaces
        end = start + len(" ".join(chunk))
        page = sentence.page_start
        for offset, position in sentence.breaks:
            if offset <= start:
                page = position
        inner = tuple((offset - start, position) for offset, position in sentence.breaks if start < offset < end)
        parts.append(
            _Sentence(" ".join(chunk), page, inner[-1][1] if inner else page, sentence.paragraph,
                      sentence.paragraph_ends and i + max_words >= len(words), inner)
        )
    return parts


def split_passages(document: Document, doc_id: str, min_words: int = 60, max_words: int = 200) -> list[Passage]:
    """Windows of whole sentences, about min_words..max_words long.

    A window closes at the end of a paragraph once it has min_words, and before a sentence
    that would take it past max_words. A short last window joins the one before it when
    both fit within max_words.
    """
    sentences: list[_Sentence] = []
    for sentence in _sentences(document):
        sentences.extend(_long_sentence_parts(sentence, max_words))
    windows: list[list[_Sentence]] = []
    current: list[_Sentence] = []
    count = 0
    for sentence in sentences:
        n = len(sentence.text.split())
        if current and count + n > max_words:
            windows.append(current)
            current, count = [], 0
        current.append(sentence)
        count += n
        if sentence.paragraph_ends and count >= min_words:
            windows.append(current)
            current, count = [], 0
    if current:
        tail_words = count
        if windows and tail_words < min_words and sum(len(s.text.split()) for s in windows[-1]) + tail_words <= max_words:
            windows[-1].extend(current)
        else:
            windows.append(current)
    ordered = _with_asides(windows, _aside_windows(document, max_words))
    return [_passage(document, doc_id, ordinal, window) for ordinal, window in enumerate(ordered, start=1)]


def _aside_windows(document: Document, max_words: int) -> list[list[_Sentence]]:
    """The asides of each page (footnotes, a standfirst) as windows of their own: a page's
    asides together while they fit in max_words. They carry their page but no paragraph."""
    windows: list[list[_Sentence]] = []
    for position, page in enumerate(document.pages):
        current: list[_Sentence] = []
        count = 0
        for number, aside in enumerate(page.asides):
            for sentence in _long_sentence_parts(_Sentence(aside, position, position, 0, True), max_words):
                n = len(sentence.text.split())
                if current and count + n > max_words:
                    windows.append(current)
                    current, count = [], 0
                current.append(_Sentence(sentence.text, position, position, -1 - number, True))
                count += n
        if current:
            windows.append(current)
    return windows


def _with_asides(body: list[list[_Sentence]], asides: list[list[_Sentence]]) -> list[list[_Sentence]]:
    """Body windows in order, each page's asides placed before the first window that starts on
    a later page (at the end when none does)."""
    ordered: list[list[_Sentence]] = []
    pending = list(asides)
    for window in body:
        start = window[0].page_start
        while pending and pending[0][0].page_start < start:
            ordered.append(pending.pop(0))
        ordered.append(window)
    return ordered + pending


def _passage(document: Document, doc_id: str, ordinal: int, window: list[_Sentence]) -> Passage:
    text_parts: list[str] = []
    breaks: list[tuple[int, int]] = []  # (offset in the passage, page position)
    length = 0
    for i, sentence in enumerate(window):
        separator = ""
        if i and window[i - 1].paragraph != sentence.paragraph:
            separator = "\n\n"
        elif i:
            separator = " "
        text_parts.append(separator)
        length += len(separator)
        if i and sentence.page_start != window[i - 1].page_end:
            breaks.append((length, sentence.page_start))
        breaks.extend((length + offset, position) for offset, position in sentence.breaks)
        text_parts.append(sentence.text)
        length += len(sentence.text)
    first, last = window[0], window[-1]
    first_position, last_position = min(s.page_start for s in window), max(s.page_end for s in window)
    start_page, end_page = document.pages[first_position], document.pages[last_position]
    paged = document.paged
    aside = first.paragraph < 0  # a footnote or standfirst: cited by its page, never by paragraph
    return Passage(
        id=passage_id(doc_id, ordinal),
        doc_id=doc_id,
        ordinal=ordinal,
        text="".join(text_parts),
        page_index=start_page.index if paged else None,
        page_index_end=end_page.index if paged else None,
        page=start_page.label if paged else None,
        page_end=end_page.label if paged else None,
        paragraph=None if aside else first.paragraph,
        paragraph_end=None if aside else last.paragraph,
        page_breaks=tuple((o, document.pages[p].index, document.pages[p].label) for o, p in breaks) if paged else (),
        extractor=_extractor(document.pages[first_position : last_position + 1]) if paged else "",
    )


def _extractor(pages) -> str:
    """What read a passage's pages: "ocr" as soon as one of them was OCR'd (quotes from it
    should be checked against the page image), else what read its first page."""
    names = [page.extractor for page in pages]
    return "ocr" if "ocr" in names else (names[0] if names else "")


def relabel(passages: list[Passage], labels: list[str | None]) -> list[Passage]:
    """The passages with their page numbers taken from `labels` (one per physical page)."""

    def label(index: int | None) -> str | None:
        return labels[index - 1] if index is not None and 0 < index <= len(labels) else None

    return [
        replace(
            p, page=label(p.page_index), page_end=label(p.page_index_end),
            page_breaks=tuple((offset, index, label(index)) for offset, index, _old in p.page_breaks),
        )
        for p in passages
    ]


def passage_id(doc_id: str, ordinal: int) -> str:
    return f"{doc_id}-{ordinal}"
