"""Printed page numbers read off the pages themselves, fitted over the whole document.

Most reports have no /PageLabels, almost all have a cover, and many number their pages from
the first page after it: citing the physical page is then wrong on every page. Here each
page's top and bottom lines are read for the forms a page number takes ("7", "- 7 -",
"Page 7", "7 / 45", "7 | Report title", "Report title 7", roman "iv"); then the document is
fitted: a number counts only when it agrees with its neighbours, i.e. when several pages show
numbers at the same distance from their physical page (a run). Runs fill the pages between
and around them that show no number; a run of roman numerals in the front matter may be
followed by an arabic one. A number in body text or a table agrees with nothing and is ignored.
When nothing consistent is found, the PDF's own page labels or the physical pages are used.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ._clean import is_table_row

PRINTED, LABEL, PHYSICAL = "printed", "label", "physical"
PAGE_SOURCES = (PRINTED, LABEL, PHYSICAL)

_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
# arabic, roman, or an appendix's letter and number ("A-3", "B.12")
_NUMBER = r"(\d{1,4}|[ivxlc]{1,7}|[IVXLC]{1,7}|[A-Z][-.–]\d{1,3})"
# A line that is only a page number: "7", "- 7 -", "(7)", "Page 7", "p. 7", "7 / 45", "Page 7 of 45".
_WHOLE = re.compile(
    rf"^(?:page|p\.|pg\.?|seite|s\.|pagina|página|pág\.?)?\s*[-–—(\[]?\s*{_NUMBER}\s*[-–—)\]]?"
    r"\s*(?:(?:of|/|von|de|sur|di)\s*\d{1,4})?$",
    re.IGNORECASE,
)
# "page 7 of 12" anywhere in a line; "page 7" only where it ends the line or starts a short one
# ("Page 7 records the review..." is a sentence, not a footer).
_WORD_PAGE = re.compile(
    r"\b(?:page|seite|pagina|página)\s+(\d{1,4})(?:\s+(?:of|von|de|di)\s+\d{1,4}\b|$|(?=(?:\s+\S+){0,3}$))", re.IGNORECASE
)
_OF_TOTAL = re.compile(r"(?<![\d.,/])(\d{1,4})\s*/\s*(\d{1,4})(?![\d.,/])")
# A number at either end of a running header or footer, set off by a bar, dash, bullet or spaces.
_LEADING = re.compile(rf"^{_NUMBER}(?:\s*[|•·–—]\s*|\s+)(?=\S)")
_TRAILING = re.compile(rf"(?<=\S)(?:\s*[|•·–—]\s*|\s+){_NUMBER}$")
_GLUED_TRAILING = re.compile(r"(?<=[^\W\d_]\s)\S*[^\W\d_](\d{1,4})$")  # "Reports by ESP3": the space lost
_SPACED_DIGITS = re.compile(r"^\d(?: \d){1,3}$")  # "1 0": a number whose digits the PDF's spacing split

STRONG, WEAK = 2, 1  # a line that is only a number, or says "page", outweighs a number at a line's end


@dataclass(frozen=True)
class Candidate:
    value: int
    roman: str | None  # the style: None for arabic, "lower" / "upper" for roman, "A-" for "A-3"
    strength: int


@dataclass(frozen=True)
class Run:
    """Pages first..last (physical, 1-based) numbered physical + offset, in arabic or roman."""

    first: int
    last: int
    offset: int
    roman: str | None
    seen: int  # pages of the run where the number was read off the page
    gap: int = 0  # the most pages in a row inside the run that show no number


@dataclass(frozen=True)
class Numbering:
    labels: tuple[str | None, ...]  # per physical page: the number to cite, None when unnumbered
    source: str  # printed | label | physical
    runs: tuple[Run, ...] = ()  # the runs read off the pages (source printed)
    # Per page, the header or footer line its number was read from (None where none was):
    # running furniture to drop from the page's text.
    number_lines: tuple[str | None, ...] = ()


def roman_value(text: str) -> int | None:
    lower = text.lower()
    if not lower or not _ROMAN.match(lower):
        return None
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    total = 0
    for i, ch in enumerate(lower):
        value = values[ch]
        total += -value if i + 1 < len(lower) and values[lower[i + 1]] > value else value
    return total or None


def to_roman(value: int, case: str = "lower") -> str:
    out = []
    for number, numeral in ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while value >= number:
            out.append(numeral)
            value -= number
    text = "".join(out)
    return text.upper() if case == "upper" else text


def _number(token: str, whole_line: bool) -> Candidate | None:
    if token[:1].isupper() and len(token) > 2 and token[2:].isdigit() and token[1] in "-.–":  # "A-3"
        value = int(token[2:])
        return Candidate(value, token[:2].replace("–", "-"), 0) if value > 0 else None
    if token.isdigit():
        value = int(token)
        return Candidate(value, None, 0) if 0 < value < 5000 else None
    value = roman_value(token)
    if value is None:
        return None
    if token.isupper():
        # "I", "C", "XL" at a line's end are words or sizes far more often than page numbers.
        return Candidate(value, "upper", 0) if whole_line else None
    if token.islower():
        return Candidate(value, "lower", 0)
    return None


def read_line(line: str) -> list[Candidate]:
    """The page numbers a header or footer line may hold (usually none or one)."""
    text = " ".join(line.split())
    if not text or len(text) > 160:
        return []
    if _SPACED_DIGITS.match(text):
        text = text.replace(" ", "")
    found: list[Candidate] = []

    def add(token: str, strength: int, whole: bool = False) -> None:
        candidate = _number(token, whole)
        if candidate is not None:
            found.append(Candidate(candidate.value, candidate.roman, strength))

    whole = _WHOLE.match(text)
    if whole:
        add(whole.group(1), STRONG, whole=True)
        return found
    for match in _WORD_PAGE.finditer(text):
        add(match.group(1), STRONG)
    for match in _OF_TOTAL.finditer(text):
        if int(match.group(1)) <= int(match.group(2)):
            add(match.group(1), STRONG)
    if found:
        return found
    if is_table_row(text):
        return found  # "Service 9 1,040 10": the cells of a table, not a running footer
    barred = "|" in text or "•" in text or "·" in text
    leading, trailing = _LEADING.match(text), _TRAILING.search(text)
    if leading:
        add(leading.group(1), STRONG if barred else WEAK)
    if trailing:
        add(trailing.group(1), STRONG if barred else WEAK)
    elif glued := _GLUED_TRAILING.search(text):
        add(glued.group(1), WEAK)
    return found


def fit(candidates: list[list[Candidate]], min_share: float = 0.2) -> tuple[Run, ...]:
    """Runs of pages whose numbers agree: the same distance from the physical page, in the
    same numerals, on several pages. `candidates[i]` holds what page i+1's edges show."""
    page_count = len(candidates)
    groups: dict[tuple[int, str | None], dict[int, int]] = {}
    for index, found in enumerate(candidates, start=1):
        for candidate in found:
            pages = groups.setdefault((candidate.value - index, candidate.roman), {})
            pages[index] = max(pages.get(index, 0), candidate.strength)
    runs: list[Run] = []
    ranked = sorted(groups.items(), key=lambda item: (-sum(item[1].values()), -len(item[1]), item[0][1] is not None))
    for (offset, roman), pages in ranked:
        seen = sorted(pages)
        # Two pages make a run only in a short document, or in numerals of their own (front
        # matter in roman, an appendix's "A-1"), and only when both show the number plainly:
        # elsewhere two numbers in a row are as often an exhibit's "31.1", "31.2".
        if len(seen) < 2 or (len(seen) == 2 and (min(pages.values()) < STRONG or (roman is None and page_count > 3))):
            continue
        first, last = seen[0], seen[-1]
        span = last - first + 1
        if len(seen) / span < 0.3:  # scattered matches: a coincidence, not a run
            continue
        if any(first <= run.last and run.first <= last for run in runs):
            continue  # a stronger run already numbers these pages
        gap = max((b - a - 1 for a, b in zip(seen, seen[1:])), default=0)
        runs.append(Run(first, last, offset, roman, len(seen), gap))
    runs.sort(key=lambda run: run.first)
    seen_pages = sum(run.seen for run in runs)
    if not runs or seen_pages < max(2, min_share * page_count):
        return ()
    return tuple(runs)


def labels_from_runs(runs: tuple[Run, ...], page_count: int) -> tuple[str | None, ...]:
    """The number of every page: a run numbers its own pages and, continuing its count, as many
    unnumbered pages after it as its own longest stretch without a printed number (at least
    one: a back cover); pages before the first run count back from it while the count stays
    above zero. Other pages (an appended exhibit, say) are unnumbered (None)."""
    labels: list[str | None] = [None] * page_count
    for k, run in enumerate(runs):
        end = min(runs[k + 1].first - 1 if k + 1 < len(runs) else page_count, run.last + max(1, run.gap))
        for index in range(run.first, end + 1):
            labels[index - 1] = _label(index + run.offset, run.roman)
    if runs:
        first = runs[0]
        for index in range(first.first - 1, 0, -1):
            labels[index - 1] = _label(index + first.offset, first.roman)
            if labels[index - 1] is None:
                break
    return tuple(labels)


def _label(value: int, roman: str | None) -> str | None:
    if value < 1:
        return None
    if roman in ("lower", "upper"):
        return to_roman(value, roman)
    return f"{roman or ''}{value}"


def number_pages(edge_lines: list[list[str]], pdf_labels: list[str] | None) -> Numbering:
    """Decide where each page's citable number comes from.

    `edge_lines[i]`: the top and bottom lines of page i+1; `pdf_labels`: the PDF's /PageLabels
    (None when it has none). Printed numbers win when a fit is found, unless the PDF's labels
    agree with every number seen and name each page once (then the labels, which the
    publisher set for every page);
    with nothing printed, the labels; else the physical pages."""
    page_count = len(edge_lines)
    read = [[(line, read_line(line)) for line in lines] for lines in edge_lines]
    runs = fit([[c for _line, found in lines for c in found] for lines in read])
    if runs:
        number_lines = _running_lines([_number_line(read[index - 1], index, runs) for index in range(1, page_count + 1)])
        if pdf_labels and len(pdf_labels) == page_count and len(set(pdf_labels)) == page_count and _labels_agree(pdf_labels, runs):
            return Numbering(tuple(pdf_labels), LABEL, runs, number_lines)
        return Numbering(labels_from_runs(runs, page_count), PRINTED, runs, number_lines)
    if pdf_labels and len(pdf_labels) == page_count:
        return Numbering(tuple(pdf_labels), LABEL)
    return Numbering(tuple(str(i) for i in range(1, page_count + 1)), PHYSICAL)


def _number_line(lines: list[tuple[str, list[Candidate]]], index: int, runs: tuple[Run, ...]) -> tuple[str, int] | None:
    """The line the page's number was read from, with the strength of that reading."""
    for run in runs:
        if run.first <= index <= run.last:
            for line, found in lines:
                for c in found:
                    if c.value == index + run.offset and c.roman == run.roman:
                        return line, c.strength
    return None


def _running_lines(found: list[tuple[str, int] | None]) -> tuple[str | None, ...]:
    """The number lines that are running heads or feet to drop from the text: a page number
    alone or plainly set off ("7", "Page 7", "7 | Title"), or a line that, its digits aside,
    stands on another page too ("4 1.1. TOPOLOGICAL SPACES"). A contents entry that happens to
    agree with the count ("1 Introduction 2") is neither, and stays."""
    shapes = Counter(re.sub(r"\d+", "#", line) for line, _strength in filter(None, found))
    return tuple(
        line if line is not None and (strength == STRONG or shapes[re.sub(r"\d+", "#", line)] > 1) else None
        for line, strength in (item or (None, 0) for item in found)
    )


def _labels_agree(pdf_labels: list[str], runs: tuple[Run, ...]) -> bool:
    for run in runs:
        for index in range(run.first, run.last + 1):
            if (pdf_labels[index - 1] or "").strip() != _label(index + run.offset, run.roman):
                return False
    return True


def corrected(rule: str, page_count: int) -> tuple[list[str | None], str]:
    """The page numbers a writer's correction gives, and their source: "offset:N" (the printed
    number is the physical page plus N; pages that would be numbered 0 or less are unnumbered)
    or "physical"."""
    if rule == PHYSICAL:
        return [str(index) for index in range(1, page_count + 1)], PHYSICAL
    offset = int(rule.partition(":")[2])
    return [_label(index + offset, None) for index in range(1, page_count + 1)], PRINTED


def correction_rule(offset: int | None, from_physical: bool) -> str | None:
    """What `evidex meta --page-offset N` / `--pages-from-physical` store."""
    if from_physical:
        return PHYSICAL
    return f"offset:{offset}" if offset is not None else None


def describe(labels: list[str | None], source: str) -> str:
    """How physical pages map to cited numbers, e.g. "printed 1-45 from physical 2-46; physical 1
    unnumbered" or "physical page numbers (no printed numbers found)"."""
    if source == PHYSICAL:
        if len(labels) == 1:
            return "physical page 1 (no printed number found)"
        return f"physical pages 1-{len(labels)} (no printed numbers found)" if labels else "no pages"
    noun = "printed" if source == PRINTED else "page labels"
    parts: list[str] = []
    unnumbered: list[str] = []
    index = 1
    while index <= len(labels):
        label = labels[index - 1]
        start = index
        if label is None:
            while index < len(labels) and labels[index] is None:
                index += 1
            unnumbered.append(_span(start, index))
            index += 1
            continue
        value, roman = _value(label)
        while index < len(labels) and value is not None:
            nxt, nxt_roman = _value(labels[index])
            if nxt != value + (index - start + 1) or nxt_roman != roman:
                break
            index += 1
        last_label = labels[index - 1]
        shown = label if index == start else f"{label}-{last_label}"
        parts.append(f"{shown} from physical {_span(start, index)}")
        index += 1
    text = f"{noun} " + ", ".join(parts) if parts else f"{noun}: none"
    if unnumbered:
        text += "; physical " + ", ".join(unnumbered) + " unnumbered"
    return text


def _value(label: str | None) -> tuple[int | None, bool]:
    if label is None:
        return None, False
    if label.isdigit():
        return int(label), False
    value = roman_value(label)
    return value, value is not None


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"
