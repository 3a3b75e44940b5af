"""The default engine: Whoosh (the maintained whoosh3 distribution), BM25F over pre-analysed stems."""

from __future__ import annotations

import contextlib
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.scoring import BM25F

from .. import query as q
from . import IndexEntry, IndexOutdated, Ranked
from ._compile import FACET_FIELDS, Compiler
from ._whoosh_codec import SplitBlockCodec
from ._whoosh_scoring import PlanBuilder, Scorer

B, K1 = 0.75, 0.9  # BM25F parameters (tuned on SciFact's training claims)


def _schema() -> Schema:
    words = SpaceSeparatedTokenizer()
    return Schema(
        passage_id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        # with positions, for phrases; the codec keeps them apart from ids and word counts
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
            if set(_schema().names()) != set(self._index.schema.names()):
                raise IndexOutdated(f"the index in {self.path} has other fields")
            if any(not isinstance(segment.codec(), SplitBlockCodec) for segment in self._index._segments()):
                raise IndexOutdated(f"the index in {self.path} stores its postings the older way")
        else:
            raise FileNotFoundError(f"no Whoosh index in {self.path}")
        self._searcher = None
        self._scorer: Scorer | None = None
        self._planner = Compiler(PlanBuilder())

    def _current(self):
        """One open searcher, refreshed when another process has committed since: opening
        a searcher reads every segment's files, which costs more than many a query."""
        if self._searcher is not None and not self._searcher.up_to_date():
            # A new searcher, not refresh(): a refreshed reader can keep a segment's old deletions.
            self.close()
        if self._searcher is None:
            self._searcher = self._index.searcher(weighting=BM25F(B=B, K1=K1))
            self._scorer = Scorer(self._searcher, B=B, K1=K1)
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._scorer = None

    @contextlib.contextmanager
    def writer(self):
        writer = self._index.writer(limitmb=128, codec=SplitBlockCodec())
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
        plan = self._planner.compile(node)
        if plan is None:
            return []
        searcher = self._current()
        ranked = []
        for docnum, score in self._scorer.top(plan, limit):
            stored = searcher.stored_fields(docnum)
            ranked.append(Ranked(stored["passage_id"], stored["doc_id"], float(score)))
        return ranked

    def facets(self, node: q.Node) -> dict[str, dict[str | int, int]]:
        plan = self._planner.compile(node)
        if plan is None:
            return {name: {} for name in FACET_FIELDS}
        self._current()
        return self._scorer.facets(plan)

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
