"""The default engine: Whoosh (the maintained whoosh3 distribution), BM25F over pre-analysed stems."""

from __future__ import annotations

import contextlib
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.scoring import BM25F

from .. import query as q
from . import IndexEntry, IndexOutdated, Ranked
from ._compile import Compiler


def _schema() -> Schema:
    words = SpaceSeparatedTokenizer()
    return Schema(
        passage_id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        body=TEXT(analyzer=words, phrase=True),
        title=TEXT(analyzer=words, phrase=True),
        themes=KEYWORD(commas=True, lowercase=True),
        kind=ID(),
        publisher=ID(),
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
            missing = set(_schema().names()) - set(self._index.schema.names())
            if missing:
                raise IndexOutdated(f"the index has no {', '.join(sorted(missing))} field")
        else:
            raise FileNotFoundError(f"no Whoosh index in {self.path}")
        self._searcher = None

    def _current(self):
        """One open searcher, refreshed when another process has committed since: opening
        a searcher reads every segment's files, which costs more than many a query."""
        if self._searcher is not None and not self._searcher.up_to_date():
            # A new searcher, not refresh(): a refreshed reader can keep a segment's old deletions.
            self.close()
        if self._searcher is None:
            self._searcher = self._index.searcher(weighting=BM25F(B=0.75, K1=0.9))
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

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
            self.close()  # the next search opens the new state

    def search(self, node: q.Node, limit: int) -> list[Ranked]:
        compiled = compile_query(node)
        if compiled is None:
            return []
        results = self._current().search(compiled, limit=limit)
        return [Ranked(hit["passage_id"], hit["doc_id"], float(hit.score or 0.0)) for hit in results]

    def facets(self, node: q.Node) -> dict[str, dict[str | int, int]]:
        compiled = compile_query(node)
        counts: dict[str, dict[str | int, int]] = {name: {} for name in _FACET_FIELDS}
        if compiled is None:
            return counts
        groups = {
            name: sorting.FieldFacet(field, allow_overlap=(name == "theme"))
            for name, field in _FACET_FIELDS.items()
        }
        results = self._current().search(compiled, limit=1, groupedby=groups, maptype=sorting.Count)
        for name in _FACET_FIELDS:
            for value, count in results.groups(name).items():
                if value not in (None, ""):
                    counts[name][value.decode() if isinstance(value, bytes) else value] = count
        return counts

    def count(self) -> int:
        return self._index.doc_count()

    def document_ids(self) -> set[str]:
        found = set()
        with self._index.searcher() as searcher:
            reader = searcher.reader()
            for value in searcher.lexicon("doc_id"):
                # the term list keeps a deleted document's id until segments merge
                postings = searcher.postings("doc_id", value)
                if any(not reader.is_deleted(docnum) for docnum in postings.all_ids()):
                    found.add(value.decode() if isinstance(value, bytes) else value)
        return found


_FACET_FIELDS = {"theme": "themes", "year": "year", "kind": "kind", "publisher": "publisher"}


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
            publisher=entry.publisher,
        )
        if entry.year is not None:
            fields["year"] = entry.year
        if entry.date is not None:
            fields["date"] = entry.date
        self._writer.add_document(**fields)


class _WhooshBuilder:
    def term(self, field: str, value: str, boost: float = 1.0) -> wq.Query:
        return wq.Term(field, value, boost=boost)

    def phrase(self, field: str, stems: list[str], boost: float = 1.0) -> wq.Query:
        return wq.Phrase(field, stems, boost=boost)

    def prefix(self, field: str, prefix: str, boost: float = 1.0) -> wq.Query:
        return wq.Prefix(field, prefix, boost=boost)

    def year_range(self, low: int | None, high: int | None) -> wq.Query:
        return wq.NumericRange("year", low, high)

    def every(self) -> wq.Query:
        return wq.Every()

    def all_of(self, parts: list[wq.Query]) -> wq.Query:
        return wq.And(parts)

    def any_of(self, parts: list[wq.Query]) -> wq.Query:
        return wq.Or(parts)

    def and_maybe(self, required: wq.Query, optional: wq.Query) -> wq.Query:
        return wq.AndMaybe(required, optional)

    def and_not(self, positive: wq.Query, negative: wq.Query) -> wq.Query:
        return wq.AndNot(positive, negative)


def compile_query(node: q.Node) -> wq.Query | None:
    """Turn an evidex query tree into a Whoosh query (None: matches nothing useful)."""
    return Compiler(_WhooshBuilder()).compile(node)
