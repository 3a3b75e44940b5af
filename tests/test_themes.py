"""Themes: tagging real passages, the taxonomy file, and the views cut by theme."""

from __future__ import annotations

import json

import pytest

from evidex.errors import TaxonomyError
from evidex.themes import Taxonomy

THEMES = ("ai", "encryption", "sextortion", "prevention")


@pytest.fixture(scope="module")
def builtin() -> Taxonomy:
    return Taxonomy.load()


def labelled(shared):
    path = shared / "themes" / "dev.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_seed_passages_get_their_themes(shared, builtin):
    """Every labelled passage from the two seed articles is tagged as labelled."""
    seeds = [row for row in labelled(shared) if row["source"].startswith("gta-")]
    assert len(seeds) >= 10
    assert {t for row in seeds for t in row["themes"]} >= {"ai", "encryption", "sextortion", "prevention"}
    wrong = [(row["id"], row["themes"], sorted(builtin.tag(row["text"]))) for row in seeds if sorted(builtin.tag(row["text"])) != sorted(row["themes"])]
    assert len(wrong) <= 1, wrong


def test_f1_per_theme_on_the_labelled_set(evidex, shared, tmp_path):
    rows = labelled(shared)
    out = evidex("tag", "--jsonl", "-i", shared / "themes" / "dev.jsonl").stdout.splitlines()
    predicted = [json.loads(line) for line in out]
    assert [p["id"] for p in predicted] == [r["id"] for r in rows]
    for theme in THEMES:
        tp = sum(theme in r["themes"] and theme in p["themes"] for r, p in zip(rows, predicted))
        fp = sum(theme not in r["themes"] and theme in p["themes"] for r, p in zip(rows, predicted))
        fn = sum(theme in r["themes"] and theme not in p["themes"] for r, p in zip(rows, predicted))
        f1 = 2 * tp / (2 * tp + fp + fn)
        assert f1 >= 0.90, (theme, f1)


def test_agency_names_are_not_prevention(builtin, shared):
    text = (
        "The Office of Juvenile Justice and Delinquency Prevention (OJJDP) funds this report, and the "
        "National Society for the Prevention of Cruelty to Children published figures on grooming of children."
    )
    assert "prevention" not in builtin.tag(text)
    # The same words about stopping abuse before it happens are prevention.
    assert "prevention" in builtin.tag("Schools teach children how to stay safe online, to prevent grooming and abuse.")


def test_false_friends(builtin):
    ransomware = "The ransomware gang encrypted the files and threatened to leak them unless a ransom was paid."
    assert builtin.tag(ransomware) == {}
    hashing = "A cryptographic hash function turns each file into a unique value that is compared against known images."
    assert "encryption" not in builtin.tag(hashing)
    automated = "Below is a table of automated and manual enforcement actions taken on posts."
    assert "ai" not in builtin.tag(automated)
    fraud = "Our policies are designed to prevent identity fraud on the platform."
    assert "prevention" not in builtin.tag(fraud)


def test_forms_of_a_term_all_count(builtin):
    for text in ("Messages are end-to-end encrypted.", "The rollout of E2EE continues.", "Encryption by default."):
        assert "encryption" in builtin.tag(text), text
    evidence = builtin.tag("Sextortion cases rose; teenagers were sextorted by gangs.")["sextortion"]
    assert evidence.terms == ("sextort*",) and evidence.score == 1.5  # one term, counted again at half weight


def test_a_stray_word_is_weaker_than_a_passage_about_it(builtin):
    stray = builtin.tag("The report was long. It mentioned extortion once, among many other crimes and figures.")
    assert "sextortion" not in stray
    about = builtin.tag(
        "The offender demanded money and threatened to send the nude pictures to the boy's friends unless he paid."
    )
    assert "sextortion" in about


def test_tag_command(evidex):
    result = evidex("tag", "Nudify apps create AI-generated images of classmates.")
    assert result.stdout.startswith("ai: score")
    data = json.loads(evidex("tag", "--format", "json", input="Nothing relevant here.").stdout)
    assert data == {"themes": [], "theme_evidence": {}}
    lines = '{"id": 1, "text": "End-to-end encryption hides messages."}\nnot json\n{"id": 3, "text": "A quiet day."}\n'
    result = evidex("tag", "--jsonl", input=lines, ok=False)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [1, 3]
    assert rows[0]["themes"] == ["encryption"] and rows[0]["theme_evidence"]["encryption"]["terms"]
    assert "Error: line 2: not a JSON object with a text field" in result.stderr


CUSTOM = """
extends = "builtin"

[themes.grooming]
label = "Grooming"
description = "Adults building trust with a child in order to abuse them."
terms = { "grooming" = 1.0, "groomer" = 1.0 }
"""


def test_custom_taxonomy_extends_and_retag(evidex, corpus, tmp_path, index_dir):
    evidex("ingest", corpus)
    refused = evidex("search", "trust", "--theme", "grooming", ok=False)
    assert "unknown theme 'grooming'" in refused.output
    custom = tmp_path / "mine.toml"
    custom.write_text(CUSTOM, encoding="utf-8")
    out = evidex("retag", "--taxonomy", custom).stdout
    assert "Re-tagged" in out and "grooming" in out
    # Recorded with the library: later commands use it without the option.
    assert str(custom) in (index_dir / "config.toml").read_text(encoding="utf-8")
    hits = json.loads(evidex("search", "grooming", "--theme", "grooming", "--format", "json").stdout)
    assert hits and all("grooming" in h["themes"] for h in hits)
    assert any("sextortion" in h["themes"] or "ai" in h["themes"] or "prevention" in h["themes"] for h in
               json.loads(evidex("search", "theme:prevention", "--format", "json").stdout))
    table = evidex("themes").stdout
    assert "grooming" in table and "Grooming" in table


def test_malformed_taxonomy_names_the_line(evidex, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[themes.ai]\nlabel = "AI"\nterms = { "ai" = 1.0 \n', encoding="utf-8")
    result = evidex("tag", "--taxonomy", bad, "some text", ok=False)
    assert "not valid TOML" in result.stderr and "line 3" in result.stderr
    with pytest.raises(TaxonomyError, match="weight of term"):
        Taxonomy.parse('[themes.x]\nterms = { "a" = "high" }\n', "t.toml")
    with pytest.raises(TaxonomyError, match="line 2"):
        Taxonomy.parse('# note\n[themes.x]\nlabel = "X"\n', "t.toml")


def test_themes_views(evidex, corpus):
    evidex("ingest", corpus)
    rows = json.loads(evidex("themes", "--format", "json").stdout)
    assert [r["theme"] for r in rows] == list(THEMES)
    assert all(r["passages"] > 0 and r["documents"] > 0 for r in rows)
    by_year = json.loads(evidex("themes", "--by", "year", "--format", "json").stdout)
    assert {r["year"] for r in by_year} >= {2023, 2024, 2025}
    assert sum(r["sextortion"] for r in by_year) == next(r["passages"] for r in rows if r["theme"] == "sextortion")
    csv_text = evidex("themes", "--by", "publisher", "--format", "csv").stdout
    assert csv_text.splitlines()[0] == "publisher,ai,encryption,sextortion,prevention,passages"
    assert "Northbridge Child Safety Institute" in csv_text
    assert "Online Child Safety Threat Assessment 2025" in evidex("themes", "--by", "doc", "--format", "csv").stdout


def test_search_shows_theme_evidence_and_show_explains(evidex, corpus):
    evidex("ingest", corpus)
    hit = json.loads(evidex("search", "sextortion", "--theme", "sextortion", "-n", "1", "--format", "json").stdout)[0]
    assert hit["theme_evidence"]["sextortion"]["terms"]
    explained = evidex("show", hit["passage_id"]).stdout
    assert "theme sextortion: score" in explained and "matched" in explained
