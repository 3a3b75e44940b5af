"""The default engine: Whoosh (the maintained whoosh3 distribution), BM25F over pre-analysed stems."""

from __future__ import annotations

import contextlib
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.scoring import BM25F

from .. import analysis
from .. import query as q
from . import IndexEntry, Ranked

TITLE_BOOST = 0.3  # the document title adds to a passage's score (tuned on SciFact)


def _schema() -> Schema:
    words = SpaceSeparatedTokenizer()
    return Schema(
        passage_id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        body=TEXT(analyzer=words, phrase=True),
        title=TEXT(analyzer=words, phrase=True),
        themes=KEYWORD(commas=True, lowercase=True),
        kind=ID(),
        year=NUMERIC(int, bits=32, signed=False),
        date=NUMERIC(int, bits=32, signed=False),
    )


class WhooshEngine:
    name = "whoosh"

    def __init__(self, path: Path, create: bool = False):
        self.path = Path(path)
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
            self._index = whoosh_index.create_in(str(self.path), _schema())
        elif whoosh_index.exists_in(str(self.path)):
            self._index = whoosh_index.open_dir(str(self.path))
        else:
            raise FileNotFoundError(f"no Whoosh index in {self.path}")

    @contextlib.contextmanager
    def writer(self):
        writer = self._index.writer(limitmb=128)
        adapter = _Writer(writer)
        try:
            yield adapter
        except BaseException:
            writer.cancel()
            raise
        else:
            writer.commit()

    def search(self, node: q.Node, limit: int) -> list[Ranked]:
        compiled = compile_query(node)
        if compiled is None:
            return []
        with self._index.searcher(weighting=BM25F(B=0.75, K1=0.9)) as searcher:
            results = searcher.search(compiled, limit=limit)
            return [Ranked(hit["passage_id"], hit["doc_id"], float(hit.score or 0.0)) for hit in results]

    def count(self) -> int:
        return self._index.doc_count()

    def document_ids(self) -> set[str]:
        with self._index.searcher() as searcher:
            return {value.decode() if isinstance(value, bytes) else value for value in searcher.lexicon("doc_id")}


class _Writer:
    def __init__(self, writer):
        self._writer = writer

    def delete_document(self, doc_id: str) -> None:
        self._writer.delete_by_term("doc_id", doc_id)

    def add(self, entry: IndexEntry) -> None:
        fields = dict(
            passage_id=entry.passage_id,
            doc_id=entry.doc_id,
            body=entry.body,
            title=entry.title,
            themes=",".join(entry.themes),
            kind=entry.kind,
        )
        if entry.year is not None:
            fields["year"] = entry.year
        if entry.date is not None:
            fields["date"] = entry.date
        self._writer.add_document(**fields)


def _text_query(stems: tuple[str, ...], phrase: bool) -> wq.Query:
    """Words must be in the passage; the same words in the document title add to the score."""
    if len(stems) == 1:
        body, title = wq.Term("body", stems[0]), wq.Term("title", stems[0], boost=TITLE_BOOST)
    elif phrase:
        body, title = wq.Phrase("body", list(stems)), wq.Phrase("title", list(stems), boost=TITLE_BOOST)
    else:
        return wq.And([_text_query((s,), False) for s in stems])
    return wq.AndMaybe(body, title)


def compile_query(node: q.Node) -> wq.Query | None:
    """Turn an evidex query tree into a Whoosh query (None: matches nothing useful)."""
    if isinstance(node, q.Everything):
        return wq.Every()
    if isinstance(node, q.Terms):
        stems = node.stems
        if len(stems) > 1:  # "end-to-end", "AI-generated": the parts in order
            return _text_query(stems, phrase=True)
        return _text_query(stems, phrase=False)
    if isinstance(node, q.Phrase):
        return _text_query(node.stems, phrase=True)
    if isinstance(node, q.Prefix):
        return wq.AndMaybe(wq.Prefix("body", node.prefix), wq.Prefix("title", node.prefix, boost=TITLE_BOOST))
    if isinstance(node, q.Filter):
        if node.field == "theme":
            return wq.Term("themes", node.value)
        if node.field == "kind":
            return wq.Term("kind", node.value)
        if node.field == "doc":
            return wq.Or([wq.Term("doc_id", node.value), wq.Prefix("doc_id", node.value)]) if len(node.value) >= 4 else wq.Term("doc_id", node.value)
    if isinstance(node, q.YearRange):
        return wq.NumericRange("year", node.low, node.high)
    if isinstance(node, q.Any):
        parts = [p for p in (compile_query(c) for c in node.children) if p is not None]
        return wq.Or(parts) if parts else None
    if isinstance(node, q.Group):
        return _compile_group(node)
    raise TypeError(f"cannot compile {node!r}")


def _compile_group(node: q.Group) -> wq.Query | None:
    must, should, must_not = [], [], []
    only_stopwords = all(
        isinstance(c.node, q.Terms) and all(s in analysis.STOPWORDS for s in c.node.stems)
        for c in node.clauses
        if c.occur == q.SHOULD
    )
    plain_words: list[str] = []  # ranked single words: one flat OR over body, one over title
    for clause in node.clauses:
        single = isinstance(clause.node, q.Terms) and len(clause.node.stems) == 1
        if single and clause.occur == q.SHOULD:
            stem = clause.node.stems[0]
            if stem in analysis.STOPWORDS and not only_stopwords:
                continue  # "the", "of" in a ranked query add noise, not meaning
            if stem not in plain_words:
                plain_words.append(stem)
            continue
        compiled = compile_query(clause.node)
        if compiled is None:
            continue
        {q.MUST: must, q.SHOULD: should, q.MUST_NOT: must_not}[clause.occur].append(compiled)
    if plain_words:
        body = wq.Or([wq.Term("body", w) for w in plain_words])
        title = wq.Or([wq.Term("title", w, boost=TITLE_BOOST) for w in plain_words])
        should.append(wq.AndMaybe(body, title))
    # Filters (theme:, year:, ...) narrow a ranked query but do not replace its words: when
    # the only required clauses are filters, at least one of the ranked words must match.
    text_required = any(c.occur == q.MUST and not isinstance(c.node, (q.Filter, q.YearRange)) for c in node.clauses)
    if must and should and not text_required:
        must.append(wq.Or(should) if len(should) > 1 else should[0])
        positive = wq.And(must)
    elif must:
        positive = wq.And(must) if len(must) > 1 else must[0]
        if should:
            positive = wq.AndMaybe(positive, wq.Or(should))
    elif should:
        positive = wq.Or(should) if len(should) > 1 else should[0]
    elif must_not:
        positive = wq.Every()
    else:
        return None
    if must_not:
        positive = wq.AndNot(positive, wq.Or(must_not) if len(must_not) > 1 else must_not[0])
    return positive
