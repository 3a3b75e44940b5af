"""Killing an ingest at any moment, or running two at once, never corrupts the library."""

from __future__ import annotations

import fcntl
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evidex import Library, Settings, parse_query
from evidex.engines import open_engine
from evidex.errors import IndexBusyError


def evidex_process(*args: str, index: Path) -> subprocess.Popen:
    env = dict(os.environ, EVIDEX_INDEX=str(index))
    return subprocess.Popen(
        [sys.executable, "-m", "evidex", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def check_consistent(index: Path) -> tuple[set[str], int]:
    """What a search may return is consistent with the catalog; returns (ready doc ids, passages)."""
    db = sqlite3.connect(index / "catalog.sqlite")
    states = dict(db.execute("SELECT id, state FROM documents"))
    ready = {doc for doc, state in states.items() if state == "ready"}
    (ready_passages,) = db.execute(
        "SELECT count(*) FROM passages p JOIN documents d ON d.id = p.doc_id WHERE d.state = 'ready'"
    ).fetchone()
    orphans = db.execute("SELECT count(*) FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)").fetchone()[0]
    assert orphans == 0
    db.close()
    if (index / "whoosh").exists():
        engine = open_engine("whoosh", index / "whoosh")
        # The engine never knows a document the catalog does not.
        assert engine.document_ids() <= set(states)
        with Library(Settings(index_dir=index)) as library:
            for word in ("child", "report", "the", "police"):
                for hit in library.search(parse_query(word), limit=50):
                    assert states[hit.document.id] == "ready"
                    assert hit.passage.text
    return ready, ready_passages


def test_sigkill_during_ingest_leaves_a_consistent_library(shared, tmp_path):
    index = tmp_path / "index"
    sources = [str(shared / "html-articles" / "aeb" / "html"), str(shared / "reports"), str(shared / "seeds")]
    rng = random.Random(7)
    kills = 0
    for _round in range(4):
        process = evidex_process("ingest", "--quiet", *sources, index=index)
        time.sleep(rng.uniform(0.4, 3.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.communicate(timeout=60)
        if (index / "catalog.sqlite").exists():
            check_consistent(index)
    assert kills >= 2, "the ingest finished before it could be killed; the test proves nothing"
    final = evidex_process("ingest", "--quiet", *sources, index=index)
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err
    ready, passages = check_consistent(index)
    db = sqlite3.connect(index / "catalog.sqlite")
    assert db.execute("SELECT count(*) FROM documents WHERE state != 'ready'").fetchone()[0] == 0
    engine = open_engine("whoosh", index / "whoosh")
    assert engine.document_ids() == ready
    assert engine.count() == passages
    again = evidex_process("ingest", "--quiet", *sources, index=index)
    out, _ = again.communicate(timeout=120)
    assert "Ingested 0 (0 passages)" in out


def test_two_ingests_at_once_both_land(corpus, tmp_path):
    index = tmp_path / "index"
    first = evidex_process("ingest", str(corpus / "threat-assessment-2025.pdf"), str(corpus / "encryption-briefing-2024.pdf"), index=index)
    second = evidex_process("ingest", str(corpus / "sextortion-teenage-boys.html"), str(corpus / "notes-on-prevention.md"), index=index)
    results = [p.communicate(timeout=120) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, results
    check_consistent(index)
    with Library(Settings(index_dir=index)) as library:
        assert len(library.catalog.documents()) == 4


def test_a_writer_that_cannot_get_the_lock_says_so(corpus, tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    holder = os.open(index / "write.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    os.pwrite(holder, b"4242", 0)
    try:
        with pytest.raises(IndexBusyError) as caught:
            Library(Settings(index_dir=index, lock_timeout=0.5), write=True, create=True)
        assert "Another evidex process (pid 4242) is writing to" in str(caught.value)
        assert "Wait for it to finish" in str(caught.value)
    finally:
        os.close(holder)
    with Library(Settings(index_dir=index, lock_timeout=0.5), write=True, create=True) as library:
        report = library.ingest([str(corpus / "notes-on-prevention.md")])
    assert len(report.ingested) == 1


def test_installed_command_end_to_end(corpus, tmp_path):
    """The `evidex` script that pip installed, as a user runs it."""
    exe = Path(sys.executable).with_name("evidex")
    assert exe.exists(), f"evidex is not installed next to {sys.executable}"
    env = dict(os.environ, EVIDEX_INDEX=str(tmp_path / "lib"))
    ingest = subprocess.run([str(exe), "ingest", str(corpus)], env=env, capture_output=True, text=True, timeout=120)
    assert ingest.returncode == 0, ingest.stderr
    assert "failed 0" in ingest.stdout
    search = subprocess.run([str(exe), "search", "sextortion", "--format", "json"], env=env, capture_output=True, text=True, timeout=60)
    assert search.returncode == 0, search.stderr
    hits = json.loads(search.stdout)
    assert hits and "sextortion" in hits[0]["text"].lower() and hits[0]["citation"]
    version = subprocess.run([sys.executable, "-m", "evidex", "--version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("evidex, version")
