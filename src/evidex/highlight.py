"""Snippets: the part of a passage where the query matched, with the matches marked.

Marks are the control characters START and END, so each output format can render them its
own way (colour on a terminal, **bold** in Markdown and JSON).
"""

from __future__ import annotations

import re

from . import analysis
from .query import Highlights

_JOINER = re.compile(r"[ \-‐–]{0,3}")

START, END = "\x02", "\x03"


def match_spans(text: str, wanted: Highlights) -> list[tuple[int, int]]:
    """(start, end) of what the query matched in text: words, prefixes, whole phrases.

    Neighbouring matches joined only by spaces or hyphens become one span, so
    "end-to-end encryption" is marked as one piece.
    """
    toks = analysis.tokens(text)
    marked = [False] * len(toks)
    for i, (stem, _start, _end) in enumerate(toks):
        if stem in wanted.words or any(stem.startswith(p) for p in wanted.prefixes):
            marked[i] = True
    stems = [t[0] for t in toks]
    for phrase in wanted.phrases:
        n = len(phrase)
        for i in range(len(toks) - n + 1):
            if tuple(stems[i : i + n]) == phrase:
                for k in range(i, i + n):
                    marked[k] = True
    spans: list[tuple[int, int]] = []
    for (stem, start, end), is_marked in zip(toks, marked):
        if not is_marked:
            continue
        if spans and _JOINER.fullmatch(text[spans[-1][1] : start]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


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
