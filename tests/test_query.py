"""The query language: what each construct means, and clear errors with a column."""

from __future__ import annotations

import pytest

from evidex import query as q
from evidex.errors import QuerySyntaxError


def test_plain_words_are_ranked_alternatives():
    node = q.parse("sextortion boys")
    assert isinstance(node, q.Group)
    assert [c.occur for c in node.clauses] == [q.SHOULD, q.SHOULD]
    assert [c.node.stems for c in node.clauses] == [("sextort",), ("boi",)]


def test_match_all_requires_every_word():
    node = q.parse("sextortion boys", match_all=True)
    assert [c.occur for c in node.clauses] == [q.MUST, q.MUST]


def test_operators_phrases_prefix_and_negation():
    node = q.parse('"end-to-end encryption" AND detect* -ransomware NOT crypto')
    occurs = [(c.occur, type(c.node).__name__) for c in node.clauses]
    assert occurs == [
        (q.MUST, "Phrase"),
        (q.MUST, "Prefix"),
        (q.MUST_NOT, "Terms"),
        (q.MUST_NOT, "Terms"),
    ]
    assert node.clauses[0].node.stems == ("end", "to", "end", "encryption")
    assert node.clauses[1].node.prefix == "detect"


def test_or_and_grouping():
    node = q.parse("(deepfake OR nudify) schools")
    assert isinstance(node, q.Group)
    assert isinstance(node.clauses[0].node, q.Any)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("theme:sextortion", q.Filter("theme", "sextortion")),
        ("kind:PDF", q.Filter("kind", "pdf")),
        ("doc:3f2a9c1b", q.Filter("doc", "3f2a9c1b")),
        ("year:2023", q.YearRange(2023, 2023)),
        ("year:2021..2025", q.YearRange(2021, 2025)),
        ("year:2021..", q.YearRange(2021, None)),
        ("year:..2020", q.YearRange(None, 2020)),
    ],
)
def test_field_filters(text, expected):
    assert q.parse(text) == expected


@pytest.mark.parametrize(
    "text, column, words",
    [
        ('"unclosed phrase', 1, "never closed"),
        ("(sextortion OR ai", 1, "never closed"),
        ("sextortion AND", 15, "AND needs something after it"),
        ("AND sextortion", 1, "AND needs something before it"),
        ("year:twenty", 1, "year: takes a year"),
        ("year:2025..2021", 1, "runs backwards"),
        ("kind:docx", 1, "kind: is one of"),
        ("theme:", 1, "needs a value"),
        ("ai)", 3, "unexpected )"),
    ],
)
def test_errors_point_at_the_problem(text, column, words):
    with pytest.raises(QuerySyntaxError) as caught:
        q.parse(text)
    assert f"column {column}" in str(caught.value)
    assert words in str(caught.value)
    pointer = caught.value.pointer().splitlines()
    assert pointer[1].index("^") - 2 == column - 1


@pytest.mark.parametrize(
    "claim",
    [
        'Vitamin D "deficiency is associated with (higher risk',
        "NOT all cancers respond AND",
        "Ratio: 0.5 of patients OR more) have year:abc colon: issues",
        "--- *** ((( )))",
    ],
)
def test_lenient_mode_never_fails(claim):
    node = q.parse(claim, strict=False)
    assert node is not None


def test_unknown_field_is_read_as_words():
    node = q.parse("Claim: children")
    assert isinstance(node, q.Group)
    assert [c.node.stems for c in node.clauses] == [("claim",), ("children",)]
