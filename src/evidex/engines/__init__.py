"""Full-text engines behind one small interface. The catalog is the truth; an engine only ranks.

An engine indexes, per passage: its id, its document id, the stems of its text and of its
document's title (from evidex.analysis), its themes, the document kind, its publisher (as
query.publisher_key) and the year/date. It answers a parsed query (evidex.query) with
(passage_id, score) pairs, best first, and counts the matches per facet value.

Every engine must pass tests/test_engines.py, the conformance suite run against each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..query import Node

DEFAULT_ENGINE = "whoosh"
ENGINES = ("whoosh", "tantivy")
FACETS = ("theme", "year", "kind", "publisher")  # what Engine.facets counts


class EngineUnavailable(Exception):
    """The engine's library is not installed."""


class IndexOutdated(Exception):
    """The index on disk was built by an older evidex (a missing field): rebuild it."""


@dataclass(frozen=True)
class IndexEntry:
    passage_id: str
    doc_id: str
    body: str  # analysed text: stems separated by spaces
    title: str  # analysed title
    themes: tuple[str, ...]
    kind: str
    publisher: str  # query.publisher_key of the publisher (or site name), "" if none
    year: int | None
    date: int | None  # YYYYMMDD, partial dates at their first day


@dataclass(frozen=True)
class Ranked:
    passage_id: str
    doc_id: str
    score: float


class EngineWriter(Protocol):
    def delete_document(self, doc_id: str) -> None: ...
    def add(self, entry: IndexEntry) -> None: ...


class Engine(Protocol):
    name: str

    def writer(self): ...  # a context manager yielding an EngineWriter; commits only on success
    def search(self, node: Node, limit: int) -> list[Ranked]: ...
    def facets(self, node: Node) -> dict[str, dict[str | int, int]]: ...  # FACETS -> value -> passages
    def count(self) -> int: ...
    def close(self) -> None: ...  # frees open readers
    def document_ids(self) -> set[str]: ...


def open_engine(name: str, path: Path, create: bool = False) -> Engine:
    """Open (or create) the index at path. Raises FileNotFoundError, IndexOutdated or EngineUnavailable."""
    if name == "whoosh":
        from ._whoosh import WhooshEngine

        return WhooshEngine(path, create=create)
    if name == "tantivy":
        try:
            from ._tantivy import TantivyEngine
        except ImportError as exc:
            raise EngineUnavailable(str(exc)) from exc
        return TantivyEngine(path, create=create)
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
