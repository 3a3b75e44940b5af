"""The catalog: an SQLite file holding documents, their sources, pages and passages. The source of truth.

A document's row carries a state. It is "pending" from the moment its passages are written
until the search engine has committed them, and "removing" while it is being deleted; only
"ready" documents are ever returned by a search. A writer that starts after a crash finishes
whatever was left pending (see Library.recover).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from .models import Document, DocumentRecord, Page, Passage

SCHEMA_VERSION = 4
META_FIELDS = ("title", "author", "publisher", "date", "url", "site_name", "type", "container_title")
PAGES_FIELD = "pages"  # the correction of a document's page numbers ("offset:N" or "physical")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    title TEXT, author TEXT, publisher TEXT, date TEXT, url TEXT, site_name TEXT, language TEXT,
    page_count INTEGER NOT NULL DEFAULT 0,
    extractor TEXT NOT NULL DEFAULT '', extractor_version TEXT NOT NULL DEFAULT '',
    guessed TEXT NOT NULL DEFAULT '[]',
    retrieved_at TEXT, ingested_at TEXT NOT NULL, snapshot TEXT, external_id TEXT,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ready', 'removing')),
    citekey TEXT UNIQUE,
    page_source TEXT, found_page_source TEXT
);
CREATE TABLE IF NOT EXISTS sources (
    location TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    added_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_citekey_nocase ON documents(citekey COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS sources_doc ON sources(doc_id);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, label TEXT, text TEXT NOT NULL,
    found_label TEXT, asides TEXT NOT NULL DEFAULT '[]',
    extractor TEXT NOT NULL DEFAULT '', extractor_reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (doc_id, idx)
);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL, text TEXT NOT NULL,
    page_index INTEGER, page_index_end INTEGER, page TEXT, page_end TEXT,
    paragraph INTEGER, paragraph_end INTEGER,
    themes TEXT NOT NULL DEFAULT '[]', theme_evidence TEXT NOT NULL DEFAULT '{}',
    page_breaks TEXT NOT NULL DEFAULT '[]', extractor TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS overrides (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    field TEXT NOT NULL, value TEXT,
    PRIMARY KEY (doc_id, field)
);
"""


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Catalog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self._create()

    def _create(self) -> None:
        exists = self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone()
        if exists:
            self._migrate()
        else:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _migrate(self) -> None:
        version = int(self.get_meta("schema_version", "1"))
        if version >= SCHEMA_VERSION:
            return
        with self.transaction():
            columns = {row["name"] for row in self.db.execute("PRAGMA table_info(documents)")}
            if "citekey" not in columns:
                self.db.execute("ALTER TABLE documents ADD COLUMN citekey TEXT")
                self.db.execute("CREATE UNIQUE INDEX IF NOT EXISTS documents_citekey ON documents(citekey)")
            columns = {row["name"] for row in self.db.execute("PRAGMA table_info(passages)")}
            if "page_breaks" not in columns:
                self.db.execute("ALTER TABLE passages ADD COLUMN page_breaks TEXT NOT NULL DEFAULT '[]'")
            # v3: finding the keys a new key must differ from is an index lookup, not a scan
            self.db.execute("CREATE INDEX IF NOT EXISTS documents_citekey_nocase ON documents(citekey COLLATE NOCASE)")
            # v4: where page numbers come from, what read each page, asides (footnotes)
            _add_columns(self.db, "documents", {"page_source": "TEXT", "found_page_source": "TEXT"})
            _add_columns(self.db, "pages", {
                "found_label": "TEXT", "asides": "TEXT NOT NULL DEFAULT '[]'",
                "extractor": "TEXT NOT NULL DEFAULT ''", "extractor_reason": "TEXT NOT NULL DEFAULT ''",
            })
            _add_columns(self.db, "passages", {"extractor": "TEXT NOT NULL DEFAULT ''"})
            # Earlier libraries cited the PDF's page labels (pypdf's count where it had none).
            self.db.execute("UPDATE documents SET page_source = 'label', found_page_source = 'label' "
                            "WHERE kind = 'pdf' AND page_count > 0 AND page_source IS NULL")
            self.db.execute("UPDATE pages SET found_label = label WHERE found_label IS NULL")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            for row in self.db.execute("SELECT id FROM documents WHERE citekey IS NULL").fetchall():
                self._assign_citekey(row["id"])

    def close(self) -> None:
        self.db.close()

    # -- transactions -------------------------------------------------------------------
    def transaction(self):
        return _Transaction(self.db)

    # -- settings stored with the library ---------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- lookups used while planning an ingest -------------------------------------------------
    def doc_for_source(self, location: str) -> sqlite3.Row | None:
        return self.db.execute(
            "SELECT d.id, d.sha256, d.state FROM sources s JOIN documents d ON d.id = s.doc_id WHERE s.location = ?",
            (location,),
        ).fetchone()

    def doc_for_sha(self, sha256: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT id, sha256, state FROM documents WHERE sha256 = ?", (sha256,)).fetchone()

    def uses_snapshot(self, snapshot: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE snapshot = ?", (snapshot,)).fetchone() is not None

    def other_sources(self, doc_id: str, location: str | None) -> list[str]:
        """The sources of a document other than `location`."""
        rows = self.db.execute("SELECT location FROM sources WHERE doc_id = ?", (doc_id,))
        return [r["location"] for r in rows if r["location"] != location]

    def new_doc_id(self, sha256: str) -> str:
        for length in (12, 16, 24, 64):
            candidate = sha256[:length]
            if not self.db.execute("SELECT 1 FROM documents WHERE id = ?", (candidate,)).fetchone():
                return candidate
        raise RuntimeError("no free document id")  # unreachable: ids are sha256 prefixes

    def add_source(self, location: str, doc_id: str) -> str | None:
        """Point a source at a document. Returns the id of a document left without sources, if any."""
        with self.transaction():
            previous = self.db.execute("SELECT doc_id FROM sources WHERE location = ?", (location,)).fetchone()
            self.db.execute(
                "INSERT INTO sources (location, doc_id, added_at) VALUES (?, ?, ?) "
                "ON CONFLICT(location) DO UPDATE SET doc_id = excluded.doc_id",
                (location, doc_id, now()),
            )
            if previous and previous["doc_id"] != doc_id:
                left = self.db.execute("SELECT 1 FROM sources WHERE doc_id = ?", (previous["doc_id"],)).fetchone()
                if not left:
                    return previous["doc_id"]
        return None

    # -- writing a document -------------------------------------------------------------
    def write_document(
        self, doc_id: str, document: Document, passages: list[Passage], location: str, found: Document | None = None
    ) -> None:
        """Store a document and its passages in one transaction, state "pending". `found`: the
        document as extracted, when `document` carries the user's page numbers instead."""
        found = found or document
        with self.transaction():
            self.db.execute(
                """INSERT INTO documents (id, sha256, kind, title, author, publisher, date, url, site_name,
                       language, page_count, extractor, extractor_version, guessed, retrieved_at, ingested_at,
                       snapshot, external_id, page_source, found_page_source, state)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')
                   ON CONFLICT(id) DO UPDATE SET sha256 = excluded.sha256, kind = excluded.kind,
                       title = excluded.title, author = excluded.author, publisher = excluded.publisher,
                       date = excluded.date, url = excluded.url, site_name = excluded.site_name,
                       language = excluded.language, page_count = excluded.page_count,
                       extractor = excluded.extractor, extractor_version = excluded.extractor_version,
                       guessed = excluded.guessed, retrieved_at = excluded.retrieved_at,
                       ingested_at = excluded.ingested_at, snapshot = excluded.snapshot,
                       external_id = excluded.external_id, page_source = excluded.page_source,
                       found_page_source = excluded.found_page_source, state = 'pending'""",
                (
                    doc_id, document.sha256, document.kind, document.title, document.author,
                    document.publisher, document.date, document.url, document.site_name, document.language,
                    len(document.pages) if document.paged else 0, document.extractor, document.extractor_version,
                    json.dumps(sorted(document.guessed)), document.retrieved_at, now(), document.snapshot,
                    document.external_id, document.page_source, found.page_source,
                ),
            )
            self._assign_citekey(doc_id)
            self.db.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))
            self.db.execute("DELETE FROM passages WHERE doc_id = ?", (doc_id,))
            self.db.executemany(
                "INSERT INTO pages (doc_id, idx, label, text, found_label, asides, extractor, extractor_reason) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (doc_id, page.index, page.label, page.text, found_page.label, json.dumps(list(page.asides)),
                     page.extractor, page.extractor_reason)
                    for page, found_page in zip(document.pages, found.pages)
                ],
            )
            self._insert_passages(doc_id, passages)
            self.db.execute(
                "INSERT INTO sources (location, doc_id, added_at) VALUES (?, ?, ?) "
                "ON CONFLICT(location) DO UPDATE SET doc_id = excluded.doc_id",
                (location, doc_id, now()),
            )

    def _insert_passages(self, doc_id: str, passages: list[Passage]) -> None:
        self.db.executemany(
            """INSERT INTO passages (id, doc_id, ordinal, text, page_index, page_index_end, page, page_end,
                   paragraph, paragraph_end, themes, theme_evidence, page_breaks, extractor)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (p.id, doc_id, p.ordinal, p.text, p.page_index, p.page_index_end, p.page, p.page_end,
                 p.paragraph, p.paragraph_end, json.dumps(list(p.themes)), json.dumps(p.theme_evidence),
                 json.dumps(p.page_breaks), p.extractor)
                for p in passages
            ],
        )

    def set_page_numbers(
        self, doc_id: str, labels: list[str | None], page_source: str, passages: list[Passage], correction: str | None
    ) -> None:
        """Store the page numbers to cite (each page's label, the document's page source), the
        passages carrying them and the correction they follow (None: as found), in one transaction."""
        with self.transaction():
            if correction is None:
                self.db.execute("DELETE FROM overrides WHERE doc_id = ? AND field = ?", (doc_id, PAGES_FIELD))
            else:
                self.db.execute("INSERT OR REPLACE INTO overrides (doc_id, field, value) VALUES (?, ?, ?)",
                                (doc_id, PAGES_FIELD, correction))
            self.db.executemany(
                "UPDATE pages SET label = ? WHERE doc_id = ? AND idx = ?",
                [(label, doc_id, index) for index, label in enumerate(labels, start=1)],
            )
            self.db.execute("UPDATE documents SET page_source = ? WHERE id = ?", (page_source, doc_id))
            self.db.executemany(
                "UPDATE passages SET page = ?, page_end = ?, page_breaks = ? WHERE id = ?",
                [(p.page, p.page_end, json.dumps(p.page_breaks), p.id) for p in passages],
            )

    def found_page_numbers(self, doc_id: str) -> tuple[list[str | None], str | None]:
        """The page labels and page source as extraction found them, before any correction."""
        row = self.db.execute("SELECT found_page_source FROM documents WHERE id = ?", (doc_id,)).fetchone()
        labels = [r["found_label"] for r in self.db.execute("SELECT found_label FROM pages WHERE doc_id = ? ORDER BY idx", (doc_id,))]
        return labels, row["found_page_source"] if row else None

    def _assign_citekey(self, doc_id: str) -> None:
        """Give a document its citation key, once: later re-ingests and corrections keep it."""
        from .cite import base_key, unique_key

        row = self.db.execute("SELECT citekey FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None or row["citekey"]:
            return
        base = base_key(self.document(doc_id))
        # Only keys that start with the base can clash (a suffix is a letter or a number; "{" sorts after them).
        taken = {
            r["citekey"].lower()
            for r in self.db.execute(
                "SELECT citekey FROM documents WHERE citekey COLLATE NOCASE >= ? AND citekey COLLATE NOCASE < ?",
                (base, base + "{"),
            )
        }
        self.db.execute("UPDATE documents SET citekey = ? WHERE id = ?", (unique_key(base, taken), doc_id))

    def find_by_citekey(self, key: str) -> str | None:
        row = self.db.execute("SELECT id FROM documents WHERE citekey = ? COLLATE NOCASE", (key,)).fetchone()
        return row["id"] if row else None

    def mark_ready(self, doc_ids: Iterable[str]) -> None:
        ids = list(doc_ids)
        if not ids:
            return
        with self.transaction():
            self.db.executemany("UPDATE documents SET state = 'ready' WHERE id = ? AND state = 'pending'", [(i,) for i in ids])

    def mark_removing(self, doc_id: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE documents SET state = 'removing' WHERE id = ?", (doc_id,))

    def delete_document(self, doc_id: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))

    def unfinished(self) -> list[sqlite3.Row]:
        return self.db.execute("SELECT id, state FROM documents WHERE state != 'ready'").fetchall()

    def update_themes(self, updates: Iterable[tuple[str, list[str], dict]]) -> None:
        with self.transaction():
            self.db.execute("UPDATE documents SET state = 'pending' WHERE state = 'ready'")
            self.db.executemany(
                "UPDATE passages SET themes = ?, theme_evidence = ? WHERE id = ?",
                [(json.dumps(themes), json.dumps(evidence), pid) for pid, themes, evidence in updates],
            )

    # -- overrides (metadata corrected by the user) -------------------------------------------
    def set_overrides(self, doc_id: str, values: dict[str, str | None], pending: bool = False) -> None:
        """Store corrections; a None value drops the correction of that field."""
        with self.transaction():
            for field, value in values.items():
                if field not in META_FIELDS:
                    raise ValueError(f"unknown metadata field {field!r}")
                if value is None:
                    self.db.execute("DELETE FROM overrides WHERE doc_id = ? AND field = ?", (doc_id, field))
                else:
                    self.db.execute(
                        "INSERT OR REPLACE INTO overrides (doc_id, field, value) VALUES (?, ?, ?)", (doc_id, field, value)
                    )
            if pending:
                self.db.execute("UPDATE documents SET state = 'pending' WHERE id = ?", (doc_id,))

    def set_citekey(self, doc_id: str, key: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE documents SET citekey = ? WHERE id = ?", (key, doc_id))

    def overrides(self, doc_id: str) -> dict[str, str | None]:
        return {r["field"]: r["value"] for r in self.db.execute("SELECT field, value FROM overrides WHERE doc_id = ?", (doc_id,))}

    # -- reading --------------------------------------------------------------------------------
    def documents(self, include_unfinished: bool = False) -> list[DocumentRecord]:
        where = "" if include_unfinished else "WHERE d.state = 'ready'"
        rows = self.db.execute(f"{_DOC_SELECT} {where} GROUP BY d.id ORDER BY d.ingested_at, d.id").fetchall()
        return [self._record(row) for row in rows]

    def document(self, doc_id: str) -> DocumentRecord | None:
        row = self.db.execute(f"{_DOC_SELECT} WHERE d.id = ? GROUP BY d.id", (doc_id,)).fetchone()
        return self._record(row) if row else None

    def find_documents(self, ref: str) -> list[str]:
        """Document ids matching an id, an id prefix, or a source path/URL."""
        exact = self.db.execute("SELECT id FROM documents WHERE id = ?", (ref,)).fetchall()
        if exact:
            return [r["id"] for r in exact]
        by_source = self.db.execute("SELECT doc_id AS id FROM sources WHERE location = ?", (ref,)).fetchall()
        if by_source:
            return [r["id"] for r in by_source]
        like = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return [r["id"] for r in self.db.execute("SELECT id FROM documents WHERE id LIKE ? ESCAPE '\\'", (like,))]

    def _record(self, row: sqlite3.Row) -> DocumentRecord:
        overrides = self.overrides(row["id"])
        values = {key: row[key] for key in ("title", "author", "publisher", "date", "url", "site_name")}
        values["csl_type"] = None
        values["container_title"] = None
        guessed = set(json.loads(row["guessed"]))
        for field, value in overrides.items():
            if field == PAGES_FIELD:
                continue  # already applied to the page numbers stored
            values[{"type": "csl_type"}.get(field, field)] = value
            guessed.discard(field)
            if field == "publisher":
                guessed.discard("author")
        return DocumentRecord(
            id=row["id"], kind=row["kind"], sha256=row["sha256"],
            language=row["language"], page_count=row["page_count"], passage_count=row["passage_count"],
            extractor=row["extractor"], extractor_version=row["extractor_version"],
            guessed=tuple(sorted(guessed)), retrieved_at=row["retrieved_at"], ingested_at=row["ingested_at"],
            snapshot=row["snapshot"], external_id=row["external_id"],
            sources=tuple(row["sources"].split("\x1f")) if row["sources"] else (),
            citekey=row["citekey"] or "",
            corrected=tuple(sorted(overrides)),
            page_source=row["page_source"],
            **values,
        )

    def passages(self, ids: list[str]) -> dict[str, Passage]:
        """Passages by id, only from documents that are ready."""
        found: dict[str, Passage] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT p.* FROM passages p JOIN documents d ON d.id = p.doc_id "
                f"WHERE p.id IN ({marks}) AND d.state = 'ready'",
                chunk,
            )
            for row in rows:
                found[row["id"]] = _passage(row)
        return found

    def passage(self, passage_id: str) -> Passage | None:
        return self.passages([passage_id]).get(passage_id)

    def document_passages(self, doc_id: str) -> list[Passage]:
        rows = self.db.execute("SELECT * FROM passages WHERE doc_id = ? ORDER BY ordinal", (doc_id,))
        return [_passage(row) for row in rows]

    def iter_passages(self, states: tuple[str, ...] = ("ready",)) -> Iterator[tuple[Passage, sqlite3.Row]]:
        marks = ",".join("?" * len(states))
        cursor = self.db.cursor()
        cursor.execute(
            f"SELECT p.*, d.kind AS doc_kind, d.title AS doc_title, d.date AS doc_date FROM passages p "
            f"JOIN documents d ON d.id = p.doc_id WHERE d.state IN ({marks}) ORDER BY p.doc_id, p.ordinal",
            states,
        )
        for row in cursor:
            yield _passage(row), row

    def pages(self, doc_id: str) -> list[Page]:
        rows = self.db.execute(
            "SELECT idx, label, text, asides, extractor, extractor_reason FROM pages WHERE doc_id = ? ORDER BY idx", (doc_id,)
        )
        return [
            Page(index=r["idx"], label=r["label"], text=r["text"], asides=tuple(json.loads(r["asides"])),
                 extractor=r["extractor"], extractor_reason=r["extractor_reason"])
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        row = self.db.execute(
            "SELECT (SELECT count(*) FROM documents WHERE state = 'ready') AS documents, "
            "(SELECT count(*) FROM passages p JOIN documents d ON d.id = p.doc_id WHERE d.state = 'ready') AS passages"
        ).fetchone()
        return dict(row)


_DOC_SELECT = """
SELECT d.*, (SELECT count(*) FROM passages p WHERE p.doc_id = d.id) AS passage_count,
       group_concat(s.location, char(31)) AS sources
FROM documents d LEFT JOIN sources s ON s.doc_id = d.id
"""


def _passage(row: sqlite3.Row) -> Passage:
    return Passage(
        id=row["id"], doc_id=row["doc_id"], ordinal=row["ordinal"], text=row["text"],
        page_index=row["page_index"], page_index_end=row["page_index_end"], page=row["page"],
        page_end=row["page_end"], paragraph=row["paragraph"], paragraph_end=row["paragraph_end"],
        themes=tuple(json.loads(row["themes"])), theme_evidence=json.loads(row["theme_evidence"]),
        page_breaks=tuple(tuple(b) for b in json.loads(row["page_breaks"])),
        extractor=row["extractor"],
    )


def _add_columns(db: sqlite3.Connection, table: str, columns: dict[str, str]) -> None:
    present = {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
    for name, declaration in columns.items():
        if name not in present:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
        return False
