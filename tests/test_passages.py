"""Passages: sentence-cut windows that keep their pages, and stable ids."""

from __future__ import annotations

from evidex.models import Document, Page
from evidex.passages import split_passages, split_sentences


def _sentences(n: int, word: str) -> str:
    return " ".join(f"The {word} number {i} has seven more words in it." for i in range(n))


def test_sentences_respect_abbreviations():
    text = "The U.S. agency said e.g. more reports came in. Dr. Smith agreed. A second point follows!"
    assert split_sentences(text) == [
        "The U.S. agency said e.g. more reports came in.",
        "Dr. Smith agreed.",
        "A second point follows!",
    ]


def test_windows_are_within_bounds_and_cut_at_sentences():
    doc = Document(kind="text", source="x", sha256="0" * 64, pages=(Page(1, None, _sentences(60, "report")),))
    passages = split_passages(doc, "doc", min_words=60, max_words=120)
    assert len(passages) > 3
    for p in passages:
        assert len(p.text.split()) <= 120
        assert p.text.endswith(".")
    assert [p.id for p in passages] == [f"doc-{i}" for i in range(1, len(passages) + 1)]


def test_a_paragraph_across_a_page_break_records_both_pages():
    page1 = _sentences(3, "alpha") + "\n\n" + "This closing sentence of the page continues on the"
    page2 = "next page without a break and then ends here. " + _sentences(3, "beta")
    doc = Document(
        kind="pdf", source="x.pdf", sha256="1" * 64, page_source="printed",
        pages=(Page(1, "iv", page1), Page(2, "v", page2)),
    )
    passages = split_passages(doc, "d", min_words=10, max_words=200)
    spanning = [p for p in passages if "continues on the next page" in p.text]
    assert len(spanning) == 1
    p = spanning[0]
    assert (p.page, p.page_end, p.page_index, p.page_index_end) == ("iv", "v", 1, 2)
    # The page of a character is known inside the passage, for pinpoint citations.
    assert p.page_at(p.text.index("alpha") if "alpha" in p.text else 0)[1] in ("iv",)
    assert p.page_at(p.text.index("ends here"))[1] == "v"


def test_ids_are_stable_for_the_same_text():
    doc = Document(kind="text", source="x", sha256="2" * 64, pages=(Page(1, None, _sentences(40, "gamma")),))
    first = split_passages(doc, "abc")
    second = split_passages(doc, "abc")
    assert [(p.id, p.text) for p in first] == [(p.id, p.text) for p in second]


def test_web_passages_carry_paragraph_numbers():
    paragraphs = "\n\n".join(_sentences(2, f"para{i}") for i in range(1, 9))
    doc = Document(kind="html", source="a.html", sha256="3" * 64, pages=(Page(1, None, paragraphs),))
    passages = split_passages(doc, "w", min_words=30, max_words=60)
    assert passages[0].paragraph == 1
    assert passages[-1].paragraph_end == 8
    assert all(p.page is None for p in passages)


def test_a_sentence_cut_for_length_keeps_its_pages():
    long_sentence_start = " ".join(["alpha"] * 30)
    long_sentence_end = " ".join(["omega"] * 30) + "."
    doc = Document(
        kind="pdf", source="x.pdf", sha256="4" * 64, page_source="printed",
        pages=(Page(1, "1", long_sentence_start), Page(2, "2", long_sentence_end)),
    )
    passages = split_passages(doc, "d", min_words=5, max_words=20)
    assert passages[0].page == "1" and passages[-1].page == "2"
    assert all(p.page_end == p.page for p in passages if "alpha" not in p.text or "omega" not in p.text)


def test_footnotes_are_passages_of_their_own_with_their_page_and_no_paragraph():
    body1 = _sentences(12, "alpha")
    body2 = _sentences(12, "beta")
    note = "See the annual figures for the methodology behind this estimate."
    doc = Document(
        kind="pdf", source="x.pdf", sha256="5" * 64, page_source="printed",
        pages=(Page(1, "7", body1, asides=(note,)), Page(2, "8", body2)),
    )
    passages = split_passages(doc, "d", min_words=10, max_words=60)
    notes = [p for p in passages if "methodology" in p.text]
    assert len(notes) == 1 and notes[0].text == note
    assert (notes[0].page, notes[0].page_index, notes[0].paragraph) == ("7", 1, None)
    assert all("methodology" not in p.text for p in passages if p is not notes[0])
    # the note stands after its page's body and before the next page's
    at = passages.index(notes[0])
    assert at > max(i for i, p in enumerate(passages) if "alpha" in p.text)
    assert at < min(i for i, p in enumerate(passages) if "beta" in p.text)


def test_an_unnumbered_page_has_no_printed_page_but_its_physical_one():
    doc = Document(
        kind="pdf", source="x.pdf", sha256="6" * 64, page_source="printed",
        pages=(Page(1, None, _sentences(12, "cover")), Page(2, "1", _sentences(12, "body"))),
    )
    passages = split_passages(doc, "d", min_words=10, max_words=60)
    cover = next(p for p in passages if "cover" in p.text)
    assert (cover.page, cover.page_index) == (None, 1)
    from evidex.cite import locator

    assert locator(cover) == "unnumbered page (PDF p. 1)"
    assert locator(next(p for p in passages if "body" in p.text)) == "p. 1"
