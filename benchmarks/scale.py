"""Measured growth: ingest speed, memory, index size and query latency as a library grows.

Two tables, each measured in this one run:

1. PDF pages/s end to end (`evidex ingest`, extraction to index) on the shared PDFs (NCMEC, X,
   arXiv; several variants of each so that no file is skipped as unchanged), with the pdfium and
   the pypdf path, on 1 job and on every core; pdftotext over the same files as the reference.
   Each figure is the best of 2 runs, the runs of all configurations taking turns.
2. Per engine and library size (passages): ingest passages/s of `evidex ingest` on JSON Lines
   records (SciFact abstracts, repeated with variation: sentences rotated and mixed with another
   abstract), peak RSS of the whole process tree (writer + workers), `evidex reindex` passages/s
   (catalog to index, stemming included), the engine alone indexing analysed passages (the
   first 100,000, held in memory, commit included), index size on disk, and search latency p50/p95
   over 100 varied queries (claims, phrases, prefixes, filters), highlighting and citation included
   (each query's figure is its median over 3 rounds of all 100, after 10 other queries as warm-up).

    python benchmarks/scale.py [--sizes 10000,100000,1000000] [--engines whoosh,tantivy]
                               [--skip-pdf] [--skip-passages] [--markdown] [--workdir DIR [--keep]]
    python benchmarks/scale.py --workdir DIR --latency-only [--sizes ...] [--engines ...]  # search kept libraries again
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import data_dir, print_table  # noqa: E402

EVIDEX = [sys.executable, "-m", "evidex"]
PDF_VARIANTS = 4  # copies of each PDF, made different by a trailing comment after %%EOF
QUERY_COUNT = 100
TARGETS = {
    "pdfium_vs_pdftotext": 0.5,
    "pypdf_jobs_speedup": 1.8,
    "tantivy_passages_per_s": 20_000,
    "tantivy_p95_ms_1m": 10.0,
    "whoosh_p95_ms_100k": 50.0,
    "peak_rss_mb_1m": 1024,
}


# -- measuring ------------------------------------------------------------------------------


class TreeMemory:
    """Samples the summed RSS of a process and all its descendants; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(_rss(p) for p in _tree(self.pid)))
            self._stop.wait(self.interval)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_measured(command: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Run a command; return (seconds, peak RSS bytes of its process tree, stdout+stderr)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    with TreeMemory(process.pid) as memory:
        output, _ = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode not in (0, 1):  # 1: some sources failed, reported in the output
        raise RuntimeError(f"{' '.join(command)} failed:\n{output[-2000:]}")
    return seconds, memory.peak, output


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


# -- PDFs ---------------------------------------------------------------------------------------


def pdf_files(root: Path) -> list[Path]:
    return sorted((root / "reports").rglob("*.pdf")) + sorted((root / "pdf-groundtruth" / "arxiv").glob("*.pdf"))


def make_pdf_variants(files: list[Path], folder: Path) -> tuple[list[Path], int]:
    """PDF_VARIANTS byte-different copies of each file (a comment after %%EOF changes the hash only)."""
    from pypdf import PdfReader

    folder.mkdir(parents=True, exist_ok=True)
    made, pages = [], 0
    for source in files:
        data = source.read_bytes()
        count = len(PdfReader(source).pages)
        for n in range(PDF_VARIANTS):
            target = folder / f"{source.stem}-v{n}.pdf"
            target.write_bytes(data + f"\n%evidex-benchmark-variant-{n}\n".encode())
            made.append(target)
            pages += count
    return made, pages


PDF_ROUNDS = 2  # every configuration runs this many times, interleaved; the best time counts


def pdf_table(root: Path, workdir: Path, cores: int) -> tuple[list[list[str]], dict]:
    """Pages/s of each configuration: its best of PDF_ROUNDS runs. The rounds go through all
    configurations in turn, so a slow spell of this shared machine does not fall on one."""
    files, pages = make_pdf_variants(pdf_files(root), workdir / "pdfs")
    configurations = [("pdftotext", 1)] if shutil.which("pdftotext") else []
    configurations += [(engine, jobs) for engine in ("pdfium", "pypdf") for jobs in sorted({1, cores})]
    best: dict[tuple[str, int], tuple[float, int]] = {}
    for _round in range(PDF_ROUNDS):
        for engine, jobs in configurations:
            if engine == "pdftotext":
                started = time.perf_counter()
                for path in files:
                    subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), os.devnull], check=True, capture_output=True)
                seconds, peak = time.perf_counter() - started, 0
            else:
                index = workdir / f"pdf-{engine}-{jobs}"
                shutil.rmtree(index, ignore_errors=True)
                seconds, peak, _output = run_measured(
                    EVIDEX + ["--index", str(index), "ingest", "-q", "--pdf-engine", engine, "--jobs", str(jobs), str(workdir / "pdfs")]
                )
                shutil.rmtree(index, ignore_errors=True)
            if (engine, jobs) not in best or seconds < best[(engine, jobs)][0]:
                best[(engine, jobs)] = (seconds, peak)
    rows, rates = [], {}
    for engine, jobs in configurations:
        seconds, peak = best[(engine, jobs)]
        rates["pdftotext" if engine == "pdftotext" else (engine, jobs)] = pages / seconds
        label = "pdftotext (text only, 1 process)" if engine == "pdftotext" else f"evidex ingest --pdf-engine {engine}"
        rows.append([label, str(jobs), f"{pages}", f"{seconds:.1f}", f"{pages / seconds:.0f}", f"{peak / 2**20:.0f}" if peak else "-"])
    return rows, rates


# -- passages ------------------------------------------------------------------------------------


def load_abstracts(root: Path) -> list[dict]:
    with open(root / "ir" / "scifact" / "corpus.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def write_records(abstracts: list[dict], passages: int, path: Path) -> int:
    """JSON Lines records that evidex splits into `passages` passages (counted with its own
    splitter as they are written); returns the record count.

    Record i is abstract i (mod the corpus) with its sentences rotated and the sentences of a
    second abstract appended, so every record is different text but real prose."""
    from evidex.extract.records import record_document
    from evidex.passages import split_passages

    rng = random.Random(passages)
    made, count = 0, 0
    years = list(range(2005, 2026))
    kinds = ["text", "html"]  # the kind of source the text came from
    with open(path, "w", encoding="utf-8") as handle:
        while made < passages:
            first = abstracts[count % len(abstracts)]
            second = abstracts[rng.randrange(len(abstracts))]
            sentences = _SENTENCE.split(first["text"])
            turn = rng.randrange(len(sentences)) if sentences else 0
            text = " ".join(sentences[turn:] + sentences[:turn]) + "\n\n" + second["text"]
            record = {
                "id": f"{first['_id']}-{count}",
                "title": first.get("title") or "",
                "text": text,
                "date": str(rng.choice(years)),
                "publisher": f"Journal {count % 40}",
                "kind": kinds[count % 2],
            }
            made += len(split_passages(record_document(record, "count", "0" * 64), "count"))
            handle.write(json.dumps(record) + "\n")
            count += 1
    return count


def queries(abstracts: list[dict], seed: int = 7) -> list[str]:
    """100 varied queries: plain claims, phrases, prefixes, boolean forms and filters."""
    rng = random.Random(seed)
    found = []
    titles = [a["title"] for a in abstracts if a.get("title")]
    while len(found) < QUERY_COUNT:
        words = [w.strip(".,;:()[]\"'").lower() for w in rng.choice(titles).split()]
        words = [w for w in words if len(w) > 3 and w.isalpha()]
        if len(words) < 3:
            continue
        form = len(found) % 5
        if form == 0:
            found.append(" ".join(words[:6]))
        elif form == 1:
            found.append(f'"{words[0]} {words[1]}"' if len(words) > 1 else words[0])
        elif form == 2:
            found.append(f"{words[0][:4]}* {words[-1]}")
        elif form == 3:
            found.append(f"{words[0]} AND {words[1]} -{words[2]}")
        else:
            found.append(f"{words[0]} {words[1]} year:2015..2020 kind:text")
    return found


ENGINE_RATE_SCRIPT = r"""
import itertools, json, sys, tempfile, time
from pathlib import Path
from evidex.config import Settings
from evidex.engines import open_engine
from evidex.library import Library
with Library(Settings.from_env(sys.argv[1])) as library:
    entries = list(itertools.islice(library.index_entries(), int(sys.argv[3])))
with tempfile.TemporaryDirectory() as folder:
    engine = open_engine(sys.argv[2], Path(folder) / "index", create=True)
    started = time.perf_counter()
    with engine.writer() as writer:
        for entry in entries:
            writer.add(entry)
    print(json.dumps(len(entries) / (time.perf_counter() - started)))
"""
ENGINE_RATE_SAMPLE = 100_000  # entries held in memory to time the engine alone


LATENCY_SCRIPT = r"""
import json, statistics, sys, time
from evidex import query as q
from evidex.config import Settings
from evidex.library import Library
texts, warm_up, rounds = json.loads(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
with Library(Settings.from_env(sys.argv[1])) as library:
    for text in warm_up:  # other queries first, as a running app would have served
        library.search(q.parse(text, strict=False), limit=10)
    times = [[] for _ in texts]
    for _ in range(rounds):  # whole rounds: a query comes back only after all the others
        for i, text in enumerate(texts):
            started = time.perf_counter()
            hits = library.search(q.parse(text, strict=False), limit=10)
            for hit in hits:
                hit.snippet, hit.citation  # highlighting and citation are part of every hit
            times[i].append((time.perf_counter() - started) * 1000)
print(json.dumps([statistics.median(t) for t in times]))
"""
LATENCY_ROUNDS = 3  # each query's latency is its median over the rounds: this machine is noisy


def passage_rows(root: Path, workdir: Path, sizes: list[int], engines: list[str], keep: bool,
                 latency_only: bool = False) -> tuple[list[list[str]], dict]:
    abstracts = load_abstracts(root)
    texts = queries(abstracts)
    warm_up = queries(abstracts, seed=8)[:10]
    rows, figures = [], {}
    for size in sizes:
        records = workdir / f"records-{size}.jsonl"
        if not latency_only:
            write_records(abstracts, size, records)
        for engine in engines:
            index = workdir / f"lib-{engine}-{size}"
            if latency_only:  # a library kept by an earlier run: search it again, build nothing
                if not index.is_dir():
                    raise SystemExit(f"--latency-only: no library {index} (build it with --workdir and --keep)")
                passages = _count_passages(index)
                seconds = re_seconds = engine_rate = peak = float("nan")
            else:
                shutil.rmtree(index, ignore_errors=True)
                seconds, peak, output = run_measured(EVIDEX + ["--index", str(index), "ingest", "-q", "--engine", engine, str(records)])
                found = re.search(r"(\d+) documents, (\d+) passages", output)
                passages = int(found.group(2)) if found else 0
                re_seconds, _, _ = run_measured(EVIDEX + ["--index", str(index), "reindex"])
                out = subprocess.run([sys.executable, "-c", ENGINE_RATE_SCRIPT, str(index), engine, str(ENGINE_RATE_SAMPLE)],
                                     capture_output=True, text=True, check=True)
                engine_rate = json.loads(out.stdout)
            out = subprocess.run([sys.executable, "-c", LATENCY_SCRIPT, str(index), json.dumps(texts), json.dumps(warm_up),
                                  str(LATENCY_ROUNDS)],
                                 capture_output=True, text=True, check=True)
            times = json.loads(out.stdout)
            p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
            engine_size = dir_size(index / engine)
            catalog_size = (index / "catalog.sqlite").stat().st_size
            figures[(engine, size)] = {"p95": p95, "peak": peak, "index_rate": engine_rate, "passages": passages}
            rows.append([
                engine, f"{passages:,}", _figure(passages / seconds), _figure(passages / re_seconds), _figure(engine_rate),
                _figure(peak / 2**20),
                f"{engine_size / 2**20:,.1f}", f"{catalog_size / 2**20:,.1f}", f"{p50:.1f}", f"{p95:.1f}",
            ])
            if not keep and not latency_only:
                shutil.rmtree(index, ignore_errors=True)
        records.unlink(missing_ok=True)
    return rows, figures


def _figure(value: float) -> str:
    return "-" if value != value else f"{value:,.0f}"  # NaN: not measured in this run


def _count_passages(index: Path) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{index / 'catalog.sqlite'}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT count(*) FROM passages").fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="library sizes in passages, comma-separated")
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--skip-passages", action="store_true")
    parser.add_argument("--workdir", type=Path, default=None, help="where to build the libraries (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the libraries in --workdir (to look into them)")
    parser.add_argument("--latency-only", action="store_true",
                        help="only search again the libraries an earlier --keep run left in --workdir")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # counting pages of damaged files is not news here
    root = data_dir()
    cores = len(os.sched_getaffinity(0))
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="evidex-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"{cores} cores; working in {workdir}\n")
    try:
        if not args.skip_pdf:
            rows, rates = pdf_table(root, workdir, cores)
            print_table(["PDF ingest", "jobs", "pages", "seconds", "pages/s", "peak RSS MB"], rows, args.markdown)
            if "pdftotext" in rates:
                ratio = rates[("pdfium", cores)] / rates["pdftotext"]
                print(f"\npdfium path, {cores} jobs: {ratio:.2f} x pdftotext (target >= {TARGETS['pdfium_vs_pdftotext']})")
            speedup = rates[("pypdf", cores)] / rates[("pypdf", 1)]
            print(f"pypdf path, {cores} jobs: {speedup:.2f} x 1 job (target >= {TARGETS['pypdf_jobs_speedup']} on 2 cores)\n")
        if not args.skip_passages:
            sizes = [int(s) for s in args.sizes.split(",") if s]
            if args.latency_only and args.workdir is None:
                parser.error("--latency-only needs --workdir")
            rows, figures = passage_rows(root, workdir, sizes, args.engines.split(","), args.keep and args.workdir is not None,
                                         args.latency_only)
            headers = ["engine", "passages", "ingest passages/s", "reindex passages/s", "engine indexing passages/s", "peak RSS MB",
                       "index MB", "catalog MB", "search p50 ms", "search p95 ms"]
            print_table(headers, rows, args.markdown)
            for (engine, size), f in sorted(figures.items()):
                notes = []
                if engine == "tantivy":
                    if f["index_rate"] == f["index_rate"]:  # not NaN: measured in this run
                        notes.append(f"engine indexing {f['index_rate']:,.0f}/s (target >= {TARGETS['tantivy_passages_per_s']:,})")
                    if size >= 1_000_000:
                        notes.append(f"p95 {f['p95']:.1f} ms (target <= {TARGETS['tantivy_p95_ms_1m']})")
                if engine == "whoosh" and 100_000 <= size < 1_000_000:
                    notes.append(f"p95 {f['p95']:.1f} ms (target <= {TARGETS['whoosh_p95_ms_100k']})")
                if size >= 1_000_000 and f["peak"] == f["peak"]:
                    notes.append(f"peak RSS {f['peak'] / 2**20:,.0f} MB (target <= {TARGETS['peak_rss_mb_1m']})")
                if notes:
                    print(f"{engine} at {f['passages']:,}: " + "; ".join(notes))
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
