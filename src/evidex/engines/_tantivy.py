"""The engine for big libraries: tantivy (Rust, through the tantivy package), over the same
pre-analysed stems as Whoosh, compiled from the same query tree (engines._compile)."""

from __future__ import annotations

import contextlib
import math
import re
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from .. import query as q
from . import IndexEntry, IndexOutdated, Ranked
from ._compile import FACET_FIELDS, PREFIX_SCORED_TERMS, RANKED_FIELDS, Compiler

WRITER_HEAP = 128_000_000  # bytes the writer may buffer before it flushes a segment
SCHEMA_VERSION = "1"  # bump when the fields change: an older index is rebuilt from the catalog


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    # Text arrives analysed (stems separated by spaces): the whitespace tokenizer keeps it as is.
    builder.add_text_field("passage_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("title", tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("themes", tokenizer_name="raw", fast=True)
    builder.add_text_field("kind", tokenizer_name="raw", fast=True)
    builder.add_text_field("publisher", tokenizer_name="raw", fast=True)
    builder.add_unsigned_field("year", indexed=True, fast=True)
    builder.add_unsigned_field("date", indexed=True, fast=True)
    return builder.build()


class TantivyEngine:
    name = "tantivy"

    def __init__(self, path: Path, create: bool = False):
        self.path = Path(path)
        self._schema = _schema()
        marker = self.path / "evidex-schema"
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
            self._index = tantivy.Index(self._schema, path=str(self.path), reuse=False)
            marker.write_text(SCHEMA_VERSION, encoding="ascii")
        elif tantivy.Index.exists(str(self.path)):
            if not marker.exists() or marker.read_text(encoding="ascii").strip() != SCHEMA_VERSION:
                raise IndexOutdated(f"the tantivy index in {self.path} has an older layout")
            self._index = tantivy.Index.open(str(self.path))
        else:
            raise FileNotFoundError(f"no tantivy index in {self.path}")
        self._current: tantivy.Searcher | None = None
        self._stamp: tuple | None = None

    @contextlib.contextmanager
    def writer(self):
        writer = self._index.writer(heap_size=WRITER_HEAP, num_threads=1)
        try:
            yield _Writer(writer)
        except BaseException:
            writer.rollback()
            raise
        else:
            writer.commit()
            writer.wait_merging_threads()
        self._index.reload()
        self._current = None

    def _searcher(self) -> tantivy.Searcher:
        """A searcher over the last commit, from this process or another: reloaded only when
        meta.json (rewritten by every commit) has changed, as reloading costs more than many
        a query."""
        try:
            stat = (self.path / "meta.json").stat()
            stamp = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino)
        except OSError:
            stamp = None
        if stamp is None or stamp != self._stamp or self._current is None:
            self._index.reload()
            self._current = self._index.searcher()
            self._stamp = stamp
        return self._current

    def search(self, node: q.Node, limit: int) -> list[Ranked]:
        if limit <= 0:
            return []
        searcher = self._searcher()
        builder = _TantivyBuilder(self._schema, searcher)
        try:
            flat = Compiler(_FlatBuilder(builder)).compile(node)
        except _NotFlat:
            flat = None
        compiled = None

        def exact():
            nonlocal compiled
            if compiled is None:
                compiled = Compiler(builder).compile(node)
            return compiled

        hits = _flat_top(searcher, builder, flat, limit, exact) if flat is not None else None
        if hits is None:
            if exact() is None:
                return []
            hits = [(score, address, None) for score, address in searcher.search(exact(), limit=limit, count=False).hits]
        ranked = []
        for score, address, stored in hits:
            stored = stored or searcher.doc(address)
            ranked.append(Ranked(stored["passage_id"][0], stored["doc_id"][0], float(score)))
        return ranked

    def facets(self, node: q.Node) -> dict[str, dict[str | int, int]]:
        counts: dict[str, dict[str | int, int]] = {name: {} for name in FACET_FIELDS}
        searcher = self._searcher()
        compiled = Compiler(_TantivyBuilder(self._schema, searcher)).compile(node)
        if compiled is None:
            return counts
        aggregations = {name: {"terms": {"field": field, "size": 10_000}} for name, field in FACET_FIELDS.items()}
        result = searcher.aggregate(compiled, aggregations)
        for name in FACET_FIELDS:
            for bucket in result.get(name, {}).get("buckets", []):
                key = bucket["key"]
                if name == "year":
                    key = int(key)
                if key not in (None, ""):
                    counts[name][key] = int(bucket["doc_count"])
        return counts

    def count(self) -> int:
        return self._searcher().num_docs

    def close(self) -> None:
        self._current = None  # tantivy frees a reader with its last searcher

    def document_ids(self) -> set[str]:
        # counted over live documents only: a deleted document's id stays in the term list until a merge
        live = self._searcher().terms_with_prefix("doc_id", "", filter_query=Query.all_query())
        return {term for term, count in live if count > 0}


class _Writer:
    def __init__(self, writer):
        self._writer = writer

    def delete_document(self, doc_id: str) -> None:
        self._writer.delete_documents_by_term("doc_id", doc_id)

    def add(self, entry: IndexEntry) -> None:
        document = tantivy.Document(
            passage_id=entry.passage_id,
            doc_id=entry.doc_id,
            body=entry.body,
            title=entry.title,
            kind=entry.kind,
            publisher=entry.publisher,
        )
        for theme in entry.themes:
            document.add_text("themes", theme)
        if entry.year is not None:
            document.add_unsigned("year", entry.year)
        if entry.date is not None:
            document.add_unsigned("date", entry.date)
        self._writer.add_document(document)


class _TantivyBuilder:
    def __init__(self, schema: tantivy.Schema, searcher: tantivy.Searcher):
        self.schema = schema
        self.searcher = searcher
        self._expansions: dict[tuple[str, str], list[str] | None] = {}

    def expand(self, field: str, prefix: str) -> list[str] | None:
        """The words of a ranked field that start with prefix; None when there are too many
        to rank one by one."""
        if field not in RANKED_FIELDS:
            return None
        key = (field, prefix)
        if key not in self._expansions:  # once per query, for the flat and the real one
            words = [word for word, count in self.searcher.terms_with_prefix(field, prefix) if count]
            self._expansions[key] = words if len(words) <= PREFIX_SCORED_TERMS else None
        return self._expansions[key]

    def _boosted(self, query: Query, boost: float) -> Query:
        return query if boost == 1.0 else Query.boost_query(query, boost)

    def term(self, field: str, value: str, boost: float = 1.0) -> Query:
        query = Query.term_query(self.schema, field, value)
        if field not in RANKED_FIELDS:
            return Query.const_score_query(query, 0.0)  # a filter selects, it does not rank
        return self._boosted(query, boost)

    def phrase(self, field: str, stems: list[str], boost: float = 1.0) -> Query:
        return self._boosted(Query.phrase_query(self.schema, field, stems), boost)

    def prefix(self, field: str, prefix: str, boost: float = 1.0) -> Query:
        words = self.expand(field, prefix)
        if words is None:
            return self._boosted(Query.regex_query(self.schema, field, re.escape(prefix) + ".*"), boost)
        if not words:
            return Query.empty_query()
        return self.any_of([self.term(field, word, boost) for word in words])

    def year_range(self, low: int | None, high: int | None) -> Query:
        if low is None and high is None:
            return Query.exists_query("year")
        return Query.range_query(self.schema, "year", tantivy.FieldType.Unsigned, low, high)

    def every(self) -> Query:
        return Query.all_query()

    def all_of(self, parts: list[Query]) -> Query:
        return Query.boolean_query([(Occur.Must, part) for part in parts])

    def any_of(self, parts: list[Query]) -> Query:
        return Query.boolean_query([(Occur.Should, part) for part in parts])

    def and_maybe(self, required: Query, optional: Query) -> Query:
        return Query.boolean_query([(Occur.Must, required), (Occur.Should, optional)])

    def and_not(self, positive: Query, negative: Query) -> Query:
        return Query.boolean_query([(Occur.Must, positive), (Occur.MustNot, negative)])


# -- ranked text first: a flat OR of words, which tantivy can prune -----------------------------
#
# A ranked query compiles to "passage words AND MAYBE title words". Tantivy scores that by
# visiting every passage holding any of the words: at a million passages a common word costs
# milliseconds. A flat OR of the same words is scored with block-max WAND, which skips
# passages that cannot reach the best few, but it also matches passages whose *title* alone
# has the words. So: take the best few of the flat OR, keep those that hold a passage word
# (each kept passage's score is its score in the real query), and if enough are kept the
# answer is exact: any passage outside the few scores at most the last of them. Otherwise
# the real query runs.


class _NotFlat(Exception):
    """The query is not a ranked OR of words (filters, phrases, negation, ...)."""


class _Flat:
    def __init__(self, terms: list[tuple[str, str, float]], check: bool = False, share: float = 1.0,
                 title: list[tuple[str, str, float]] | None = None):
        self.terms = terms  # (field, word, boost): the flat OR
        self.check = check  # whether the real query matches fewer passages than the flat OR
        self.share = share  # about what share of the flat OR's passages the real query keeps
        self.title = title  # when the only check is "not by the title alone": the title's words


FLAT_MOST = 400  # the most hits of the flat OR worth checking before the real query is cheaper


class _FlatBuilder:
    def __init__(self, builder: _TantivyBuilder):
        self.builder = builder
        self.searcher = builder.searcher

    def term(self, field, value, boost=1.0):
        if field in RANKED_FIELDS:
            return _Flat([(field, value, boost)])
        # a filter (kind:, theme:, ...): no words, it only narrows
        return _Flat([], check=True, share=self.searcher.doc_freq(field, value) / max(self.searcher.num_docs, 1))

    def prefix(self, field, prefix, boost=1.0):
        words = self.builder.expand(field, prefix)
        if words is None:
            raise _NotFlat
        return _Flat([(field, word, boost) for word in words])

    def year_range(self, low, high):
        if low is None or high is None or high - low > 30:
            return _Flat([], check=True, share=0.5)  # a guess: too many years to count
        found = sum(self.searcher.doc_freq("year", year) for year in range(low, high + 1))
        return _Flat([], check=True, share=found / max(self.searcher.num_docs, 1))

    def any_of(self, parts):
        if len(parts) == 1:
            return parts[0]
        if any(not p.terms for p in parts) or any(p.check for p in parts):
            raise _NotFlat  # each part's title would add only where its own words matched
        return _Flat([t for p in parts for t in p.terms])

    def and_maybe(self, required, optional):
        if required.check or optional.check or not required.terms:
            raise _NotFlat
        return _Flat(required.terms + optional.terms, check=True, title=optional.terms)  # the title alone is no match

    def all_of(self, parts):
        text = [p for p in parts if p.terms]
        if len(text) != 1:
            raise _NotFlat  # a conjunction of words: tantivy's own intersection is quick
        share = 1.0
        for part in parts:
            share *= part.share
        return _Flat(text[0].terms, check=True, share=share)

    def _not_flat(self, *args, **kwargs):
        raise _NotFlat

    phrase = every = and_not = _not_flat


def _flat_top(searcher, builder: _TantivyBuilder, flat: _Flat, limit: int, exact):
    """[(score, address, stored document or None)], best first; None: run the real query.

    exact() compiles the real query; the flat OR's hits are checked against it."""
    if not flat.terms:  # nothing ranked: filters alone, or a word beginning no word has
        return None if flat.check else []
    query = builder.any_of([builder.term(f, w, boost) for f, w, boost in flat.terms])
    if not flat.check:
        return [(score, address, None) for score, address in searcher.search(query, limit=limit, count=False).hits]
    # enough hits that, at the filters' share, about twice the limit pass
    wanted = limit * 2 + 10 if flat.share >= 1 else int((limit + 10) / max(flat.share, 1e-9))
    if wanted > FLAT_MOST:
        return None
    hits = searcher.search(query, limit=wanted, count=False).hits
    if not hits:
        return []
    if flat.title is not None and len(hits) >= limit and hits[limit - 1][0] > _title_only_bound(searcher, flat.title):
        # no passage scores that much by its title alone: the best `limit` hold a passage word
        return [(score, address, None) for score, address in hits[:limit]]
    stored = [searcher.doc(address) for _score, address in hits]
    only_these = builder.any_of([Query.term_query(builder.schema, "passage_id", d["passage_id"][0]) for d in stored])
    checked = Query.boolean_query([(Occur.Must, exact()), (Occur.Must, Query.const_score_query(only_these, 0.0))])
    # the real query's own scores: equal to the flat OR's but for the filters' constant share
    scores = {(a.segment_ord, a.doc): score for score, a in searcher.search(checked, limit=len(hits), count=False).hits}
    kept = [(scores[key], a, d) for (_s, a), d in zip(hits, stored) if (key := (a.segment_ord, a.doc)) in scores]
    if len(kept) >= limit or len(hits) < wanted:
        return kept[:limit]
    return None


TITLE_BOUND_WORDS = 20  # past this many title words, summing their bounds costs more than a check


def _title_only_bound(searcher, title: list[tuple[str, str, float]]) -> float:
    """More than any passage can score by title words alone. tantivy's BM25 gives a word at
    most idf * (1 + k1), k1 = 1.2. The idf here is taken over four times the live passages:
    tantivy's own counts passages deleted but not yet merged away, and this stays above it
    unless those outnumber the live ones three to one."""
    if len(title) > TITLE_BOUND_WORDS:
        return float("inf")
    total = 4 * max(searcher.num_docs, 1)
    bound = 0.0
    for field, word, boost in title:
        found = searcher.doc_freq(field, word)
        bound += boost * math.log(1 + (total - found + 0.5) / (found + 0.5)) * 2.2
    return bound * 1.01
