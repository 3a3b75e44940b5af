"""Footnotes: markers taken out of the sentences that cite them, note text kept apart.

A PDF's text layer sets a footnote marker as a small raised number right after a word or its
punctuation ("encryption1.", "identical.5 The"), and the note itself at the foot of the page
("5 PhotoDNA hashing ..."). Read naively, the marker glues onto the word and the note runs
into the last sentence of the page, so a writer's quote carries both. A number glued to a
word is only taken for a marker when the document's glued numbers count up (1, 2, 3, ... with
a few missed) through the text: "sha256" or "goodkey1" once do not form such a chain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# 1-3 digits right after three lower-case letters, or after a word's closing punctuation, or
# set off by spaces between a sentence's end and the next one ("the same hash. 4 Visually").
# (Each starts with a look ahead for the digit, so the look behind runs only where one stands.)
_AFTER_WORD = re.compile(r"(?=\d)(?<=[^\W\d_]{3})(\d{1,3})(?=[\s.,;:!?)\]”’\"']|$)")
_AFTER_PUNCTUATION = re.compile(r"(?=\d)(?<=[^\W\d_][.,;:”’\"')])(\d{1,3})(?=\s|$)")
_BETWEEN_SENTENCES = re.compile(r"(?= \d)(?<=[^\W\d_][.”’\"')]) (\d{1,2})(?= [A-Z][a-z])")
_AT_LINE_START = re.compile(r"(?=\s\d)(?<=[^\W\d_][.”’\"')])\s(\d{1,2})(?= [A-Z][a-z])")
_NOT_PROSE = re.compile(r"[/@_=\\]|\.[^\W\d_]|\d[^\W\d_]|[^\W\d_]\d[^\W\d_]")  # URLs, file names, identifiers
_NOTE_START = re.compile(r"^(\d{1,3})(?:\s+(?=\S)|(?=[A-Z\u00c0-\u00de„“\"(]))")
_LONE_NUMBER = re.compile(r"^(\d{1,3})$")
_MAX_STEP = 4  # markers may be missed (a marker glued to a number, say): the count may skip up to 3
_MIN_CHAIN = 3


@dataclass(frozen=True)
class Marker:
    page: int  # 0-based position of the page in the document
    start: int  # offset of the marker (its digits, and the space before them when it has one)
    end: int
    value: int


def separate(pages: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """Each page's lines without its footnote markers and notes, and its notes (each without
    its number). `pages` holds the lines of each page, running headers and footers removed."""
    texts = ["\n".join(lines) for lines in pages]
    by_page: dict[int, list[Marker]] = {}
    for marker in find_markers(texts):
        by_page.setdefault(marker.page, []).append(marker)
    bodies: list[list[str]] = []
    notes: list[list[str]] = []
    for position, lines in enumerate(pages):
        markers = by_page.get(position, [])
        start, page_notes = split_notes(lines, {marker.value for marker in markers})
        body = "\n".join(lines[:start])
        cut = len(body)
        in_body = [marker for marker in markers if marker.start < cut]
        # A note on this page whose marker the chain missed: take it out of the body too.
        missed = {number for number, _text in page_notes} - {marker.value for marker in in_body}
        if missed:
            in_body += [m for m in _candidates([body], loose=True) if m.value in missed]
        body = strip_markers(body, in_body)
        bodies.append(body.split("\n") + [""] * (len(lines) - start))
        notes.append([text for _number, text in page_notes])
    return bodies, notes


def _candidates(pages: list[str], loose: bool = False) -> list[Marker]:
    """Numbers that may be markers. `loose` (a note of the page names the number) also takes
    one that starts a line after a sentence's end ("hash.\\n4 Visually")."""
    found: list[Marker] = []
    patterns = [_AFTER_WORD, _AFTER_PUNCTUATION, _BETWEEN_SENTENCES] + ([_AT_LINE_START] if loose else [])
    for position, text in enumerate(pages):
        for pattern in patterns:
            for match in pattern.finditer(text):
                value = int(match.group(1))
                if value < 1:
                    continue
                if pattern is _AFTER_WORD and not text[match.start() - 3 : match.start()].islower():
                    continue  # "SHA1", "MD5": names, not markers
                token_start = text.rfind(" ", 0, match.start(1)) + 1
                rest = re.search(r"\s", text[match.end():])
                token_end = len(text) if rest is None else match.end() + rest.start()
                token = text[token_start:match.start(1)] + text[match.end():token_end]
                if _NOT_PROSE.search(token.strip("\"'“”‘’()[].,;:!?")):
                    continue
                found.append(Marker(position, match.start(), match.end(), value))
    found.sort(key=lambda m: (m.page, m.start))
    return found


def find_markers(pages: list[str]) -> list[Marker]:
    """The footnote markers of a document: the longest chain of glued numbers that counts up."""
    candidates = _candidates(pages)
    if len(candidates) < _MIN_CHAIN:
        return []
    best = [1] * len(candidates)
    previous = [-1] * len(candidates)
    for j, marker in enumerate(candidates):
        for i in range(max(0, j - 200), j):
            step = marker.value - candidates[i].value
            if 0 < step <= _MAX_STEP and best[i] + 1 > best[j]:
                best[j], previous[j] = best[i] + 1, i
    end = max(range(len(candidates)), key=lambda k: best[k])
    if best[end] < _MIN_CHAIN:
        return []
    chain = []
    while end >= 0:
        chain.append(candidates[end])
        end = previous[end]
    chain.reverse()
    if chain[0].value > 10:  # a count that starts high is not footnote numbering
        return []
    return chain


def strip_markers(text: str, markers: list[Marker]) -> str:
    """The text without the markers (offsets into this text)."""
    for marker in sorted(markers, key=lambda m: m.start, reverse=True):
        text = text[: marker.start] + text[marker.end :]
    return text


def split_notes(lines: list[str], values: set[int]) -> tuple[int, list[tuple[int, str]]]:
    """Where a page's notes start (a line index; len(lines) when it has none) and the notes,
    each (number, text without its number).

    The notes start at the first line, in the lower part of the page, that begins with the
    number of a marker on this page or the one before it (or is that number alone); earlier
    lines that begin with the numbers just before it are notes too."""
    if not values:
        return len(lines), []
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        return len(lines), []
    wanted = values | {value - 1 for value in values}
    start = next((i for i in nonblank[len(nonblank) // 3 :] if _leading_number(lines, i) in wanted), None)
    if start is None:
        return len(lines), []
    expected = _leading_number(lines, start)
    earlier = [i for i in nonblank if i < start]
    while earlier and expected is not None and _leading_number(lines, earlier[-1]) == expected - 1:
        start = earlier.pop()
        expected -= 1
    notes: list[tuple[int, list[str]]] = []
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if not line:
            continue
        leading = _leading_number(lines, i)
        if leading is not None and (not notes or leading == notes[-1][0] + 1 or leading in values):
            match = _NOTE_START.match(line) or _LONE_NUMBER.match(line)
            notes.append((leading, []))
            line = line[match.end():].strip() if match else line
        for piece in _split_inline(line, notes[-1][0]):
            if piece is None:
                notes.append((notes[-1][0] + 1, []))
            else:
                notes[-1][1].append(piece)
    texts = [(number, " ".join(" ".join(part).split())) for number, part in notes]
    return start, [(number, text) for number, text in texts if text]


def _leading_number(lines: list[str], i: int) -> int | None:
    line = lines[i].strip()
    match = _NOTE_START.match(line)
    if match:
        return int(match.group(1))
    lone = _LONE_NUMBER.match(line)
    if lone and i + 1 < len(lines) and lines[i + 1].strip()[:1].isalpha():
        return int(lone.group(1))
    return None


def _split_inline(line: str, number: int):
    """The pieces of a note line, with None where the next note starts inside it
    ("... (2)). 2 References to ..."): yields text, None, text."""
    nxt = re.search(rf"(?<=[.)\]])\s+{number + 1}\s+(?=[A-Z])", line)
    if nxt is None:
        yield line
        return
    yield line[: nxt.start()]
    yield None
    yield from _split_inline(line[nxt.end() :], number + 1)
