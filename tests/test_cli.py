"""Every command on the bundled corpus, through the CLI as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest


@pytest.fixture
def library(evidex, corpus):
    result = evidex("ingest", corpus)
    assert "failed 0" in result.stdout
    return result


def hits(evidex, *args):
    return json.loads(evidex("search", *args, "--format", "json").stdout)


def ids(found):
    return [h["passage_id"] for h in found]


def test_no_index_gives_the_hint(evidex, index_dir):
    result = evidex("search", "sextortion", ok=False)
    assert result.exit_code == 1
    assert f'Error: No index at {index_dir}. Run "evidex ingest FILE" first.' in result.stderr
    assert "Traceback" not in result.output


def test_ingest_summary_and_docs(evidex, library):
    assert "Ingested 7" in library.stdout
    docs = json.loads(evidex("docs", "--format", "json").stdout)
    by_title = {d["title"]: d for d in docs}
    report = by_title["Online Child Safety Threat Assessment 2025"]
    assert report["author"] == "Northbridge Child Safety Institute"
    assert report["date"].startswith("2025")
    assert report["page_count"] == 10
    assert report["kind"] == "pdf"
    article = next(d for d in docs if d["kind"] == "html" and "Sextortion" in d["title"])
    assert article["author"] and article["date"] and article["url"].startswith("https://")
    text = evidex("docs").stdout
    assert "Online Child Safety Threat Assessment 2025" in text and "7 documents" in text


def test_reingest_skips_unchanged_files(evidex, corpus, library):
    again = evidex("ingest", corpus)
    assert "Ingested 0" in again.stdout and "unchanged 7" in again.stdout


def test_search_cites_printed_page_labels(evidex, library):
    # "lodestar" stands only on the foreword, printed page iii (physical page 3).
    first = hits(evidex, "lodestar")[0]
    assert (first["page"], first["page_index"]) == ("iii", 3)
    assert first["citation"] == 'Northbridge Child Safety Institute, "Online Child Safety Threat Assessment 2025", 2025, p. iii'
    # "wayfinding" stands only on printed page 7, the tenth physical page.
    first = hits(evidex, "wayfinding")[0]
    assert (first["page"], first["page_index"]) == ("7", 10)


def test_passage_across_a_page_break(evidex, library):
    first = hits(evidex, '"hash-based filters unless a human moderator"')[0]
    assert (first["page"], first["page_end"]) == ("2", "3")
    assert first["citation"].endswith("pp. 2-3")


def test_hit_fields_and_snippet(evidex, library):
    first = hits(evidex, "sextortion")[0]
    for field in ("passage_id", "doc_id", "score", "text", "snippet", "page", "page_index", "page_end",
                  "themes", "title", "author", "publisher", "date", "url", "source", "citation"):
        assert field in first
    assert "**sextortion**" in first["snippet"].lower()
    assert "sextortion" in first["themes"]


def test_web_citation_has_url_and_access_date(evidex, library):
    first = hits(evidex, "sextortion", "--kind", "html")[0]
    assert first["url"] in first["citation"]
    assert "accessed 20" in first["citation"]
    assert "para." in first["citation"]


def test_filters(evidex, library):
    assert all("encryption" in h["themes"] for h in hits(evidex, "detection", "--theme", "encryption"))
    assert all(h["date"].startswith("2024") for h in hits(evidex, "detection", "--since", "2024", "--until", "2024"))
    assert all(h["date"].startswith("2024") for h in hits(evidex, "detection year:2024"))
    assert all(h["source"].endswith(".pdf") for h in hits(evidex, "detection kind:pdf"))
    doc_id = hits(evidex, "keyholder")[0]["doc_id"]
    assert {h["doc_id"] for h in hits(evidex, "encryption", "--doc", doc_id)} == {doc_id}
    assert hits(evidex, "encryption -encryption") == []


def test_phrase_and_boolean(evidex, library):
    phrase = hits(evidex, '"client-side scanning"')
    assert phrase and all("client-side scanning" in h["text"].lower() for h in phrase)
    both = hits(evidex, "nudify AND schools")
    assert both and all("nudify" in h["text"].lower() and "school" in h["text"].lower() for h in both)


def test_output_formats(evidex, library):
    text = evidex("search", "sextortion", "-n", "2").stdout
    assert text.startswith("1. ") and "id " in text
    md = evidex("search", "sextortion", "-n", "2", "--format", "md").stdout
    assert "**" in md and "> —" in md
    rows = list(csv.DictReader(io.StringIO(evidex("search", "sextortion", "-n", "2", "--format", "csv").stdout)))
    assert len(rows) == 2 and rows[0]["citation"]
    lines = evidex("search", "sextortion", "-n", "2", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["passage_id"] for line in lines]


def test_bad_query_shows_where(evidex, library):
    result = evidex("search", '"end-to-end encryption', ok=False)
    assert "Cannot parse query at column 1" in result.stderr
    assert "^" in result.stderr and "Traceback" not in result.output


def test_unknown_theme_is_refused(evidex, library):
    result = evidex("search", "x", "--theme", "crypto", ok=False)
    assert "unknown theme 'crypto'" in result.output


def test_show_document_and_passage(evidex, library):
    first = hits(evidex, "lodestar")[0]
    doc = evidex("show", first["doc_id"]).stdout
    assert "Online Child Safety Threat Assessment 2025" in doc
    assert "pages: 10 (page labels i-iii from physical 1-3, 1-7 from physical 4-10)" in doc
    data = json.loads(evidex("show", first["doc_id"][:6], "--format", "json").stdout)
    assert data["id"] == first["doc_id"] and data["pages"][0]["label"] == "i"
    passage = evidex("show", first["passage_id"]).stdout
    assert "lodestar" in passage.lower()
    missing = evidex("show", "nope", ok=False)
    assert "No document 'nope'" in missing.stderr


def test_remove_and_reindex(evidex, corpus, library, index_dir):
    doc_id = hits(evidex, "keyholder")[0]["doc_id"]
    evidex("remove", doc_id)
    assert all(h["doc_id"] != doc_id for h in hits(evidex, "keyholder"))
    before = hits(evidex, "sextortion", "-n", "100")
    out = evidex("reindex").stdout
    assert "Rebuilt the whoosh index from the catalog" in out
    assert sorted(ids(hits(evidex, "sextortion", "-n", "100"))) == sorted(ids(before))
    # The index is derived data: delete it entirely and reindex brings search back.
    import shutil

    shutil.rmtree(index_dir / "whoosh")
    broken = evidex("search", "sextortion", ok=False)
    assert 'Run "evidex reindex"' in broken.stderr
    evidex("reindex")
    assert sorted(ids(hits(evidex, "sextortion", "-n", "100"))) == sorted(ids(before))


def test_changed_file_replaces_its_passages(evidex, tmp_path):
    note = tmp_path / "note.md"
    note.write_text("# Field note\n\nThe first version talks about lighthouses and harbours. " * 5)
    evidex("ingest", note)
    old = hits(evidex, "lighthouses")
    assert old
    note.write_text("# Field note\n\nThe second version talks about orchards and meadows. " * 5)
    evidex("ingest", note)
    assert hits(evidex, "lighthouses") == []
    new = hits(evidex, "orchards")
    assert new[0]["doc_id"] == old[0]["doc_id"]  # same source, same document id
    assert len(json.loads(evidex("docs", "--format", "json").stdout)) == 1


def test_same_content_two_paths_is_one_document(evidex, corpus, tmp_path):
    copy = tmp_path / "copy.pdf"
    copy.write_bytes((corpus / "encryption-briefing-2024.pdf").read_bytes())
    evidex("ingest", corpus / "encryption-briefing-2024.pdf", copy)
    docs = json.loads(evidex("docs", "--format", "json").stdout)
    assert len(docs) == 1 and len(docs[0]["sources"]) == 2


def test_include_exclude_globs(evidex, corpus):
    evidex("ingest", corpus, "--include", "*.html", "--exclude", "*scanning*")
    kinds = {d["kind"] for d in json.loads(evidex("docs", "--format", "json").stdout)}
    assert kinds == {"html"}
    assert len(json.loads(evidex("docs", "--format", "json").stdout)) == 2


def test_passage_size_options(evidex, corpus):
    evidex("ingest", corpus / "threat-assessment-2025.pdf", "--min-words", "20", "--max-words", "40")
    ids = json.loads(evidex("docs", "--format", "json").stdout)
    sizes = [len(h["text"].split()) for h in hits(evidex, "the", "-n", "50")]
    assert ids[0]["passage_count"] > 40 and max(sizes) <= 40


def test_extract_text_and_json(evidex, corpus):
    text = evidex("extract", corpus / "threat-assessment-2025.pdf").stdout
    assert text.count("\f") == 9
    data = json.loads(evidex("extract", corpus / "threat-assessment-2025.pdf", "--format", "json").stdout)
    assert [p["label"] for p in data["pages"]][:4] == ["i", "ii", "iii", "1"]
    assert data["title"] == "Online Child Safety Threat Assessment 2025"
    # The running header is dropped, the words of the body are kept.
    assert "Northbridge Child Safety Institute | Online Child Safety" not in text
    assert "capacity-mapping" in text


def test_guessed_title_is_marked(evidex, corpus):
    data = json.loads(evidex("extract", corpus / "prevention-annual-review-2023.pdf", "--format", "json").stdout)
    assert "title" in data["guessed"] and data["title"]
    assert "Harbour Online Safety Trust ·" not in data["title"]  # not the running header


def test_catalog_is_plain_sqlite(evidex, library, index_dir):
    db = sqlite3.connect(index_dir / "catalog.sqlite")
    states = {row[0] for row in db.execute("SELECT state FROM documents")}
    assert states == {"ready"}
    (count,) = db.execute("SELECT count(*) FROM passages").fetchone()
    assert count > 50


def test_files_that_swap_contents_keep_the_right_text(evidex, tmp_path):
    one, two = tmp_path / "one.md", tmp_path / "two.md"
    one.write_text("# One\n\nAlpha text about lighthouses and harbours, told at some length here.")
    two.write_text("# Two\n\nBeta text about orchards and meadows, told at some length here.")
    evidex("ingest", one, two)
    one_text, two_text = one.read_text(), two.read_text()
    one.write_text(two_text)
    two.write_text(one_text)
    evidex("ingest", one, two)
    docs = json.loads(evidex("docs", "--format", "json").stdout)
    assert len(docs) == 2
    by_source = {source: d for d in docs for source in d["sources"]}
    assert by_source[str(one.resolve())]["title"] == "Two"
    assert by_source[str(two.resolve())]["title"] == "One"


def test_a_shared_document_is_not_overwritten_by_one_changed_path(evidex, tmp_path):
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    for path in (first, second):
        path.write_text("# Shared\n\nThe same note about lighthouses, kept in two places on disk.")
    evidex("ingest", first, second)
    first.write_text("# Changed\n\nA different note about orchards, now only in the first place.")
    evidex("ingest", first)
    docs = {d["title"]: d for d in json.loads(evidex("docs", "--format", "json").stdout)}
    assert docs["Shared"]["sources"] == [str(second.resolve())]
    assert docs["Changed"]["sources"] == [str(first.resolve())]
    assert json.loads(evidex("search", "lighthouses", "--format", "json").stdout)[0]["title"] == "Shared"


def test_page_labels_the_pages_do_not_print_lose_to_the_printed_numbers(evidex, corpus, tmp_path):
    from pypdf import PdfReader, PdfWriter

    # The briefing prints 1, 2, 3, 4 at the foot of its pages; labels that say otherwise
    # (an empty label on page 1, then 1, 2, 3) are not what a reader sees.
    writer = PdfWriter(clone_from=corpus / "encryption-briefing-2024.pdf")
    writer.set_page_label(0, 0, prefix="")
    writer.set_page_label(1, 3, style="/D", start=1)
    path = tmp_path / "labelled.pdf"
    writer.write(path)
    assert PdfReader(path).page_labels[:2] == ["", "1"]
    evidex("ingest", path)
    hit = hits(evidex, "keyholder")[0]  # a word of the first page
    assert (hit["page"], hit["page_index"], hit["page_source"]) == ("1", 1, "printed") and hit["citation"].endswith("p. 1")
    assert hits(evidex, "tripwire")[0]["citation"].endswith("p. 2")  # second page: prints 2, labelled 1


def test_page_labels_that_agree_with_the_printed_numbers_are_cited(evidex, corpus):
    evidex("ingest", corpus / "threat-assessment-2025.pdf")
    docs = json.loads(evidex("docs", "--format", "json").stdout)
    shown = json.loads(evidex("show", docs[0]["id"], "--format", "json").stdout)
    assert shown["page_source"] == "label"
    assert [p["label"] for p in shown["pages"]][:4] == ["i", "ii", "iii", "1"]
    assert shown["page_numbers"] == "page labels i-iii from physical 1-3, 1-7 from physical 4-10"
