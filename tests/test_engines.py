"""The engine conformance suite: every engine must give the same features.

Each test runs once per engine. What an engine matches is checked against a reference: the
same compiled query evaluated with Python sets over the catalog's own passages (SetBuilder).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil

import pytest
from click.testing import CliRunner

from conftest import CORPUS
from evidex import query as q
from evidex.cli import cli
from evidex.config import Settings
from evidex.engines import ENGINES, IndexEntry
from evidex.engines._compile import Compiler
from evidex.library import Library


def _installed(engine: str) -> bool:
    return engine == "whoosh" or importlib.util.find_spec(engine) is not None


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    if not _installed(request.param):
        if os.environ.get("CI") == "true":
            pytest.fail(f"the {request.param} engine is not installed (required under CI)")
        pytest.skip(f"{request.param} is not installed: pip install 'evidex[{request.param}]'")
    return request.param


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The corpus ingested once per engine; each test gets its own copy."""
    libraries: dict[str, object] = {}

    def get(engine: str):
        if engine not in libraries:
            path = tmp_path_factory.mktemp(engine) / "index"
            result = CliRunner().invoke(cli, ["--index", str(path), "ingest", "--engine", engine, "-q", str(CORPUS)])
            assert result.exit_code == 0, result.output
            libraries[engine] = path
        return libraries[engine]

    return get


@pytest.fixture
def library(engine, built, index_dir):
    shutil.copytree(built(engine), index_dir)
    with Library(Settings.from_env()) as lib:
        yield lib


class SetBuilder:
    """The reference engine: each query is the set of passage ids it matches."""

    def __init__(self, entries: list[IndexEntry]):
        self.entries = {e.passage_id: e for e in entries}

    def _where(self, test) -> frozenset[str]:
        return frozenset(pid for pid, e in self.entries.items() if test(e))

    @staticmethod
    def _words(entry: IndexEntry, field: str) -> list[str]:
        return getattr(entry, field).split()

    def term(self, field, value, boost=1.0):
        if field in ("body", "title"):
            return self._where(lambda e: value in self._words(e, field))
        if field == "themes":
            return self._where(lambda e: value in e.themes)
        return self._where(lambda e: getattr(e, field) == value)

    def phrase(self, field, stems, boost=1.0):
        n = len(stems)

        def has(e):
            words = self._words(e, field)
            return any(words[i : i + n] == stems for i in range(len(words) - n + 1))

        return self._where(has)

    def prefix(self, field, prefix, boost=1.0):
        if field in ("body", "title"):
            return self._where(lambda e: any(w.startswith(prefix) for w in self._words(e, field)))
        return self._where(lambda e: getattr(e, field).startswith(prefix))

    def year_range(self, low, high):
        return self._where(lambda e: e.year is not None and (low is None or e.year >= low) and (high is None or e.year <= high))

    def every(self):
        return frozenset(self.entries)

    def all_of(self, parts):
        return frozenset.intersection(*parts)

    def any_of(self, parts):
        return frozenset.union(*parts)

    def and_maybe(self, required, optional):
        return required

    def and_not(self, positive, negative):
        return positive - negative


def reference(library: Library, node: q.Node) -> set[str]:
    found = Compiler(SetBuilder(list(library.index_entries()))).compile(node)
    return set(found or ())


QUERIES = [
    "sextortion",
    "encryption detection",
    '"client-side scanning"',
    "end-to-end",
    "encrypt*",
    "sextortion AND boys",
    "sextortion OR grooming",
    "encryption -scanning",
    "NOT sextortion",
    "(ai OR artificial) intelligence",
    "+children theme:prevention",
    "theme:ai",
    "theme:encryption -theme:ai",
    "kind:html",
    "kind:pdf year:2024..",
    "year:..2023 prevention",
    'publisher:"Northbridge Child Safety Institute"',
    "the of",
    "lodestar",
    "nonexistentword",
]


@pytest.mark.parametrize("text", QUERIES)
def test_matches_equal_the_reference(library, text):
    node = q.parse(text)
    expected = reference(library, node)
    hits = library.search(node, limit=1000)
    assert {h.passage.id for h in hits} == expected
    assert len(hits) == len(expected)  # no passage twice


def test_doc_filter_by_id_or_its_start(library):
    record = library.catalog.documents()[0]
    for ref in (record.id, record.id[:6]):
        hits = library.search(q.parse(f"doc:{ref}"), limit=1000)
        assert {h.passage.id for h in hits} == {p.id for p in library.catalog.document_passages(record.id)}


def test_ranking_puts_the_distinctive_passage_first(library):
    # docs/corpus.md: "lodestar" is only on the threat assessment's page iii,
    # "keyholder" only on page 1 of the encryption briefing.
    top = library.search(q.parse("lodestar"), limit=1)[0]
    assert (top.document.title, top.passage.page) == ("Online Child Safety Threat Assessment 2025", "iii")
    top = library.search(q.parse("keyholder escrow"), limit=1)[0]
    assert top.passage.page == "1" and "keyholder" in top.passage.text.lower()
    # more of the query's words rank higher than fewer
    hits = library.search(q.parse("sextortion boys money"), limit=5)
    first, last = hits[0].passage.text.lower(), hits[-1].passage.text.lower()
    count = lambda text: sum(w in text for w in ("sextortion", "boys", "money"))  # noqa: E731
    assert count(first) >= count(last)


def test_hits_are_highlighted_and_cited(library):
    hit = library.search(q.parse('"client-side scanning"'), limit=1)[0]
    assert "\x02client\x03" in hit.snippet.lower() or "\x02client-side scanning\x03" in hit.snippet.lower()
    assert hit.citation and hit.document.title in hit.citation


def test_pagination_continues_the_ranking(library):
    node = q.parse("children online")
    ten = [h.passage.id for h in library.search(node, limit=10)]
    assert [h.passage.id for h in library.search(node, limit=5, offset=5)] == ten[5:]


def test_facets_count_matching_passages(library):
    node = q.parse("children")
    matched = reference(library, node)
    entries = {e.passage_id: e for e in library.index_entries()}
    facets = library.facets(node)
    themes = {value: count for value, _label, count in facets["theme"]}
    for theme in library.taxonomy.keys:
        assert themes.get(theme, 0) == sum(theme in entries[p].themes for p in matched)
    years = {value: count for value, _label, count in facets["year"]}
    assert years == {y: sum(entries[p].year == y for p in matched) for y in {entries[p].year for p in matched} if y}
    kinds = {value: count for value, _label, count in facets["kind"]}
    assert sum(kinds.values()) == len(matched)
    labels = {label for _value, label, _count in facets["publisher"]}
    assert "Northbridge Child Safety Institute" in labels


def test_deletes_and_updates(library, evidex, corpus, tmp_path):
    doc = next(r for r in library.catalog.documents() if r.title and "Threat Assessment" in r.title)
    evidex("remove", doc.id)
    assert library.search(q.parse("lodestar"), limit=10) == []
    assert doc.id not in library.engine.document_ids()
    # a changed file replaces its passages: the old words go, the new ones are found
    note = tmp_path / "note.md"
    note.write_text("# Field note\n\nThe quokka survey counted many animals on the island this spring.\n")
    evidex("ingest", "-q", note)
    assert len(library.search(q.parse("quokka"), limit=10)) == 1
    note.write_text("# Field note\n\nThe wallaby survey counted many animals on the island this spring.\n")
    evidex("ingest", "-q", note)
    assert library.search(q.parse("quokka"), limit=10) == []
    assert len(library.search(q.parse("wallaby"), limit=10)) == 1
    assert library.engine.count() == library.catalog.counts()["passages"]


def test_reindex_converts_between_engines(library, engine, evidex, index_dir):
    other = next(name for name in ENGINES if name != engine)
    if not _installed(other):
        pytest.skip(f"{other} is not installed")
    before = {text: [h.passage.id for h in library.search(q.parse(text), limit=1000)] for text in QUERIES}
    result = evidex("reindex", "--engine", other)
    assert f"Rebuilt the {other} index" in result.output
    assert (index_dir / other).is_dir() and not (index_dir / engine).exists()
    with Library(Settings.from_env()) as converted:
        assert converted.engine_name == other
        for text, ids in before.items():
            assert {h.passage.id for h in converted.search(q.parse(text), limit=1000)} == set(ids), text
    # the library keeps its engine: asking for another one at ingest is an error with the way out
    result = evidex("ingest", "--engine", engine, index_dir.parent, ok=False)
    assert f"uses the {other} engine" in result.output and f"reindex --engine {engine}" in result.output


def test_a_lost_index_is_rebuilt_by_the_next_writer(library, engine, evidex, index_dir, corpus):
    shutil.rmtree(index_dir / engine)
    result = evidex("search", "lodestar", ok=False)
    assert "evidex reindex" in result.output
    evidex("reindex")
    assert "lodestar" in evidex("search", "lodestar").output.lower()


def test_a_big_whoosh_library_is_told_about_tantivy(evidex, corpus, monkeypatch):
    cli_module = importlib.import_module("evidex.cli")
    monkeypatch.setattr(cli_module, "WHOOSH_ADVICE_PASSAGES", 50)
    result = evidex("ingest", "-q", corpus)
    assert "evidex reindex --engine tantivy" in result.stderr
    monkeypatch.setattr(cli_module, "WHOOSH_ADVICE_PASSAGES", 10_000)
    assert "tantivy" not in evidex("ingest", "-q", "--force", corpus).stderr


def test_a_missing_engine_is_named_and_leaves_no_library_behind(evidex, corpus, monkeypatch, index_dir):
    import sys

    monkeypatch.setitem(sys.modules, "tantivy", None)  # as if the extra were not installed
    monkeypatch.delitem(sys.modules, "evidex.engines._tantivy", raising=False)
    result = evidex("ingest", "--engine", "tantivy", corpus / "notes-on-prevention.md", ok=False)
    assert "The tantivy engine is not installed" in result.output and "evidex[tantivy]" in result.output
    evidex("ingest", corpus / "notes-on-prevention.md")  # the default engine still works
    with Library(Settings.from_env()) as library:
        assert library.engine_name == "whoosh"


# -- Whoosh: scored a posting list at a time, with Whoosh's own BM25F ---------------------------


def test_whoosh_scores_equal_whoosh_matchers(index_dir, built):
    """The fast scorer (engines._whoosh_scoring) must give what Whoosh's own matchers give
    for the same query: same passages, same BM25F scores."""
    from whoosh import query as wq

    from evidex import analysis
    from evidex.engines._compile import TITLE_BOOST

    shutil.copytree(built("whoosh"), index_dir)
    with Library(Settings.from_env()) as lib:
        engine = lib.engine
        searcher = engine._current()
        compared = 0
        for text in ("sextortion boys money", "encryption detection children", "grooming", "online safety report"):
            stems = [analysis.stem(w) for w in text.split()]
            whoosh_query = wq.AndMaybe(
                wq.Or([wq.Term("body", s) for s in stems]),
                wq.Or([wq.Term("title", s, boost=TITLE_BOOST) for s in stems]),
            )
            theirs = {hit["passage_id"]: hit.score for hit in searcher.search(whoosh_query, limit=None)}
            ours = {r.passage_id: r.score for r in engine.search(q.parse(text), limit=100_000)}
            assert ours.keys() == theirs.keys(), text
            for passage_id, score in theirs.items():
                assert ours[passage_id] == pytest.approx(score, rel=1e-5), (text, passage_id)
            compared += len(theirs)
        assert compared > 50


def test_an_index_from_an_older_evidex_is_named_and_rebuilt(evidex, corpus, index_dir):
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    evidex("ingest", "-q", corpus / "notes-on-prevention.md")
    shutil.rmtree(index_dir / "whoosh")
    (index_dir / "whoosh").mkdir()
    # an index with other fields than today's (this one: far fewer)
    whoosh_index.create_in(str(index_dir / "whoosh"), Schema(passage_id=ID(stored=True), body=TEXT(phrase=True)))
    result = evidex("search", "prevention", ok=False)
    assert "from an older evidex" in result.output and "evidex reindex" in result.output
    evidex("reindex")
    assert "prevention" in evidex("search", "prevention").output.lower()
    # today's fields, but postings written by Whoosh's own codec (blocks not split)
    from evidex.engines._whoosh import _schema

    shutil.rmtree(index_dir / "whoosh")
    (index_dir / "whoosh").mkdir()
    with whoosh_index.create_in(str(index_dir / "whoosh"), _schema()).writer() as writer:
        writer.add_document(passage_id="x-1", doc_id="x", body="prevent " * 3)
    assert "from an older evidex" in evidex("search", "prevention", ok=False).output


# -- tantivy: ranked words are first run as a flat OR it can prune, then checked ------------------


def _tantivy_pair(tmp_path):
    if not _installed("tantivy"):
        if os.environ.get("CI") == "true":
            pytest.fail("the tantivy engine is not installed (required under CI)")
        pytest.skip("tantivy is not installed: pip install 'evidex[tantivy]'")
    from evidex.engines import _tantivy

    engine = _tantivy.TantivyEngine(tmp_path / "tantivy", create=True)

    def nested(node, limit):
        flat_top = _tantivy._flat_top
        _tantivy._flat_top = lambda *args: None
        try:
            return engine.search(node, limit)
        finally:
            _tantivy._flat_top = flat_top

    return engine, nested


def _entry(pid, doc, body, title):
    return IndexEntry(pid, doc, body, title, (), "pdf", "", 2024, None)


def test_tantivy_flat_or_gives_the_real_querys_top_hits(built, index_dir, tmp_path):
    _tantivy_pair(tmp_path)  # skips (fails under CI) without tantivy
    from evidex.engines import _tantivy

    shutil.copytree(built("tantivy"), index_dir)
    with Library(Settings.from_env()) as library:
        _compare_flat_and_real(library.engine, _tantivy)


def _compare_flat_and_real(tantivy_engine, _tantivy):
    took_flat = 0
    for text in ("sextortion boys money", "children online", "encrypt* detection", "grooming", "safety report 2024",
                 "children kind:pdf", "online theme:ai", "sextortion year:2024..2025"):
        node = q.parse(text)
        flat_top = _tantivy._flat_top
        outcomes = []
        _tantivy._flat_top = lambda *args: outcomes.append(flat_top(*args)) or outcomes[-1]
        try:
            fast = tantivy_engine.search(node, 15)
        finally:
            _tantivy._flat_top = flat_top
        took_flat += outcomes not in ([], [None])
        _tantivy._flat_top = lambda *args: None
        try:
            slow = tantivy_engine.search(node, 15)
        finally:
            _tantivy._flat_top = flat_top
        assert [r.passage_id for r in fast] == [r.passage_id for r in slow], text
        assert [r.score for r in fast] == pytest.approx([r.score for r in slow], rel=1e-5), text
    assert took_flat >= 5  # the comparison is about the flat path: most of these queries take it


def test_tantivy_passages_matching_only_by_title_are_not_hits(tmp_path, monkeypatch):
    """Sixty passages of a report whose title has both words (its text has neither) outrank,
    in the flat OR, the 500 passages that hold one of them: the check keeps none, so the
    real query runs and gives the passages that hold the word."""
    engine, nested = _tantivy_pair(tmp_path)
    from evidex.engines import _tantivy

    with engine.writer() as writer:
        for n in range(500):
            writer.add(_entry(f"w-{n:03}", "w", "kangaroo " + "filler words here " * 5, "some report"))
        for n in range(60):
            writer.add(_entry(f"t-{n:02}", "t", "annual figures", "quokka kangaroo"))
    outcomes = []
    flat_top = _tantivy._flat_top
    monkeypatch.setattr(_tantivy, "_flat_top", lambda *args: outcomes.append(flat_top(*args)) or outcomes[-1])
    node = q.parse("quokka kangaroo")
    hits = engine.search(node, 10)
    assert outcomes == [None]  # the flat OR's best were all title-only: the real query ran
    assert [r.passage_id for r in hits] == [f"w-{n:03}" for n in range(10)]
    monkeypatch.setattr(_tantivy, "_flat_top", flat_top)
    assert [r.passage_id for r in hits] == [r.passage_id for r in nested(node, 10)]


def test_a_search_for_no_hits_asks_no_engine(library):
    assert library.search(q.parse("children"), limit=0) == []


def test_a_word_beginning_ranks_like_the_words_it_stands_for(library):
    # "encrypt*" stands for encrypt, encrypted, encryption...: a passage with more of them
    # (and rarer ones) ranks higher, as the same words typed out would
    by_prefix = library.search(q.parse("encrypt*"), limit=5)
    assert len({round(h.score, 6) for h in by_prefix}) > 1


def test_whoosh_split_blocks_read_back_by_whoosh_itself(tmp_path):
    """Postings written by engines._whoosh_codec over several commits (so Whoosh merges
    segments, reading the split blocks itself): Whoosh's own phrase matcher, the fast scorer
    and a count by hand agree."""
    from whoosh import query as wq

    from evidex.engines._whoosh import WhooshEngine

    engine = WhooshEngine(tmp_path / "whoosh", create=True)
    expected = set()
    for commit in range(6):
        with engine.writer() as writer:
            for n in range(250):
                pid = f"d{commit}-{n}"
                words = ["red", "fox"] if n % 3 == 0 else ["fox", "red"]
                if n % 3 == 0:
                    expected.add(pid)
                writer.add(_entry(pid, f"d{commit}", " ".join(["the", *words, "ran", "far"] * (1 + n % 4)), "fox notes"))
    searcher = engine._current()
    theirs = {hit["passage_id"]: hit.score for hit in searcher.search(wq.Phrase("body", ["red", "fox"]), limit=None)}
    ours = {r.passage_id: r.score for r in engine.search(q.parse('"red fox"'), 100_000)}
    assert set(theirs) == set(ours) == expected
    assert all(ours[p] == pytest.approx(theirs[p], rel=1e-5) for p in expected)  # a phrase scores as its words
    assert len(engine.search(q.parse("fox"), 100_000)) == 1500
