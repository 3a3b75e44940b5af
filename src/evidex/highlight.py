"""Snippets: the part of a passage where the query matched, with the matches marked.

Marks are the control characters START and END, so each output format can render them its
own way (colour on a terminal, **bold** in Markdown and JSON).
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import analysis
from .query import Highlights

_JOINER = re.compile(r"[ \-‐–]{0,3}")

START, END = "\x02", "\x03"


def match_spans(text: str, wanted: Highlights) -> list[tuple[int, int]]:
    """(start, end) of what the query matched in text: words, prefixes, whole phrases.

    Neighbouring matches joined only by spaces or hyphens become one span, so
    "end-to-end encryption" is marked as one piece. Only words that could match are
    stemmed: a regular expression of the query's word beginnings finds them first.
    """
    finder = _finder(wanted)
    if finder is None:
        return []
    folded = text.lower() if text.isascii() else text.translate(_FOLD).lower()  # folding keeps offsets
    candidates = [(analysis.stem(text[m.start() : m.end()]), m.start(), m.end()) for m in finder.finditer(folded)]
    marked = [
        stem in wanted.words or any(stem.startswith(p) for p in wanted.prefixes) for stem, _s, _e in candidates
    ]
    for phrase in wanted.phrases:
        n = len(phrase)
        for i in range(len(candidates) - n + 1):
            if all(candidates[i + k][0] == phrase[k] for k in range(n)) and all(
                not _WORDY.search(text, candidates[i + k][2], candidates[i + k + 1][1]) for k in range(n - 1)
            ):
                for k in range(i, i + n):
                    marked[k] = True
    spans: list[tuple[int, int]] = []
    for (stem, start, end), is_marked in zip(candidates, marked):
        if not is_marked:
            continue
        if spans and _JOINER.fullmatch(text[spans[-1][1] : start]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


_WORDY = re.compile(r"\w")


@lru_cache(maxsize=256)
def _finder(wanted: Highlights) -> re.Pattern | None:
    """A regular expression for the words that may stem to what the query looks for."""
    beginnings = set(wanted.prefixes)
    for stem in set(wanted.words) | {s for phrase in wanted.phrases for s in phrase}:
        # Porter stems are word beginnings but for their last letter ("happi" from "happy").
        beginnings.add(stem[:-1] if len(stem) >= 3 else stem)
    beginnings = {b.translate(_FOLD).lower() for b in beginnings if b}
    if not beginnings:
        return None
    alternation = "|".join(sorted((re.escape(b) for b in beginnings), key=len, reverse=True))
    return re.compile(rf"(?<![\w.'’])(?:{alternation})\w*(?:[.'’]\w+)*")


def _fold_table() -> dict[int, str]:
    """Accented Latin letters to their base letter, one character for one, for str.translate."""
    import unicodedata

    table = {ord("’"): "'"}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[:1]
        if base.isascii() and base.isalpha() and base != char:
            table[code] = base
    return table


_FOLD = _fold_table()


def snippet(text: str, spans: list[tuple[int, int]], width: int = 320) -> str:
    """The best window of about `width` characters, matched spans wrapped in START/END."""
    if len(text) <= width:
        window_start, window_end = 0, len(text)
    elif not spans:
        window_start, window_end = 0, _word_end(text, width)
    else:
        # Slide a window over the matches and keep the one holding the most distinct words.
        best = (-1, 0)
        for i, (start, _end) in enumerate(spans):
            inside = {text[s:e].lower() for s, e in spans[i:] if e <= start + width}
            if len(inside) > best[0]:
                best = (len(inside), start)
        anchor = best[1]
        window_start = _word_start(text, max(0, anchor - width // 4))
        window_end = _word_end(text, min(len(text), window_start + width))
    out = []
    cursor = window_start
    for start, end in spans:
        if start < window_start or end > window_end:
            continue
        out.append(text[cursor:start])
        out.append(START + text[start:end] + END)
        cursor = end
    out.append(text[cursor:window_end])
    body = " ".join("".join(out).split())
    prefix = "…" if window_start > 0 else ""
    suffix = "…" if window_end < len(text) else ""
    return f"{prefix}{body}{suffix}"


def _word_start(text: str, position: int) -> int:
    if position <= 0:
        return 0
    space = text.rfind(" ", 0, position)
    return space + 1 if space >= 0 else 0


def _word_end(text: str, position: int) -> int:
    if position >= len(text):
        return len(text)
    space = text.find(" ", position)
    return space if space >= 0 else len(text)


def render(marked: str, style: str) -> str:
    """Turn START/END marks into a format: "ansi", "markdown" or "plain"."""
    if style == "ansi":
        return marked.replace(START, "\x1b[1;33m").replace(END, "\x1b[0m")
    if style == "markdown":
        return marked.replace(START, "**").replace(END, "**")
    return marked.replace(START, "").replace(END, "")
