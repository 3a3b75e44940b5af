"""Text cleanup shared by the extractors: characters, hyphenation, line re-flow, page furniture."""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter

_DROP_CATEGORIES = {"Cc", "Co", "Cs", "Cn"}  # control, private use, surrogates, unassigned
_KEEP_CONTROLS = {"\n", "\t", "\f"}
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_SOFT_HYPHEN = "\u00ad"
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", re.UNICODE)
# (A match starts only where a word does: tried inside words too, it would rescan each word.)
_HYPHEN_BREAK = re.compile(r"(?<![^\W\d_])([^\W\d_]+(?:-[^\W\d_]+)*) ?- ?\n ?([^\W\d_]+(?:-[^\W\d_]+)*)", re.UNICODE)
_SPLIT_PAIR = re.compile(r"(?<![\w-])([^\W\d_]+) ([^\W\d_A-Z]+)(?![\w-])", re.UNICODE)
# Prefixes that English writes closed up ("nonmalicious") when a line break hyphenates them.
_CLOSED_PREFIXES = {"non", "anti", "multi", "pre", "re", "un", "sub", "inter", "intra", "over", "under", "co", "counter", "semi", "pseudo", "cyber"}
_BULLET = re.compile(r"^\s*(?:[•·▪◦●\-–—*]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_SENTENCE_END = re.compile(r"[.!?:;\"”’)\]]\s*$")
_PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:page|p\.|seite|pág\.?)?\s*[-–—|(\[]?\s*([0-9]{1,4}|[ivxlcdm]{1,7})\s*[-–—|)\]]?"
    r"\s*(?:(?:of|/|von)\s*\d{1,4})?\s*$",
    re.IGNORECASE,
)


def normalise_characters(text: str) -> str:
    """NFKC (ligatures, full-width forms), drop NUL/control/private-use characters, unify spaces.

    The micro sign stays a micro sign (NFKC would make it a Greek mu)."""
    text = unicodedata.normalize("NFKC", text.replace(_SOFT_HYPHEN, "").replace("µ", "\x00MICRO\x00")).replace("\x00MICRO\x00", "µ")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(unicodedata.category(ch) in _DROP_CATEGORIES and ch not in _KEEP_CONTROLS for ch in text):
        text = "".join(
            ch for ch in text if ch in _KEEP_CONTROLS or unicodedata.category(ch) not in _DROP_CATEGORIES
        )
    return _SPACES.sub(" ", text)


def vocabulary(texts) -> Counter:
    """Lower-cased words of a document, without the fragments of words hyphenated at line ends."""
    counts: Counter = Counter()
    for text in texts:
        text = _HYPHEN_BREAK.sub(" ", text)
        counts.update(match.group(0).lower() for match in _WORD.finditer(text))
    return counts


def join_hyphenated(text: str, vocab: Counter | None = None) -> str:
    """Re-join words hyphenated across a line end: "preven-\ntion" -> "prevention".

    With the document's vocabulary, a compound keeps its hyphen: "signal-\nto-noise" stays
    "signal-to-noise" when the document never writes "signalto" but does use "signal" and "to"
    as words; a word it writes whole elsewhere is re-joined.
    """

    def repl(match: re.Match) -> str:
        left, right = match.group(1), match.group(2)
        if right[0].isupper() and not left[-1].isupper():
            return f"{left}-{right}"
        if len(left) > 1 and left.isupper():  # an acronym: "AI-\ngenerated"
            return f"{left}-{right}"
        if vocab is not None:
            head = left.rsplit("-", 1)[-1].lower()
            tail = right.split("-", 1)[0].lower()
            if vocab.get(head + tail, 0) > 0:
                return left + right  # the document writes it as one word elsewhere
            if vocab.get(f"{head}-{tail}", 0) > 0 or ("-" in right and vocab.get(tail, 0) > 0):
                return f"{left}-{right}"  # ... or with its hyphen
            if head in _CLOSED_PREFIXES and "-" not in left:
                return left + right
            if vocab.get(head, 0) > 0 and vocab.get(tail, 0) > 0 and len(tail) > 2 and len(head) > 1:
                return f"{left}-{right}"  # two words of the document: a compound ("by-product")
        return left + right

    return _HYPHEN_BREAK.sub(repl, text)


def repair_split_words(pages: list[str]) -> list[str]:
    """Re-join words that a PDF's spacing split in two ("exploitatio n", "submit ting").

    A pair "a b" is joined when the document also writes "ab" as one word, and one of the
    two pieces never stands alone elsewhere in the document (so it is a fragment, not a word).
    """
    vocab = vocabulary(pages)
    pairs: Counter = Counter()
    for text in pages:
        for match in _SPLIT_PAIR.finditer(text):
            pairs[(match.group(1).lower(), match.group(2).lower())] += 1
    joinable = {
        (a, b)
        for (a, b), n in pairs.items()
        if vocab.get(a + b, 0) > 0 and (vocab.get(a, 0) <= n or vocab.get(b, 0) <= n)
    }
    if not joinable:
        return pages

    def repl(match: re.Match) -> str:
        a, b = match.group(1), match.group(2)
        return a + b if (a.lower(), b.lower()) in joinable else match.group(0)

    return [_SPLIT_PAIR.sub(repl, text) for text in pages]


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER_LINE.match(line))


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def remove_page_furniture(
    pages: list[list[str]], labels: list[str] | None = None, edge: int = 3, number_lines: list[str | None] | None = None
) -> list[list[str]]:
    """Drop running headers/footers and page numbers.

    `pages` holds the lines of each page. A short line is furniture when the same line
    (digits ignored) stands on at least half of the pages, and on three or more: at an edge
    of the page, or anywhere when it is on nearly every page (some producers write the
    header in the middle of the content stream). A line that is only a page number is
    furniture at an edge of the page or next to other furniture, and so is, at an edge, the
    line a page's printed number was read from (`number_lines`, compared word for word in any
    order, as extractors may disagree on the order).
    """
    if not pages:
        return pages
    edge_counts: Counter = Counter()
    anywhere_counts: Counter = Counter()
    for lines in pages:
        edge_counts.update({k for k in (_furniture_key(line) for line in _edges(lines, edge)) if k})
        anywhere_counts.update({k for k in (_furniture_key(line) for line in lines) if k and len(k.split()) <= 15})
    threshold = max(3, (len(pages) + 1) // 2)
    near_all = max(3, int(len(pages) * 0.8 + 0.999))
    at_edge = {key for key, count in edge_counts.items() if count >= threshold}
    anywhere = {key for key, count in anywhere_counts.items() if count >= near_all and re.search(r"[^\W\d_]{2}", key)}
    cleaned = []
    for number, lines in enumerate(pages):
        keep = list(lines)
        nonblank = [i for i, line in enumerate(keep) if line.strip()]
        edge_positions = set(nonblank[:edge]) | set(nonblank[-edge:])
        page_numbers = {str(number + 1)}
        if labels and number < len(labels) and labels[number]:
            page_numbers.add(labels[number].lower())
        number_line = number_lines[number] if number_lines and number < len(number_lines) else None
        number_words = _word_bag(number_line) if number_line else None
        removed = set()
        for i in nonblank:
            key = _furniture_key(keep[i])
            if key in anywhere or (i in edge_positions and (key in at_edge or is_page_number(keep[i]))):
                removed.add(i)
            elif number_words and i in edge_positions and _word_bag(keep[i]) == number_words:
                removed.add(i)
        for i in nonblank:  # a bare page number beside a running header or footer
            if i not in removed and keep[i].strip().lower() in page_numbers and ({i - 1, i + 1} & removed):
                removed.add(i)
        for i in removed:
            keep[i] = ""
        cleaned.append(keep)
    return cleaned


def _word_bag(line: str) -> tuple[str, ...]:
    return tuple(sorted(re.findall(r"\w+", line.lower())))


def _edges(lines: list[str], edge: int) -> list[str]:
    nonblank = [line for line in lines if line.strip()]
    return nonblank[:edge] + nonblank[-edge:] if len(nonblank) > edge * 2 else nonblank


def reflow(lines: list[str]) -> str:
    """Join the lines of one page into paragraphs separated by blank lines.

    A paragraph ends at a blank line, before a bulleted or numbered item, or after a line
    that ends a sentence and is clearly shorter than the page's usual line.
    """
    stripped = [line.strip() for line in lines]
    lengths = [len(line) for line in stripped if len(line) > 20 and not is_table_row(line)]
    usual = statistics.median(lengths) if lengths else 0
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for i, line in enumerate(stripped):
        if not line:
            if current:
                paragraphs.append(current)
                current = []
            continue
        if is_table_row(line):
            # A table row stands alone, never run into the prose around it; a short line just
            # before it that ends no sentence is its label, wrapped ("Other Federal" / "Agencies 23 ...").
            label = current if current and len(current) == 1 and _is_wrapped_label(current[0]) else []
            if current and not label:
                paragraphs.append(current)
            paragraphs.append(label + [line])
            current = []
            continue
        if current and _BULLET.match(line):
            paragraphs.append(current)
            current = []
        current.append(line)
        nxt = stripped[i + 1] if i + 1 < len(stripped) else ""
        short = usual and len(line) < 0.7 * usual
        if short and nxt[:1].isupper() and (_SENTENCE_END.search(line) or _looks_like_heading(line, usual)):
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return "\n\n".join(_join_lines(paragraph) for paragraph in paragraphs)


_NUMERIC = re.compile(r"^[-+(]?[$€£¥]?\d[\d,.]*%?\)?$")
_NUMBER_TOKEN = re.compile(r"(?:^|\s)[-+($€£¥]*\d")  # where a token starts with a figure


def is_table_row(line: str) -> bool:
    """A line of a table: it ends in two or more numbers in a row ("Total reports 21,751,085
    29,397,681"), or three or more numbers make up half of its cells."""
    if len(_NUMBER_TOKEN.findall(line)) < 2:
        return False  # most lines: no two numbers at all
    tokens = line.split()
    numeric = [bool(_NUMERIC.match(token)) for token in tokens]
    trailing = len(numeric) - next((i for i in range(len(numeric) - 1, -1, -1) if not numeric[i]), -1) - 1
    count = sum(numeric)
    return trailing >= 2 or (count >= 3 and count * 2 >= len(tokens))


def _is_wrapped_label(line: str) -> bool:
    return len(line.split()) <= 4 and not _SENTENCE_END.search(line) and not is_table_row(line)


def _looks_like_heading(line: str, usual: float) -> bool:
    """A short line that starts like a heading and does not run on into the next line."""
    return (
        len(line) < 0.6 * usual
        and len(line.split()) <= 10
        and (line[:1].isupper() or line[:1].isdigit())
        and not line.endswith((",", ";", "-", "–", "—"))
        and line.split()[-1].lower() not in _RUN_ON_WORDS
    )


_RUN_ON_WORDS = {"a", "an", "the", "and", "or", "of", "to", "in", "for", "with", "on", "by", "from", "that", "as", "at"}


def _join_lines(lines: list[str]) -> str:
    text = "\n".join(lines)
    text = join_hyphenated(text)  # fallback when the caller did not join with a vocabulary
    return " ".join(text.split())


def clean_plain_text(text: str) -> str:
    """Cleanup for text that is already laid out as paragraphs (text files, web articles)."""
    text = normalise_characters(text)
    blocks = re.split(r"\n\s*\n", text)
    out = []
    for block in blocks:
        joined = " ".join(block.split())
        if joined:
            out.append(joined)
    return "\n\n".join(out)
