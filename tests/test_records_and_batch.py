"""JSON Lines ingest (text extracted elsewhere) and batch search (many queries, one process)."""

from __future__ import annotations

import json

RECORDS = [
    {"id": "r1", "title": "Sextortion reports rise", "text": "Police say reports of sextortion targeting teenage boys rose sharply last year. Offenders demanded money.", "date": "2024-03-02", "publisher": "City Police", "url": "https://police.example.org/news/1", "kind": "html"},
    {"id": "r2", "title": "Encryption and detection", "text": "End-to-end encryption hides message content from the service, which limits automated detection of known abuse images.", "author": "Okafor, Helen", "date": "2023"},
    {"id": 3, "text": "A record with a numeric id and no title, about prevention education in schools for children."},
]


def write_records(path, records, extra_lines=()):
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
        for line in extra_lines:
            handle.write(line + "\n")
    return path


def test_records_are_documents_with_external_ids(evidex, tmp_path):
    path = write_records(tmp_path / "docs.jsonl", RECORDS)
    result = evidex("ingest", path)
    assert "Ingested 3" in result.stdout
    hit = json.loads(evidex("search", "sextortion", "--format", "json").stdout)[0]
    assert hit["external_id"] == "r1"
    assert hit["title"] == "Sextortion reports rise" and hit["publisher"] == "City Police" and hit["date"] == "2024-03-02"
    assert hit["page"] is None and hit["url"] == "https://police.example.org/news/1"
    assert "sextortion" in hit["themes"]
    docs = {d["external_id"]: d for d in json.loads(evidex("docs", "--format", "json").stdout)}
    assert set(docs) == {"r1", "r2", "3"}
    assert docs["r2"]["author"] == "Okafor, Helen" and docs["3"]["title"] is None
    ids = {h["external_id"] for h in json.loads(evidex("search", "encryption OR prevention", "--format", "json").stdout)}
    assert ids == {"r2", "3"}


def test_bad_lines_are_reported_and_good_lines_ingested(evidex, tmp_path):
    path = write_records(
        tmp_path / "mixed.jsonl",
        RECORDS[:1],
        extra_lines=["{not json", json.dumps({"id": "x", "title": "no text"}), json.dumps({"text": "fine", "kind": "video"}), json.dumps(RECORDS[1])],
    )
    result = evidex("ingest", path, ok=False)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 3
    assert f"{path}: line 2: not valid JSON" in errors[0]
    assert f"{path}: line 3: no text field" in errors[1]
    assert f"{path}: line 4: kind must be one of pdf, html, text" in errors[2]
    assert "Ingested 2" in result.stdout


def test_records_are_incremental(evidex, tmp_path):
    path = write_records(tmp_path / "docs.jsonl", RECORDS)
    evidex("ingest", path)
    assert "Ingested 0 (0 passages), unchanged 3" in evidex("ingest", path).stdout
    changed = [dict(RECORDS[0], text="Police now say sextortion reports fell this spring."), *RECORDS[1:]]
    write_records(path, changed)
    assert "Ingested 1" in evidex("ingest", path).stdout
    hits = json.loads(evidex("search", "sextortion", "--format", "json").stdout)
    assert [h["external_id"] for h in hits] == ["r1"] and "fell" in hits[0]["text"]
    assert len(json.loads(evidex("docs", "--format", "json").stdout)) == 3


def test_batch_search_plain_and_json_lines(evidex, corpus, tmp_path):
    evidex("ingest", corpus)
    plain = tmp_path / "queries.txt"
    plain.write_text("sextortion\n\nend-to-end encryption\n", encoding="utf-8")
    lines = [json.loads(line) for line in evidex("search", "--batch", plain, "--limit", "2").stdout.splitlines()]
    assert [(r["query_id"], r["query"]) for r in lines] == [("1", "sextortion"), ("3", "end-to-end encryption")]
    assert all(len(r["hits"]) == 2 for r in lines)
    single = json.loads(evidex("search", "sextortion", "--limit", "2", "--format", "json").stdout)
    assert lines[0]["hits"] == single  # the same hit fields as a single search
    queries = tmp_path / "queries.jsonl"
    queries.write_text(json.dumps({"id": "q7", "query": "nudify"}) + "\n", encoding="utf-8")
    result = json.loads(evidex("search", "--batch", queries, "--theme", "ai").stdout)
    assert result["query_id"] == "q7" and result["hits"] and all("ai" in h["themes"] for h in result["hits"])


def test_batch_never_fails_on_natural_language(evidex, corpus, tmp_path):
    evidex("ingest", corpus)
    claims = [
        'Parents should NOT ignore "sextortion warnings (from schools',
        "AND OR NOT",
        "Ratio: 1:3 of teens -- year:twenty kind:docx theme:",
        ")))",
    ]
    path = tmp_path / "claims.txt"
    path.write_text("\n".join(claims) + "\n", encoding="utf-8")
    result = evidex("search", "--batch", path)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["query"] for r in rows] == claims
    assert rows[0]["hits"]  # the words still search
    assert "Traceback" not in result.output


def test_batch_from_stdin(evidex, corpus):
    evidex("ingest", corpus)
    result = evidex("search", "--batch", "-", input="lodestar\n")
    row = json.loads(result.stdout)
    assert row["hits"][0]["page"] == "iii"


def test_a_repeated_id_is_an_error_for_that_line(evidex, tmp_path):
    path = write_records(tmp_path / "dup.jsonl", [RECORDS[0], dict(RECORDS[1], id="r1")])
    result = evidex("ingest", path, ok=False)
    assert f"{path}: line 2: id 'r1' is already used on line 1" in result.stderr
    assert "Ingested 1" in result.stdout
