"""The engine for big libraries: tantivy (Rust, through the tantivy package), over the same
pre-analysed stems as Whoosh, compiled from the same query tree (engines._compile)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from .. import query as q
from . import IndexEntry, IndexOutdated, Ranked
from ._compile import Compiler

WRITER_HEAP = 128_000_000  # bytes the writer may buffer before it flushes a segment
SCHEMA_VERSION = "1"  # bump when the fields change: an older index is rebuilt from the catalog
_FACET_FIELDS = {"theme": "themes", "year": "year", "kind": "kind", "publisher": "publisher"}


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
        self._compiler = Compiler(_TantivyBuilder(self._schema))
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
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            stamp = None
        if stamp is None or stamp != self._stamp or self._current is None:
            self._index.reload()
            self._current = self._index.searcher()
            self._stamp = stamp
        return self._current

    def search(self, node: q.Node, limit: int) -> list[Ranked]:
        compiled = self._compiler.compile(node)
        if compiled is None:
            return []
        searcher = self._searcher()
        result = searcher.search(compiled, limit=limit, count=False)
        ranked = []
        for score, address in result.hits:
            stored = searcher.doc(address)
            ranked.append(Ranked(stored["passage_id"][0], stored["doc_id"][0], float(score)))
        return ranked

    def facets(self, node: q.Node) -> dict[str, dict[str | int, int]]:
        counts: dict[str, dict[str | int, int]] = {name: {} for name in _FACET_FIELDS}
        compiled = self._compiler.compile(node)
        if compiled is None:
            return counts
        aggregations = {name: {"terms": {"field": field, "size": 10_000}} for name, field in _FACET_FIELDS.items()}
        result = self._searcher().aggregate(compiled, aggregations)
        for name in _FACET_FIELDS:
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
    def __init__(self, schema: tantivy.Schema):
        self.schema = schema

    def _boosted(self, query: Query, boost: float) -> Query:
        return query if boost == 1.0 else Query.boost_query(query, boost)

    def term(self, field: str, value: str, boost: float = 1.0) -> Query:
        return self._boosted(Query.term_query(self.schema, field, value), boost)

    def phrase(self, field: str, stems: list[str], boost: float = 1.0) -> Query:
        return self._boosted(Query.phrase_query(self.schema, field, stems), boost)

    def prefix(self, field: str, prefix: str, boost: float = 1.0) -> Query:
        return self._boosted(Query.regex_query(self.schema, field, re.escape(prefix) + ".*"), boost)

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
