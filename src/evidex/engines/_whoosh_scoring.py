"""Whoosh queries scored a posting list at a time.

Whoosh's own matchers walk every matching passage through a tree of Python objects, several
calls deep per passage and per query word: a six-word query over 100,000 passages visits
tens of thousands of passages that way and takes half a second. Here each clause of the
compiled query is evaluated over whole posting lists instead (term-at-a-time): the postings
of a word are read block by block straight from Whoosh's files (ids and word counts only:
engines._whoosh_codec stores positions apart) and scored in one tight loop with the same
BM25F formula, idf and field lengths Whoosh uses; clauses combine as dictionaries from
passage number to score. A passage's scores are Whoosh's BM25F ones; the work per posting is
a fraction of it.

Plans are built by engines._compile through PlanBuilder: nested tuples, evaluated per segment.
"""

from __future__ import annotations

from heapq import nlargest
from itertools import accumulate

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from ._compile import FACET_FIELDS, PREFIX_SCORED_TERMS, RANKED_FIELDS
from ._whoosh_codec import SplitBlockMatcher

Plan = tuple


class PlanBuilder:
    """engines._compile's Builder for this evaluator."""

    def term(self, field: str, value: str, boost: float = 1.0) -> Plan:
        return ("term", field, value, boost)

    def phrase(self, field: str, stems: list[str], boost: float = 1.0) -> Plan:
        return ("phrase", field, tuple(stems), boost)

    def prefix(self, field: str, prefix: str, boost: float = 1.0) -> Plan:
        return ("prefix", field, prefix, boost)

    def year_range(self, low: int | None, high: int | None) -> Plan:
        return ("years", low, high)

    def every(self) -> Plan:
        return ("every",)

    def all_of(self, parts: list[Plan]) -> Plan:
        return ("all", tuple(parts))

    def any_of(self, parts: list[Plan]) -> Plan:
        return ("any", tuple(parts))

    def and_maybe(self, required: Plan, optional: Plan) -> Plan:
        return ("maybe", required, optional)

    def and_not(self, positive: Plan, negative: Plan) -> Plan:
        return ("not", positive, negative)


class Scorer:
    """Evaluates plans against one open Whoosh searcher (BM25F with its B and K1).

    Holds, per segment, the field-length bytes and a length-to-norm table for each text
    field, read once: it lives as long as the searcher it was made for."""

    def __init__(self, searcher, B: float, K1: float):
        self.searcher = searcher
        self.B, self.K1 = B, K1
        self._segments = [
            _Segment(leaf, offset) for leaf, offset in searcher.leaf_searchers() if leaf.reader().doc_count_all()
        ]
        self._norms: dict[str, list[float]] = {}
        self._expansions: dict[tuple[str, str], list[str] | None] = {}

    def top(self, plan: Plan, limit: int) -> list[tuple[int, float]]:
        """The best (document number, score) pairs, best first; ties in document order."""
        scores: dict[int, float] = {}
        for segment in self._segments:
            found = self._live(plan, segment)
            if segment.offset:
                found = {d + segment.offset: s for d, s in found.items()}
            scores.update(found)
        if not scores or limit <= 0:
            return []
        # the limit-th best score, from the scores alone (no key function: compared in C), then
        # everything at or above it, in order; equal scores: the lower document numbers first
        cutoff = nlargest(limit, scores.values())[-1]
        best = [item for item in scores.items() if item[1] >= cutoff]
        best.sort(key=lambda item: (-item[1], item[0]))
        return best[:limit]

    def facets(self, plan: Plan) -> dict[str, dict[str | int, int]]:
        """Passages matching the plan, counted per value of each facet field."""
        counts: dict[str, dict[str | int, int]] = {name: {} for name in FACET_FIELDS}
        for segment in self._segments:
            matched = set(self._live(plan, segment))
            if not matched:
                continue
            for name, field in FACET_FIELDS.items():
                found = counts[name]
                for value, text in segment.facet_terms(field):
                    n = len(matched.intersection(segment.postings(field, text)[0]))
                    if n and value not in (None, ""):
                        found[value] = found.get(value, 0) + n
        return counts

    def _live(self, plan: Plan, segment: "_Segment") -> dict[int, float]:
        found = self._eval(plan, segment)
        deleted = segment.reader.deleted_docs_set
        if deleted and found:
            found = {d: s for d, s in found.items() if d not in deleted}
        return found

    # -- evaluation -----------------------------------------------------------------------

    def _eval(self, plan: Plan, seg: "_Segment") -> dict[int, float]:
        kind = plan[0]
        if kind == "term":
            return self._term(seg, plan[1], plan[2], plan[3])
        if kind == "any":
            parts = sorted((self._eval(p, seg) for p in plan[1]), key=len, reverse=True)
            if not parts:
                return {}
            merged = dict(parts[0])
            get = merged.get
            for part in parts[1:]:
                for doc, score in part.items():
                    merged[doc] = get(doc, 0.0) + score
            return merged
        if kind == "all":
            parts = sorted((self._eval(p, seg) for p in plan[1]), key=len)
            if not parts:
                return {}
            merged = parts[0]
            for part in parts[1:]:
                merged = {d: s + part[d] for d, s in merged.items() if d in part}
            return merged
        if kind == "maybe":
            required = self._eval(plan[1], seg)
            if not required:
                return required
            optional = self._eval(plan[2], seg)
            if len(optional) < len(required):  # walk the smaller side (usually the title's)
                for doc, score in optional.items():
                    if doc in required:
                        required[doc] += score
                return required
            get = optional.get
            return {d: s + get(d, 0.0) for d, s in required.items()}
        if kind == "not":
            positive = self._eval(plan[1], seg)
            if not positive:
                return positive
            negative = self._eval(plan[2], seg)
            return {d: s for d, s in positive.items() if d not in negative}
        if kind == "prefix":
            field, prefix, boost = plan[1], plan[2], plan[3]
            words = self._expand(field, prefix)
            if words is not None:  # ranked like the words it stands for
                return self._eval(("any", tuple(("term", field, w, boost) for w in words)), seg)
            found: set[int] = set()
            for text in seg.reader.expand_prefix(field, prefix):
                found.update(seg.postings(field, text)[0])
            return dict.fromkeys(found, boost)  # too many words: a match scores the same
        if kind == "phrase":
            return self._phrase(seg, plan[1], plan[2], plan[3])
        if kind == "years":
            return dict.fromkeys(seg.years(plan[1], plan[2]), 0.0)
        if kind == "every":
            return dict.fromkeys(range(seg.reader.doc_count_all()), 0.0)
        raise ValueError(f"unknown plan {kind!r}")

    def _term(self, seg: "_Segment", field: str, text: str, boost: float) -> dict[int, float]:
        ids, weights = seg.postings(field, text)
        if not ids:
            return {}
        if not self.searcher.schema[field].scorable:
            return dict.fromkeys(ids, 0.0)  # filters (theme, kind, ...) select, they do not rank
        # BM25: idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average length))
        factor = boost * self.searcher.idf(field, text) * (self.K1 + 1)
        norm = seg.norms(field, self._norm_table(field))
        if weights is None:
            return {d: factor / (1.0 + norm[d]) for d in ids}
        return {d: factor * w / (w + norm[d]) for d, w in zip(ids, weights)}

    def _expand(self, field: str, prefix: str) -> list[str] | None:
        """The words of a ranked field that start with prefix (over every segment); None when
        there are too many to rank one by one."""
        if field not in RANKED_FIELDS:
            return None
        key = (field, prefix)
        if key not in self._expansions:  # the searcher's words do not change: once per prefix
            words: list[str] | None = []
            for text in self.searcher.reader().expand_prefix(field, prefix):
                words.append(text.decode("utf-8") if isinstance(text, bytes) else text)
                if len(words) > PREFIX_SCORED_TERMS:
                    words = None
                    break
            self._expansions[key] = words
        return self._expansions[key]

    def _norm_table(self, field: str) -> list[float]:
        """K1 * (1 - B + B * length / average length) for each of the 256 length bytes."""
        table = self._norms.get(field)
        if table is None:
            average = self.searcher.avg_field_length(field) or 1
            K1, B = self.K1, self.B
            table = [K1 * ((1 - B) + B * max(byte_to_length(b), 1) / average) for b in range(256)]
            self._norms[field] = table
        return table

    def _phrase(self, seg: "_Segment", field: str, stems: tuple[str, ...], boost: float) -> dict[int, float]:
        """Passages with the words next to each other, in order. The word counts find the
        passages holding every word; positions are read for those passages only. A phrase
        scores as its words do."""
        words = list(dict.fromkeys(stems))
        scored = {w: self._term(seg, field, w, boost) for w in words}
        smallest, *others = sorted(scored.values(), key=len)
        candidates = {d: 0.0 for d in smallest if all(d in other for other in others)}
        if not candidates:
            return {}
        for doc in candidates:  # a word the phrase repeats counts each time, as in Whoosh
            candidates[doc] = sum(scored[w][doc] for w in stems)
        positions = {w: seg.positions(field, w, candidates) for w in words}
        first, rest = positions[stems[0]], [(k, positions[w]) for k, w in enumerate(stems) if k]
        found = {}
        for doc, score in candidates.items():
            starts = set(first.get(doc, ()))
            for k, places in rest:
                starts.intersection_update(p - k for p in places.get(doc, ()))
                if not starts:
                    break
            if starts:
                found[doc] = score
        return found


class _Segment:
    def __init__(self, searcher, offset: int):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.offset = offset
        self._lengths: dict[str, object] = {}
        self._doc_norms: dict[str, list[float]] = {}

    def norms(self, field: str, table: list[float]) -> list[float]:
        """Each passage's BM25 length norm for a field (table: norm by length byte)."""
        norms = self._doc_norms.get(field)
        if norms is None:
            norms = self._doc_norms[field] = [table[b] for b in self.length_bytes(field)]
        return norms

    def length_bytes(self, field: str):
        lengths = self._lengths.get(field)
        if lengths is None:
            column = self.reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            lengths = column.load() if column is not None else bytes(self.reader.doc_count_all())
            self._lengths[field] = lengths
        return lengths

    def postings(self, field: str, text) -> tuple[list[int], tuple | None]:
        """All (ids, weights) of a term in this segment, deleted documents included; weights
        None when every posting weighs 1."""
        matcher = self._matcher(field, text)
        if matcher is None:
            return [], None
        if not isinstance(matcher, SplitBlockMatcher):  # a short list kept inline with the term
            ids, weights = [], []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
            return ids, tuple(weights)
        return _read_blocks(matcher)

    def positions(self, field: str, text: str, wanted: dict[int, float]) -> dict[int, list[int]]:
        """Where a word stands in each of the wanted passages that hold it."""
        decode = self.reader.schema[field].format.decode_positions
        found: dict[int, list[int]] = {}
        for ids, values in self._postings_with_values(field, text):
            for i, doc in enumerate(ids):
                if doc in wanted:
                    found[doc] = decode(values[i])
        return found

    def _matcher(self, field: str, text):
        """The term's postings, deleted documents included (None: no such term)."""
        try:
            btext = text if isinstance(text, bytes) else self.reader._text_to_bytes(field, text)
            return self.reader._terms.matcher(field, btext, self.reader.schema[field].format)
        except (KeyError, TermNotFound):
            return None

    def _postings_with_values(self, field: str, text: str):
        matcher = self._matcher(field, text)
        if matcher is None:
            return
        if not isinstance(matcher, SplitBlockMatcher):
            ids, values = [], []
            while matcher.is_active():
                ids.append(matcher.id())
                values.append(matcher.value())
                matcher.next()
            yield ids, values
            return
        while True:
            data = matcher.read_all()
            yield (data[0] if matcher._byteids else list(accumulate(data[0]))), data[2]
            if matcher._lastblock:
                break
            matcher._next_block()

    def facet_terms(self, field: str):
        """(value, term) for every term of a facet field."""
        if field == "year":
            number = self.reader.schema[field]
            for text in number.sortable_terms(self.reader, field):
                yield number.from_bytes(text), text
        else:
            for text in self.reader.lexicon(field):
                yield (text.decode() if isinstance(text, bytes) else text), text

    def years(self, low: int | None, high: int | None) -> set[int]:
        found: set[int] = set()
        for year, text in self.facet_terms("year"):
            if (low is None or year >= low) and (high is None or year <= high):
                found.update(self.postings("year", text)[0])
        return found


def _read_blocks(matcher: SplitBlockMatcher) -> tuple[list[int], tuple | None]:
    """Every block of a posting list, decoded in bulk (Whoosh decodes them one id at a time)."""
    ids: list[int] = []
    weights: list[float] = []
    all_one = True
    while True:
        data = matcher.read_head()
        block_ids, block_weights = data[0], data[1]
        ids.extend(block_ids if matcher._byteids else accumulate(block_ids))
        count = matcher._blocklength
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
            all_one = all_one and block_weights == 1.0
        else:
            weights.extend(block_weights)
            all_one = False
        if matcher._lastblock:
            break
        matcher._next_block()
    return ids, (None if all_one else tuple(weights))

