"""A library: the catalog (truth) plus a search engine (derived), under one index directory.

Writers take an exclusive lock on the directory; readers never block. Every write follows
the same order, so a kill at any moment leaves nothing a search could return wrongly:
  1. catalog: document + passages written in one transaction, state "pending";
  2. engine: old entries of the document deleted, new ones added, committed in batches;
  3. catalog: the batch's documents marked "ready".
A writer first finishes whatever an earlier, interrupted writer left pending (recover()).
"""

from __future__ import annotations

import fcntl
import fnmatch
import json
import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator

from . import _workers, analysis, query as q
from .catalog import PAGES_FIELD, Catalog
from .cite import publisher_name, short_citation
from .config import Settings
from .engines import DEFAULT_ENGINE, FACETS, EngineUnavailable, IndexEntry, IndexOutdated, open_engine
from .errors import (
    EvidexError,
    IndexBusyError,
    NoIndexError,
    NotFoundError,
)
from .extract import corrected_page_numbers, extract_bytes, extract_url, is_url, readable_name, sha256_of
from .extract.records import is_records_file, read_records, record_document, record_location, record_sha256
from .highlight import match_spans, snippet as make_snippet
from .models import Document, DocumentRecord, Hit, Passage
from .passages import passage_id, relabel, split_passages
from .themes import Taxonomy

COMMIT_EVERY_PASSAGES = 5000
COMMIT_EVERY_SECONDS = 20.0


@dataclass(frozen=True)
class Job:
    """One source to extract: a file (its bytes already read and hashed) or a URL."""

    location: str
    doc_id: str | None = None  # known when the source is a file whose id is settled
    sha256: str | None = None
    force: bool = False
    record: dict | None = None  # a JSON Lines record: the text comes with the job


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # not a readable type, found in a directory walk
    passages: int = 0


class Events:
    """What an ingest tells its caller as it goes. The CLI prints; the library never does."""

    def planned(self, total: int) -> None: ...
    def done(self, location: str, status: str, detail: str = "") -> None: ...
    def waiting(self, message: str) -> None: ...


class Library:
    def __init__(self, settings: Settings, *, write: bool = False, create: bool = False, events: Events | None = None):
        """Open a library; `write` takes the writer's lock, `create` allows a new library."""
        self.settings = settings
        self.events = events or Events()
        self.write = write
        self._lock_fd: int | None = None
        self._engine = None
        index_dir = settings.index_dir
        if not create and not settings.catalog_path.exists():
            raise NoIndexError(str(index_dir))
        if write:
            index_dir.mkdir(parents=True, exist_ok=True)
            self._acquire_lock()
        self.catalog = None
        try:
            self._open(index_dir, write)
        except BaseException:
            self.close()  # the writer's lock and the catalog go with the failure
            raise

    def _open(self, index_dir: Path, write: bool) -> None:
        settings = self.settings
        self.catalog = Catalog(settings.catalog_path)
        stored = self.catalog.get_meta("engine")
        if stored and settings.engine and settings.engine != stored:
            raise EvidexError(
                f"The library in {index_dir} uses the {stored} engine, not {settings.engine}",
                f'Run "evidex reindex --engine {settings.engine}" to convert it',
            )
        self.engine_name = stored or settings.engine or DEFAULT_ENGINE
        self._taxonomy: Taxonomy | None = None
        self._orphans: set[str] = set()
        if write:
            self.engine  # a new library gets its (empty) index now; a damaged one is rebuilt
            if stored is None:  # recorded once its engine is known to work
                self.catalog.set_meta("engine", self.engine_name)
            self.recover()

    # -- lifecycle --------------------------------------------------------------------
    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        if self.catalog is not None:
            self.catalog.close()
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _acquire_lock(self) -> None:
        path = self.settings.lock_path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.settings.lock_timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode(errors="ignore").strip() or "?"
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise IndexBusyError(
                        f"Another evidex process (pid {holder}) is writing to {self.settings.index_dir}",
                        "Wait for it to finish, then run the command again",
                    )
                if not told:
                    self.events.waiting(
                        f"Waiting for another evidex process (pid {holder}) writing to {self.settings.index_dir}..."
                    )
                    told = True
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_fd = fd

    @property
    def engine(self):
        if self._engine is None:
            path = self.settings.engine_dir(self.engine_name)
            problem = "missing"
            try:
                self._engine = open_engine(self.engine_name, path, create=False) if path.exists() else None
            except EngineUnavailable as exc:
                raise _unavailable(self.engine_name, exc) from exc
            except IndexOutdated:
                problem = "from an older evidex"
            except Exception:
                problem = "damaged"
            if self._engine is None:
                if not self.write:
                    raise EvidexError(
                        f"The search index in {self.settings.index_dir} is {problem}",
                        'Run "evidex reindex" to rebuild it from the catalog',
                    )
                self._rebuild_engine(self.engine_name)
        return self._engine

    @property
    def taxonomy(self) -> Taxonomy:
        if self._taxonomy is None:
            self._taxonomy = Taxonomy.load(self.settings.taxonomy)
        return self._taxonomy

    # -- recovery ---------------------------------------------------------------------------
    def recover(self) -> int:
        """Finish what an interrupted writer left: re-index pending documents, finish removals."""
        unfinished = self.catalog.unfinished()
        if not unfinished:
            return 0
        engine = self.engine
        pending = [row["id"] for row in unfinished if row["state"] == "pending"]
        removing = [row["id"] for row in unfinished if row["state"] == "removing"]
        with engine.writer() as writer:
            for doc_id in pending + removing:
                writer.delete_document(doc_id)
            for doc_id in pending:
                record = self.catalog.document(doc_id)
                for passage in self.catalog.document_passages(doc_id):
                    writer.add(_entry(passage, record))
        self.catalog.mark_ready(pending)
        for doc_id in removing:
            self.catalog.delete_document(doc_id)
        return len(unfinished)

    # -- ingest ---------------------------------------------------------------------------------
    def ingest(
        self,
        sources: Iterable[str],
        *,
        include: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
        force: bool = False,
    ) -> IngestReport:
        report = IngestReport()
        locations = list(self._expand(sources, include, exclude, report))
        planned = sum(_record_count(loc) if is_records_file(loc) else 1 for loc in locations)
        self.events.planned(planned)
        jobs = self._jobs(locations, force, report)  # planned lazily, as workers take them
        settings = self.settings
        taxonomy = self.taxonomy
        batch = _Batch(self)
        results = _workers.run(
            lambda job: _process(job, settings, taxonomy),
            jobs,
            workers=min(settings.worker_count, max(1, planned)),
            timeout=settings.timeout,
        )
        try:
            for job, result in results:
                if isinstance(result, tuple):
                    document, passages, bodies = result
                    self._store(job, document, passages, bodies, batch, report)
                else:
                    message, warning = _failure_message(job.location, result)
                    if warning:
                        report.warnings.append((job.location, message))
                        self.events.done(job.location, "warning", message)
                    else:
                        report.failed.append((job.location, message))
                        self.events.done(job.location, "failed", message)
                batch.maybe_commit()
        finally:
            batch.commit()
            self._remove_orphans()
        return report

    def _expand(self, sources, include, exclude, report: IngestReport) -> Iterator[str]:
        seen = set()
        for source in sources:
            if is_url(source):
                if source not in seen:
                    seen.add(source)
                    yield source
                continue
            path = Path(source).expanduser()
            if path.is_dir():
                for file in sorted(p for p in path.rglob("*") if p.is_file()):
                    relative = file.relative_to(path)
                    if any(part.startswith(".") for part in relative.parts):
                        continue
                    if include and not _matches(relative, include):
                        continue
                    if exclude and _matches(relative, exclude):
                        continue
                    if not readable_name(file):
                        report.skipped.append(str(file))
                        continue
                    location = str(file.resolve())
                    if location not in seen:
                        seen.add(location)
                        yield location
            elif path.exists():
                location = str(path.resolve())
                if location not in seen:
                    seen.add(location)
                    yield location
            else:
                message = f"{source}: no such file or directory"
                report.failed.append((source, message))
                self.events.done(source, "failed", message)

    def _jobs(self, locations: list[str], force: bool, report: IngestReport) -> Iterator[Job]:
        for location in locations:
            if is_records_file(location):
                yield from self._record_jobs(location, force, report)
                continue
            job = self._plan(location, force, report)
            if job is not None:
                yield job

    def _record_jobs(self, location: str, force: bool, report: IngestReport) -> Iterator[Job]:
        seen: dict[str, int] = {}
        try:
            for number, record, problem in read_records(Path(location)):
                if record is not None and record.get("id") is not None:
                    first = seen.setdefault(str(record["id"]), number)
                    if first != number:
                        problem = f"id {record['id']!r} is already used on line {first}"
                if problem:
                    message = f"{location}: line {number}: {problem}"
                    report.failed.append((f"{location}#line={number}", message))
                    self.events.done(location, "failed", message)
                    continue
                source = record_location(location, number, record)
                job = self._decide(source, record_sha256(record), force, report)
                if job is not None:
                    yield replace(job, record=record)
        except OSError as exc:
            message = f"{location}: cannot read ({exc.strerror or exc})"
            report.failed.append((location, message))
            self.events.done(location, "failed", message)

    def _plan(self, location: str, force: bool, report: IngestReport) -> Job | None:
        """Decide what a source needs. Files are hashed here, so unchanged ones cost no extraction."""
        if is_url(location):
            return Job(location, force=force)
        try:
            data = Path(location).read_bytes()
        except OSError as exc:
            message = f"{location}: cannot read ({exc.strerror or exc})"
            report.failed.append((location, message))
            self.events.done(location, "failed", message)
            return None
        return self._decide(location, sha256_of(data), force, report)

    def _decide(self, location: str, sha256: str, force: bool, report: IngestReport) -> Job | None:
        current = self.catalog.doc_for_source(location)
        same_content = self.catalog.doc_for_sha(sha256)
        if same_content is not None and (not force or (current is not None and current["id"] != same_content["id"])):
            if current is None or current["id"] != same_content["id"]:
                self._repoint(location, same_content["id"])
            report.unchanged.append(location)
            self.events.done(location, "unchanged")
            return None
        if same_content is not None:  # forced re-extraction of this source's own content
            return Job(location, doc_id=same_content["id"], sha256=sha256, force=force)
        if current is not None and not self.catalog.other_sources(current["id"], location):
            doc_id = current["id"]  # a changed file keeps its document (and citation key)
        else:
            # New content for a source whose document other sources still hold: a new document.
            doc_id = self.catalog.new_doc_id(sha256)
        return Job(location, doc_id=doc_id, sha256=sha256, force=force)

    def _repoint(self, location: str, doc_id: str) -> None:
        """Point a source at the document with its content; a document left with no source is
        removed when the run ends (another source in the same run may still claim it)."""
        orphan = self.catalog.add_source(location, doc_id)
        if orphan:
            self._orphans.add(orphan)

    def _remove_orphans(self) -> None:
        for doc_id in sorted(self._orphans):
            if not self.catalog.other_sources(doc_id, None):
                self.remove(doc_id)
        self._orphans.clear()

    def _store(
        self, job: Job, document: Document, passages: list[Passage], bodies: list[str], batch: "_Batch", report: IngestReport
    ) -> None:
        doc_id = job.doc_id
        known = self.catalog.doc_for_sha(document.sha256)
        if known is not None and known["id"] != doc_id and (doc_id is not None or not job.force):
            # The same content was stored meanwhile (or, for a URL, before): one document, two sources.
            current = self.catalog.doc_for_source(job.location)
            if current is None or current["id"] != known["id"]:
                self._repoint(job.location, known["id"])
            report.unchanged.append(job.location)
            self.events.done(job.location, "unchanged")
            return
        if doc_id is None:  # a URL: its id is settled now that its content is known
            current = self.catalog.doc_for_source(job.location)
            if known is not None and not job.force:
                report.unchanged.append(job.location)  # fetched again, same content
                self.events.done(job.location, "unchanged")
                return
            if known is not None:
                doc_id = known["id"]
            elif current is not None and not self.catalog.other_sources(current["id"], job.location):
                doc_id = current["id"]
            else:
                doc_id = self.catalog.new_doc_id(document.sha256)
        passages = _renumber(passages, doc_id)
        found = document
        correction = self.catalog.overrides(doc_id).get(PAGES_FIELD) if document.paged else None
        if correction:  # the writer's page numbers outlive a re-extraction
            labels, source = corrected_page_numbers(correction, len(document.pages))
            document = replace(document, pages=tuple(replace(p, label=l) for p, l in zip(document.pages, labels)), page_source=source)
            passages = relabel(passages, labels)
        self.catalog.write_document(doc_id, document, passages, job.location, found=found)
        batch.add(doc_id, passages, bodies)
        report.ingested.append(job.location)
        report.passages += len(passages)
        for warning in document.warnings:
            report.warnings.append((job.location, f"{job.location}: {warning}"))
        detail = f"{len(passages)} passages"
        if document.warnings:
            detail += "; " + "; ".join(document.warnings)
        self.events.done(job.location, "ingested", detail)

    # -- removing, rebuilding, retagging -----------------------------------------------------------
    def remove(self, doc_id: str) -> None:
        record = self.catalog.document(doc_id)
        self.catalog.mark_removing(doc_id)
        with self.engine.writer() as writer:
            writer.delete_document(doc_id)
        self.catalog.delete_document(doc_id)
        if record is not None and record.snapshot and not self.catalog.uses_snapshot(record.snapshot):
            (self.settings.index_dir / record.snapshot).unlink(missing_ok=True)  # the saved web page

    def index_entries(self, states: tuple[str, ...] = ("ready",)) -> Iterator[IndexEntry]:
        """What the engine holds for each passage, made from the catalog alone."""
        record = None
        for passage, _row in self.catalog.iter_passages(states=states):
            if record is None or record.id != passage.doc_id:
                record = self.catalog.document(passage.doc_id)
            yield _entry(passage, record)

    def reindex(self, engine_name: str | None = None) -> int:
        name = engine_name or self.engine_name
        count = self._rebuild_engine(name)
        if name != self.engine_name:
            previous = self.settings.engine_dir(self.engine_name)
            self.catalog.set_meta("engine", name)
            self.engine_name = name
            shutil.rmtree(previous, ignore_errors=True)  # readers now open the new engine
        return count

    def _rebuild_engine(self, name: str) -> int:
        """Build a fresh engine index from the catalog beside the old one, then swap it in."""
        final = self.settings.engine_dir(name)
        building = final.with_name(final.name + ".new")
        old = final.with_name(final.name + ".old")
        shutil.rmtree(building, ignore_errors=True)
        try:
            engine = open_engine(name, building, create=True)
        except EngineUnavailable as exc:
            raise _unavailable(name, exc) from exc
        count = 0
        with engine.writer() as writer:
            for entry in self.index_entries(states=("ready", "pending")):
                writer.add(entry)
                count += 1
        engine.close()
        if self._engine is not None:
            self._engine.close()  # its files are about to move
            self._engine = None
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        building.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        self._engine = open_engine(name, final)
        pending = [row["id"] for row in self.catalog.unfinished() if row["state"] == "pending"]
        self.catalog.mark_ready(pending)
        return count

    def retag(self) -> int:
        """Re-apply the taxonomy to every passage, in the catalog and the engine."""
        taxonomy = self.taxonomy
        updates = []
        for passage, _row in self.catalog.iter_passages(states=("ready",)):
            tags = taxonomy.tag(passage.text)
            updates.append((passage.id, sorted(tags), {k: v.as_dict() for k, v in sorted(tags.items())}))
        self.catalog.update_themes(updates)  # marks every document pending: reindex makes them ready
        self.reindex()
        return len(updates)

    def correct(self, doc_id: str, values: dict[str, str | None]) -> DocumentRecord:
        """Store metadata corrections (None clears one) and refresh the document's index entries."""
        # One transaction stores the corrections and marks the document pending, so that an
        # interruption before the index is updated is finished by the next writer's recover().
        self.catalog.set_overrides(doc_id, values, pending=True)
        record = self.catalog.document(doc_id)
        with self.engine.writer() as writer:  # title and year are indexed: re-add the entries
            writer.delete_document(doc_id)
            for passage in self.catalog.document_passages(doc_id):
                writer.add(_entry(passage, record))
        self.catalog.mark_ready([doc_id])
        return record

    def correct_pages(self, doc_id: str, correction: str | None) -> DocumentRecord:
        """Cite a document's pages by a writer's rule ("offset:N" or "physical"; None: back to
        the page numbers extraction found). Kept like other corrections: re-ingest keeps it."""
        record = self.catalog.document(doc_id)
        if record is None or record.page_source is None:
            raise EvidexError(f"Document {doc_id} has no pages to number", "Page numbers apply to PDF documents")
        found_labels, found_source = self.catalog.found_page_numbers(doc_id)
        if correction is None:
            labels, source = found_labels, found_source or record.page_source
        else:
            labels, source = corrected_page_numbers(correction, len(found_labels))
        passages = relabel(self.catalog.document_passages(doc_id), labels)
        self.catalog.set_page_numbers(doc_id, labels, source, passages, correction)
        return self.catalog.document(doc_id)

    def set_citekey(self, doc_id: str, key: str) -> None:
        other = self.catalog.find_by_citekey(key)
        if other and other != doc_id:
            raise EvidexError(f"The citation key {key!r} is already used by document {other}", "Choose another key")
        self.catalog.set_citekey(doc_id, key)

    def theme_counts(self) -> dict[str, tuple[int, int]]:
        """Per theme: (passages, documents), ready documents only."""
        rows = self.catalog.db.execute(
            "SELECT j.value AS theme, count(*) AS passages, count(DISTINCT p.doc_id) AS documents "
            "FROM passages p JOIN documents d ON d.id = p.doc_id, json_each(p.themes) j "
            "WHERE d.state = 'ready' GROUP BY j.value"
        )
        return {row["theme"]: (row["passages"], row["documents"]) for row in rows}

    def theme_matrix(self, by: str) -> dict:
        """{group: {theme: passages, "*": all passages}} for by = year, publisher or doc."""
        matrix: dict = {}
        records = {r.id: r for r in self.catalog.documents()}
        rows = self.catalog.db.execute(
            "SELECT p.doc_id, p.themes FROM passages p JOIN documents d ON d.id = p.doc_id WHERE d.state = 'ready'"
        )
        for row in rows:
            record = records[row["doc_id"]]
            if by == "year":
                group = record.year
            elif by == "publisher":
                group = facet_publisher(record)  # as search's publisher facet and filter name it
            else:
                group = f"{record.id} {record.title or ''}".strip()
            cell = matrix.setdefault(group, {})
            cell["*"] = cell.get("*", 0) + 1
            for theme in json.loads(row["themes"]):
                cell[theme] = cell.get(theme, 0) + 1
        return matrix

    # -- reading ----------------------------------------------------------------------------------
    def resolve_document(self, ref: str) -> DocumentRecord:
        ids = self.catalog.find_documents(ref)
        if not ids:
            path = Path(ref)
            if path.exists():
                ids = self.catalog.find_documents(str(path.resolve()))
        if not ids:
            raise NotFoundError(f"No document {ref!r} in {self.settings.index_dir}", 'See "evidex docs" for the ids')
        if len(ids) > 1:
            raise NotFoundError(f"{ref!r} matches {len(ids)} documents ({', '.join(ids[:5])})", "Give more of the id")
        record = self.catalog.document(ids[0])
        assert record is not None
        return record

    def facets(self, node: q.Node) -> dict[str, list[tuple[str | int, str, int]]]:
        """Matching passages counted per theme, year, kind and publisher: (value, label, count),
        most first. The value is what a filter takes; the label is what a reader is shown."""
        counts = self.engine.facets(node)
        publishers = {key: self._publisher_label(key) for key in counts.get("publisher", {})}
        labels = {"theme": {t.key: t.label for t in self.taxonomy.themes}, "publisher": publishers}
        found = {}
        for name in FACETS:
            values = counts.get(name, {})
            named = labels.get(name, {})
            order = (lambda item: -item[0]) if name == "year" else (lambda item: (-item[1], str(item[0])))
            found[name] = [(value, named.get(value, str(value)), count) for value, count in sorted(values.items(), key=order)]
        return found

    def _publisher_label(self, key: str) -> str:
        """A publisher's name as written, from one of its documents (the index holds the key)."""
        for ranked in self.engine.search(q.Filter("publisher", key), limit=1):
            record = self.catalog.document(ranked.doc_id)
            if record is not None and facet_publisher(record):
                return facet_publisher(record)
        return key

    def search(
        self,
        node: q.Node,
        limit: int = 10,
        offset: int = 0,
    ) -> list[Hit]:
        """The best hits from offset on (offset=20, limit=10: hits 21 to 30)."""
        wanted_count = offset + limit
        if limit <= 0:
            return []
        records: dict[str, DocumentRecord | None] = {}
        passages: dict[str, Passage] = {}
        asked = wanted_count
        while True:
            # Ask the engine for just what is shown (reading a hit costs); more only when some
            # hits belong to a document being written or removed, which the catalog lacks.
            # Each pass reads the whole new ranking: a commit in between may have changed it.
            ranked = self.engine.search(node, limit=asked)
            passages.update(self.catalog.passages([r.passage_id for r in ranked if r.passage_id not in passages]))
            usable, seen = [], set()
            for item in ranked:
                passage = passages.get(item.passage_id)
                if passage is None or item.passage_id in seen:
                    continue
                if item.doc_id not in records:
                    records[item.doc_id] = self.catalog.document(item.doc_id)
                if records[item.doc_id] is not None:
                    seen.add(item.passage_id)
                    usable.append((item, passage, records[item.doc_id]))
                    if len(usable) == wanted_count:
                        break
            if len(usable) >= wanted_count or len(ranked) < asked:
                break
            asked = asked * 2 + 20
        wanted = q.highlights(node)
        hits = []
        for item, passage, record in usable[offset : offset + limit]:  # snippets only for what is shown
            spans = match_spans(passage.text, wanted)
            pinpointed = pinpoint(passage, spans)
            hits.append(
                Hit(
                    passage=pinpointed,
                    document=record,
                    score=item.score,
                    snippet=make_snippet(passage.text, spans),
                    citation=short_citation(record, pinpointed),
                )
            )
        return hits


class _Batch:
    """Engine writes grouped into one commit every few thousand passages or seconds."""

    def __init__(self, library: Library):
        self.library = library
        self.doc_ids: list[str] = []
        self.entries: list[tuple[str, list[Passage], list[str]]] = []
        self.size = 0
        self.started = time.monotonic()

    def add(self, doc_id: str, passages: list[Passage], bodies: list[str]) -> None:
        self.entries.append((doc_id, passages, bodies))
        self.size += len(passages)

    def maybe_commit(self) -> None:
        if self.size >= COMMIT_EVERY_PASSAGES or (self.entries and time.monotonic() - self.started > COMMIT_EVERY_SECONDS):
            self.commit()

    def commit(self) -> None:
        if not self.entries:
            return
        catalog = self.library.catalog
        with self.library.engine.writer() as writer:
            for doc_id, passages, bodies in self.entries:
                record = catalog.document(doc_id)
                writer.delete_document(doc_id)
                for passage, body in zip(passages, bodies):
                    writer.add(_entry(passage, record, body))
        catalog.mark_ready(doc_id for doc_id, _passages, _bodies in self.entries)
        self.entries.clear()
        self.size = 0
        self.started = time.monotonic()


def _process(job: Job, settings: Settings, taxonomy: Taxonomy):
    """In a worker: extract one source, split it into passages, tag themes, and analyse each
    passage's text for the engine (stemming is the costly part of indexing: it runs here, in
    parallel, not in the single writer)."""
    # OCR starts no page it could not finish before the worker's time limit (--timeout).
    deadline = time.monotonic() + settings.timeout * 0.9
    if job.record is not None:
        document = record_document(job.record, job.location, job.sha256)
    elif is_url(job.location):
        document = extract_url(job.location, settings, deadline=deadline)
    else:
        data = Path(job.location).read_bytes()
        document = extract_bytes(
            data, job.location, sha256=job.sha256 or sha256_of(data), pdf_engine=settings.pdf_engine,
            ocr_lang=settings.ocr_lang, deadline=deadline,
        )
    doc_id = job.doc_id or document.sha256[:12]
    passages = split_passages(document, doc_id, settings.min_words, settings.max_words)
    if not passages:
        from .errors import NoTextError

        raise NoTextError(job.location, "no text to index")
    tagged = []
    for passage in passages:
        tags = taxonomy.tag(passage.text)
        tagged.append(
            replace(passage, themes=tuple(sorted(tags)), theme_evidence={k: v.as_dict() for k, v in sorted(tags.items())})
        )
    return document, tagged, [analysis.index_text(p.text) for p in tagged]


def pinpoint(passage: Passage, spans: list[tuple[int, int]]) -> Passage:
    """The passage with its locator narrowed to the pages (or paragraphs) where the matches are."""
    if not spans:
        return passage
    if passage.page_index is not None:
        ends = [offset for start, end in spans for offset in (start, end - 1)]
        pages = sorted({passage.page_at(offset) for offset in ends}, key=lambda p: p[0])
        (first_index, first_label), (last_index, last_label) = pages[0], pages[-1]
        return replace(passage, page_index=first_index, page=first_label, page_index_end=last_index, page_end=last_label)
    if passage.paragraph is not None:
        numbers = [passage.paragraph + passage.text.count("\n\n", 0, start) for start, _end in spans]
        return replace(passage, paragraph=min(numbers), paragraph_end=max(numbers))
    return passage


def _renumber(passages: list[Passage], doc_id: str) -> list[Passage]:
    if all(p.doc_id == doc_id for p in passages):
        return passages
    return [replace(p, doc_id=doc_id, id=passage_id(doc_id, p.ordinal)) for p in passages]


def _unavailable(name: str, exc: Exception) -> EvidexError:
    return EvidexError(f"The {name} engine is not installed ({exc})", f"Run: pip install 'evidex[{name}]'")


def _failure_message(location: str, result) -> tuple[str, bool]:
    if isinstance(result, _workers.TimedOut):
        return (
            f"{location}: extraction took longer than {result.seconds:g}s and was stopped. "
            "Raise the limit with --timeout if the file is just very large",
            False,
        )
    if isinstance(result, _workers.Crashed):
        return f"{location}: the extractor crashed (exit code {result.exitcode}); the file is probably damaged", False
    assert isinstance(result, _workers.Failure)
    message = result.message if result.message.startswith(location) else f"{location}: {result.message}"
    return message, result.warning


def _record_count(location: str) -> int:
    try:
        with open(location, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    except OSError:
        return 1


def _matches(relative: Path, patterns: tuple[str, ...]) -> bool:
    text = relative.as_posix()
    return any(fnmatch.fnmatch(text, p) or fnmatch.fnmatch(relative.name, p) for p in patterns)


def facet_publisher(record: DocumentRecord) -> str | None:
    """Who published a document, as search filters and facets name it (a web page: its site)."""
    return publisher_name(record) or record.site_name


def date_number(date: str | None) -> int | None:
    if not date or not date[:4].isdigit():
        return None
    digits = date.replace("-", "")[:8]
    digits = (digits + "0101")[:8] if len(digits) < 8 else digits
    return int(digits) if digits.isdigit() else None


def _entry(passage: Passage, record: DocumentRecord | None, body: str | None = None) -> IndexEntry:
    title = record.title if record else ""
    date = record.date if record else None
    return IndexEntry(
        passage_id=passage.id,
        doc_id=passage.doc_id,
        body=body if body is not None else analysis.index_text(passage.text),
        title=analysis.index_text(title or ""),
        themes=passage.themes,
        kind=record.kind if record else "",
        publisher=q.publisher_key(facet_publisher(record) if record else None),
        year=record.year if record else None,
        date=date_number(date),
    )
