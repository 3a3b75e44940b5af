"""One compiler from evidex's query tree to any engine's queries.

The rules (which words rank, what a filter may not replace, how the title adds to a score)
live here once; an engine only says how to build each kind of query, through a Builder.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar

from .. import analysis
from .. import query as q

Q = TypeVar("Q")

TITLE_BOOST = 0.3  # the document title adds to a passage's score (tuned on SciFact)
# A word beginning ("encrypt*") ranks like the words it stands for, when it stands for at most
# this many; beyond, every passage holding one of them scores the same (as Lucene does).
PREFIX_SCORED_TERMS = 256
RANKED_FIELDS = ("body", "title")


class Builder(Protocol[Q]):
    def term(self, field: str, value: str, boost: float = 1.0) -> Q: ...
    def phrase(self, field: str, stems: list[str], boost: float = 1.0) -> Q: ...
    def prefix(self, field: str, prefix: str, boost: float = 1.0) -> Q: ...
    def year_range(self, low: int | None, high: int | None) -> Q: ...
    def every(self) -> Q: ...
    def all_of(self, parts: list[Q]) -> Q: ...
    def any_of(self, parts: list[Q]) -> Q: ...
    def and_maybe(self, required: Q, optional: Q) -> Q: ...  # matches required; optional adds to the score
    def and_not(self, positive: Q, negative: Q) -> Q: ...


# query filter name -> index field
FILTER_FIELDS = {"theme": "themes", "kind": "kind", "doc": "doc_id", "publisher": "publisher"}
# facet (engines.FACETS) -> index field
FACET_FIELDS = {"theme": "themes", "year": "year", "kind": "kind", "publisher": "publisher"}


class Compiler(Generic[Q]):
    def __init__(self, builder: Builder[Q]):
        self.b = builder

    def compile(self, node: q.Node) -> Q | None:
        """An engine query for node (None: matches nothing useful)."""
        b = self.b
        if isinstance(node, q.Everything):
            return b.every()
        if isinstance(node, q.Terms):
            # "end-to-end", "AI-generated": a word analysis splits is matched as its parts in order
            return self._text(node.stems, phrase=len(node.stems) > 1)
        if isinstance(node, q.Phrase):
            return self._text(node.stems, phrase=True)
        if isinstance(node, q.Prefix):
            return b.and_maybe(b.prefix("body", node.prefix), b.prefix("title", node.prefix, boost=TITLE_BOOST))
        if isinstance(node, q.Filter):
            field = FILTER_FIELDS[node.field]
            if node.field == "doc" and len(node.value) >= 4:  # a doc id may be given by its start
                return b.any_of([b.term(field, node.value), b.prefix(field, node.value)])
            return b.term(field, node.value)
        if isinstance(node, q.YearRange):
            return b.year_range(node.low, node.high)
        if isinstance(node, q.Any):
            parts = [p for p in (self.compile(c) for c in node.children) if p is not None]
            return b.any_of(parts) if parts else None
        if isinstance(node, q.Group):
            return self._group(node)
        raise TypeError(f"cannot compile {node!r}")

    def _text(self, stems: tuple[str, ...], phrase: bool) -> Q:
        """Words must be in the passage; the same words in the document title add to the score."""
        b = self.b
        if len(stems) == 1:
            return b.and_maybe(b.term("body", stems[0]), b.term("title", stems[0], boost=TITLE_BOOST))
        if phrase:
            return b.and_maybe(b.phrase("body", list(stems)), b.phrase("title", list(stems), boost=TITLE_BOOST))
        return b.all_of([self._text((s,), False) for s in stems])

    def _group(self, node: q.Group) -> Q | None:
        b = self.b
        must: list[Q] = []
        should: list[Q] = []
        must_not: list[Q] = []
        only_stopwords = all(
            isinstance(c.node, q.Terms) and all(s in analysis.STOPWORDS for s in c.node.stems)
            for c in node.clauses
            if c.occur == q.SHOULD
        )
        # Ranked single words and word beginnings: one flat OR over the passage text, and one
        # over the title that only adds to passages the first matched (flat: engines can skip
        # passages that cannot reach the best few).
        plain_words: list[str] = []
        plain_prefixes: list[str] = []
        for clause in node.clauses:
            if isinstance(clause.node, q.Prefix) and clause.occur == q.SHOULD:
                if clause.node.prefix not in plain_prefixes:
                    plain_prefixes.append(clause.node.prefix)
                continue
            single = isinstance(clause.node, q.Terms) and len(clause.node.stems) == 1
            if single and clause.occur == q.SHOULD:
                stem = clause.node.stems[0]
                if stem in analysis.STOPWORDS and not only_stopwords:
                    continue  # "the", "of" in a ranked query add noise, not meaning
                if stem not in plain_words:
                    plain_words.append(stem)
                continue
            compiled = self.compile(clause.node)
            if compiled is None:
                continue
            {q.MUST: must, q.SHOULD: should, q.MUST_NOT: must_not}[clause.occur].append(compiled)
        if plain_words or plain_prefixes:
            body = [b.term("body", w) for w in plain_words] + [b.prefix("body", p) for p in plain_prefixes]
            title = [b.term("title", w, boost=TITLE_BOOST) for w in plain_words]
            title += [b.prefix("title", p, boost=TITLE_BOOST) for p in plain_prefixes]
            should.append(b.and_maybe(_one(b.any_of, body), _one(b.any_of, title)))
        # Filters (theme:, year:, ...) narrow a ranked query but do not replace its words: when
        # the only required clauses are filters, at least one of the ranked words must match.
        text_required = any(c.occur == q.MUST and not isinstance(c.node, (q.Filter, q.YearRange)) for c in node.clauses)
        if must and should and not text_required:
            must.append(_one(b.any_of, should))
            positive = _one(b.all_of, must)
        elif must:
            positive = _one(b.all_of, must)
            if should:
                positive = b.and_maybe(positive, _one(b.any_of, should))
        elif should:
            positive = _one(b.any_of, should)
        elif must_not:
            positive = b.every()
        else:
            return None
        if must_not:
            positive = b.and_not(positive, _one(b.any_of, must_not))
        return positive


def _one(combine, parts: list):
    return parts[0] if len(parts) == 1 else combine(parts)
