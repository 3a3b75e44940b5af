"""Retrieval: nDCG@10 and recall@100 of evidex search on BEIR SciFact (train qrels) and Cranfield.

The corpus goes in through `evidex ingest FILE.jsonl` (one record per abstract: id, title,
text), every query runs as a plain natural-language query through one `evidex search --batch`
process, and documents are ranked by their best passage (hits carry the record id as
`external_id`). Published BM25 references: SciFact nDCG@10 0.665 (BEIR paper), 0.679 (Anserini).

    python benchmarks/retrieval.py [--dataset scifact|cranfield|both] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import data_dir, print_table  # noqa: E402

PASSAGES_PER_QUERY = 300  # enough passages to rank 100 distinct documents


def scifact(root: Path):
    folder = root / "ir" / "scifact"
    docs = []
    with open(folder / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            docs.append({"id": row["_id"], "title": row["title"], "text": row["text"] or row["title"]})
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels" / "train.tsv").read_text().splitlines()[1:]:
        query_id, doc_id, score = line.split("\t")
        if int(score) > 0:
            qrels.setdefault(query_id, {})[doc_id] = int(score)
    queries = []
    with open(folder / "queries.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["_id"] in qrels:
                queries.append({"id": row["_id"], "query": row["text"]})
    return docs, queries, qrels


def _cran_fields(text: str, marker: str) -> list[dict]:
    records, current, field = [], None, None
    for line in text.splitlines():
        if line.startswith(".I"):
            current = {"id": line.split()[1], "T": "", "W": "", "A": "", "B": ""}
            records.append(current)
            field = None
        elif line[:2] in (".T", ".A", ".B", ".W") and len(line.strip()) == 2:
            field = line[1]
        elif current is not None and field:
            current[field] += line + " "
    return records


def cranfield(root: Path):
    folder = root / "ir" / "cranfield"
    docs = []
    for record in _cran_fields((folder / "cran.all.1400").read_text(encoding="utf-8", errors="replace"), ".W"):
        text = " ".join(record["W"].split()) or " ".join(record["T"].split())
        if text:  # a few Cranfield records are empty
            docs.append({"id": str(int(record["id"])), "title": " ".join(record["T"].split()), "text": text})
    raw_queries = _cran_fields((folder / "cran.qry").read_text(encoding="utf-8", errors="replace"), ".W")
    # cranqrel numbers queries by position (1..225), not by the .I ids in cran.qry.
    queries = [{"id": str(position), "query": " ".join(q["W"].split())} for position, q in enumerate(raw_queries, start=1)]
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "cranqrel").read_text().splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        query_id, doc_id, relevance = parts[0], parts[1], int(parts[2])
        if relevance == -1:
            continue
        # Relevance codes 1 (most) .. 4 (least); 5 and -1 carry no relevance.
        gain = {1: 4, 2: 3, 3: 2, 4: 1}.get(relevance, 0)
        if gain:
            qrels.setdefault(query_id, {})[doc_id] = gain
    queries = [q for q in queries if q["id"] in qrels]
    return docs, queries, qrels


def ndcg_at(ranking: list[str], relevant: dict[str, int], k: int) -> float:
    dcg = sum((2 ** relevant.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranking: list[str], relevant: dict[str, int], k: int) -> float:
    return len(set(ranking[:k]) & set(relevant)) / len(relevant)


def evaluate(name: str, docs, queries, qrels, workdir: Path) -> dict:
    corpus = workdir / f"{name}.jsonl"
    with open(corpus, "w", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
    batch = workdir / f"{name}-queries.jsonl"
    with open(batch, "w", encoding="utf-8") as handle:
        for query in queries:
            handle.write(json.dumps(query, ensure_ascii=False) + "\n")
    env = dict(os.environ, EVIDEX_INDEX=str(workdir / f"{name}-index"))
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "evidex", "ingest", "--quiet", str(corpus)], env=env, check=True, capture_output=True)
    ingest_seconds = time.monotonic() - started
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "evidex", "search", "--batch", str(batch), "--limit", str(PASSAGES_PER_QUERY)],
        env=env, check=True, capture_output=True, text=True,
    ).stdout
    search_seconds = time.monotonic() - started
    ndcg, recall = [], []
    for line in out.splitlines():
        result = json.loads(line)
        ranking: list[str] = []
        for hit in result["hits"]:  # documents ranked by their best passage
            if hit["external_id"] not in ranking:
                ranking.append(hit["external_id"])
        relevant = qrels[result["query_id"]]
        ndcg.append(ndcg_at(ranking, relevant, 10))
        recall.append(recall_at(ranking, relevant, 100))
    assert len(ndcg) == len(queries), "one result line per query"
    return {
        "dataset": name, "docs": len(docs), "queries": len(queries),
        "ndcg10": sum(ndcg) / len(ndcg), "recall100": sum(recall) / len(recall),
        "ingest_s": ingest_seconds, "search_s": search_seconds,
    }


REFERENCES = {"scifact": "BM25: 0.665 (BEIR), 0.679 (Anserini)", "cranfield": "-"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=["scifact", "cranfield", "both"], default="both")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    root = data_dir()
    names = ["scifact", "cranfield"] if args.dataset == "both" else [args.dataset]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            docs, queries, qrels = {"scifact": scifact, "cranfield": cranfield}[name](root)
            rows.append(evaluate(name, docs, queries, qrels, Path(tmp)))
    headers = ["dataset", "docs", "queries", "evidex nDCG@10", "evidex recall@100", "published", "ingest s", "search s"]
    cells = [
        [r["dataset"], str(r["docs"]), str(r["queries"]), f"{r['ndcg10']:.3f}", f"{r['recall100']:.3f}",
         REFERENCES[r["dataset"]], f"{r['ingest_s']:.1f}", f"{r['search_s']:.1f}"]
        for r in rows
    ]
    print_table(headers, cells, args.markdown)
    for r in rows:
        if r["dataset"] == "scifact":
            print(f"\nSciFact nDCG@10 {r['ndcg10']:.3f} (target >= 0.68)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
