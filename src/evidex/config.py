"""One Settings object that travels through evidex."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_INDEX = "index"
USER_AGENT = "evidex/{version} (evidence and citation indexer; respects robots by fetching single pages only)"


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path(DEFAULT_INDEX)
    min_words: int = 60
    max_words: int = 200
    jobs: int = 0  # 0: one worker per core
    timeout: float = 120.0  # seconds allowed to extract one document
    fetch_timeout: float = 20.0  # seconds for one HTTP request
    max_bytes: int = 50 * 1024 * 1024  # size cap for fetched URLs and read files
    taxonomy: Path | None = None
    lock_timeout: float = 60.0  # how long a writer waits for another writer

    @classmethod
    def from_env(cls, index: str | os.PathLike | None = None, **overrides) -> "Settings":
        index_dir = Path(index or os.environ.get("EVIDEX_INDEX") or DEFAULT_INDEX)
        taxonomy = os.environ.get("EVIDEX_TAXONOMY")
        settings = cls(index_dir=index_dir, taxonomy=Path(taxonomy) if taxonomy else None)
        overrides = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **overrides)

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def worker_count(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)

    @property
    def catalog_path(self) -> Path:
        return self.index_dir / "catalog.sqlite"

    @property
    def engine_dir(self) -> Path:
        return self.index_dir / "whoosh"

    @property
    def snapshot_dir(self) -> Path:
        return self.index_dir / "snapshots"

    @property
    def lock_path(self) -> Path:
        return self.index_dir / "write.lock"
