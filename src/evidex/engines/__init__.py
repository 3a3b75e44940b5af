"""Full-text engines behind one small interface. The catalog is the truth; an engine only ranks.

An engine indexes, per passage: its id, its document id, the stems of its text and of its
document's title (from evidex.analysis), its themes, the document kind, and the year/date.
It answers a parsed query (evidex.query) with (passage_id, score) pairs, best first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..query import Node

DEFAULT_ENGINE = "whoosh"
ENGINES = ("whoosh",)


@dataclass(frozen=True)
class IndexEntry:
    passage_id: str
    doc_id: str
    body: str  # analysed text: stems separated by spaces
    title: str  # analysed title
    themes: tuple[str, ...]
    kind: str
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
    def count(self) -> int: ...
    def document_ids(self) -> set[str]: ...


def open_engine(name: str, path: Path, create: bool = False) -> Engine:
    if name == "whoosh":
        from ._whoosh import WhooshEngine

        return WhooshEngine(path, create=create)
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
