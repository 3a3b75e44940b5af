"""Text cleanup on the kinds of damage real PDFs have."""

from __future__ import annotations

from collections import Counter

from evidex.extract import _clean


def test_ligatures_controls_and_private_use_are_cleaned():
    assert _clean.normalise_characters("ﬁnal e\x00ﬀort \ue000here") == "final effort here"


def test_hyphenation_rejoined_but_compounds_kept():
    vocab = _clean.vocabulary(["signal to noise", "the prevention of harm", "well known"])
    assert _clean.join_hyphenated("preven-\ntion", vocab) == "prevention"
    assert _clean.join_hyphenated("signal-\nto-noise", vocab) == "signal-to-noise"
    assert _clean.join_hyphenated("AI-\ngenerated", vocab) == "AI-generated"
    assert _clean.join_hyphenated("Anglo-\nSaxon", Counter()) == "Anglo-Saxon"


def test_running_headers_footers_and_page_numbers_dropped():
    topics = ["helplines", "education", "design", "reporting", "research", "funding"]
    pages = []
    for n, topic in enumerate(topics, start=1):
        body = [f"Work on {topic} grew this year.", f"The {topic} team met partners.", f"Plans for {topic} are set."]
        pages.append(["Harbour Trust · Annual Review 2023", *body, f"Page {n} of 6"])
    cleaned = _clean.remove_page_furniture(pages)
    for lines, original in zip(cleaned, pages):
        assert [line for line in lines if line] == original[1:-1]


def test_reflow_joins_lines_and_keeps_paragraphs():
    lines = [
        "This is a long line of a paragraph that goes on and on for a while,",
        "and it continues here on the second line of the same paragraph text.",
        "It ends.",
        "A new paragraph starts here and runs for a long time as well, like this.",
        "• a bullet point item",
    ]
    text = _clean.reflow(lines)
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("This is a long line") and paragraphs[0].endswith("It ends.")
    assert paragraphs[1].startswith("A new paragraph")
    assert paragraphs[2] == "• a bullet point item"
