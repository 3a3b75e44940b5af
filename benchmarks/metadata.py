"""Web-page metadata: evidex's title, author and date vs html-articles/trafilatura-eval/.

evaldata.json records, per URL, the page's `file` (html/FILE.gz) and for most pages its
`title`, `author` and `date`. For each field separately: the share of pages that have the
field recorded (a non-empty value) where evidex's value matches, beside plain trafilatura
`bare_extraction(html, with_metadata=True)` in the same run on the same pages. Also counted:
pages where the field is recorded as empty (the page has none) but the extractor gives one.

evidex's metadata is what `evidex extract FILE --format json` prints (title, author, date),
obtained in-process with its public API `evidex.extract.extract_path` (the same call the
command makes) in a pool of worker processes, since ~990 subprocesses would be too slow.
A page evidex refuses (no readable text) counts as a mismatch on every field.

Normalisation and matching rules:
  - every value: Unicode NFKC, case-folded, whitespace collapsed, punctuation and symbols
    (Unicode categories P*, S*) stripped at both ends; a list is joined with "; ".
  - title: the normalised strings are equal. evidex's title counts even when evidex guessed
    it (from the first paragraph, "guessed" in its JSON). The extra row "title (recorded
    within)" accepts an extracted title that contains the recorded one as whole words (a
    headline with the site name or section around it); it has no target.
  - date: both reduced to YYYY-MM-DD (zero-padded; "-", "." or "/" between the parts; a
    month above 12 with a day up to 12 is read as YYYY-DD-MM, as two recorded dates are
    written); a value with only a year or a month never matches.
  - author: split into names on ";", ",", "&", " and " and " und " (most pages are German),
    each name normalised; a match when the two sets of names are equal, OR when one
    normalised string contains the other as whole words (e.g. "matthias" in "matthias
    müller", or "red" in "red wien.orf.at").

    python benchmarks/metadata.py [--markdown] [--worst title|author|date] [-n 20] [--jobs 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
import unicodedata
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import data_dir, print_table  # noqa: E402

FIELDS = ("title", "author", "date")
# An extra, lenient title row: the recorded title appears (as whole words) inside the extracted one,
# e.g. "Enterprise 2.0" in "Enterprise 2.0 | HR Innovation". It shows how many misses are only a
# site name or section around the right headline.
LENIENT = "title (recorded within)"
TARGETS = {"title": 0.9, "date": 0.8}
_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b|\bund\b)\s*", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})")


def _edge(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PS"


def normalise(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = " ".join(unicodedata.normalize("NFKC", str(value)).casefold().split())
    start, end = 0, len(text)
    while start < end and _edge(text[start]):
        start += 1
    while end > start and _edge(text[end - 1]):
        end -= 1
    return text[start:end]


def norm_date(value) -> str:
    match = _DATE.search(str(value or ""))
    if not match:
        return ""
    year, month, day = match.group(1), int(match.group(2)), int(match.group(3))
    if month > 12 >= day:  # a few recorded dates are YYYY-DD-MM ("2022-29-11")
        month, day = day, month
    return f"{year}-{month:02d}-{day:02d}"


def names(value) -> frozenset[str]:
    return frozenset(n for n in (normalise(part) for part in _SPLIT.split(normalise(value))) if n)


def matches(field: str, got, truth) -> bool:
    if field == "date":
        return bool(norm_date(truth)) and norm_date(got) == norm_date(truth)
    a, b = normalise(got), normalise(truth)
    if not a or not b:
        return False
    if field == LENIENT:
        return f" {b} " in f" {a} "
    if field == "title":
        return a == b
    if names(got) == names(truth):
        return True
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def recorded(value) -> bool:
    return bool(normalise(value))


def _init() -> None:
    logging.disable(logging.CRITICAL)


def extract_one(path: Path) -> dict:
    import trafilatura

    from evidex.errors import SourceError
    from evidex.extract import extract_path

    out: dict = {"error": None, "guessed": []}
    try:
        doc = extract_path(path)
        out["evidex"] = {f: getattr(doc, f) for f in FIELDS}
        out["guessed"] = sorted(doc.guessed)
    except SourceError as exc:
        out["evidex"] = dict.fromkeys(FIELDS)
        out["error"] = str(exc)
    try:
        result = trafilatura.bare_extraction(gzip.decompress(path.read_bytes()), with_metadata=True)
    except Exception:  # noqa: BLE001 - the reference failing on a page is a miss for it, not a crash
        result = None
    out["trafilatura"] = {f: getattr(result, f, None) if result is not None else None for f in FIELDS}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--worst", choices=FIELDS, help="list evidex's mismatches for this field")
    parser.add_argument("-n", type=int, default=20, help="how many mismatches --worst lists [20]")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes [2]")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (quick check)")
    args = parser.parse_args()

    folder = data_dir() / "html-articles" / "trafilatura-eval"
    evaldata = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    entries = [(url, e) for url, e in evaldata.items() if (folder / "html" / f"{e['file']}.gz").exists()]
    if args.limit:
        entries = entries[: args.limit]
    paths = [folder / "html" / f"{e['file']}.gz" for _, e in entries]
    with Pool(max(1, args.jobs), initializer=_init) as pool:
        results = pool.map(extract_one, paths, chunksize=8)

    headers = ["field", "recorded", "evidex", "rate", "trafilatura", "rate"]
    headers += ["recorded empty", "evidex gave one", "trafilatura gave one", "target"]
    rows = []
    rates = {}
    for row_name in FIELDS + (LENIENT,):
        field = "title" if row_name == LENIENT else row_name
        have = [(e, r) for (_, e), r in zip(entries, results) if recorded(e.get(field))]
        empty = [(e, r) for (_, e), r in zip(entries, results) if field in e and not recorded(e.get(field))]
        ev = sum(matches(row_name, r["evidex"][field], e[field]) for e, r in have)
        tr = sum(matches(row_name, r["trafilatura"][field], e[field]) for e, r in have)
        rates[row_name] = ev / max(1, len(have))
        rows.append([
            row_name, str(len(have)), str(ev), rate(ev, len(have)), str(tr), rate(tr, len(have)),
            str(len(empty)), str(sum(recorded(r["evidex"][field]) for _, r in empty)),
            str(sum(recorded(r["trafilatura"][field]) for _, r in empty)),
            f">= {TARGETS[row_name]}" if row_name in TARGETS else "-",
        ])
    errors = sum(1 for r in results if r["error"])
    guessed_titles = sum(1 for r in results if "title" in r["guessed"])
    print(f"Metadata matches on html-articles/trafilatura-eval ({len(entries)} pages; evidex refused {errors}, "
          f"guessed the title of {guessed_titles})\n")
    print_table(headers, rows, args.markdown)

    if args.worst:
        field = args.worst
        misses = [
            (e["file"], e[field], r["evidex"][field], r["trafilatura"][field])
            for (_, e), r in zip(entries, results)
            if recorded(e.get(field)) and not matches(field, r["evidex"][field], e[field])
        ]
        print(f"\n{len(misses)} pages where evidex's {field} does not match (first {min(args.n, len(misses))}):\n")
        print_table(
            ["file", "recorded", "evidex", "trafilatura"],
            [[f[:40], short(t), short(g), short(tr)] for f, t, g, tr in misses[: args.n]],
            args.markdown,
        )

    verdicts = ", ".join(
        f"{f} {rates[f]:.3f} {'meets' if rates[f] >= TARGETS[f] else 'BELOW'} >= {TARGETS[f]}" for f in TARGETS
    )
    print(f"\nevidex: {verdicts}; author {rates['author']:.3f} (no target); {LENIENT} {rates[LENIENT]:.3f}")
    return 0


def rate(hits: int, total: int) -> str:
    return f"{hits / total:.3f}" if total else "-"


def short(value, width: int = 60) -> str:
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value) if value is not None else "-"
    text = " ".join(text.split()).replace("|", "/") or "-"
    return text if len(text) <= width else text[: width - 1] + "…"






if __name__ == "__main__":
    sys.exit(main())
