"""Theme taxonomy (a TOML file shipped in the package) and tagging of passages, with the reasons.

A theme is found in a passage by three kinds of rules, all matched on evidex's tokens
(folded, stemmed: "encrypted", "encryption" and "encrypting" meet the same stem):

  terms     a word or phrase that is evidence on its own, with a weight;
  prefixes  a word beginning (on folded, unstemmed words: "verschlussel" for German);
  cooccur   groups of words that are evidence only together, within a window of words:
            "extort" means sextortion only near "nude", "intimate", "explicit"...

Exclusions (names such as "Office of Juvenile Justice and Delinquency Prevention") are
blanked out before matching. A passage gets the theme when the summed weight reaches the
theme's threshold; each term counts fully once and half for each repeat, up to max_repeats.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from . import analysis
from .errors import TaxonomyError


@dataclass(frozen=True)
class Rule:
    stems: tuple[str, ...]
    term: str
    weight: float


@dataclass(frozen=True)
class PrefixRule:
    prefix: str
    term: str
    weight: float


@dataclass(frozen=True)
class PatternRule:
    regex: re.Pattern
    term: str
    weight: float


Alternative = tuple[str, ...] | str  # a stem sequence, or a prefix of a folded word


@dataclass(frozen=True)
class Cooccur:
    groups: tuple[tuple[Alternative, ...], ...]  # one alternative of each group must be near the others
    label: str
    window: int
    weight: float


@dataclass(frozen=True)
class Suppress:
    """Matches of `terms` within `window` words of any of `near` do not count."""

    terms: frozenset[str]  # rule terms (as written in the taxonomy)
    near: tuple[Alternative, ...]
    window: int


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    description: str
    rules: tuple[Rule, ...]
    prefixes: tuple[PrefixRule, ...]
    patterns: tuple[PatternRule, ...]
    cooccur: tuple[Cooccur, ...]
    suppress: tuple[Suppress, ...]
    exclude: tuple[re.Pattern, ...]
    threshold: float
    max_repeats: int


@dataclass(frozen=True)
class Evidence:
    score: float
    terms: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"score": round(self.score, 3), "terms": list(self.terms)}


class Taxonomy:
    def __init__(self, themes: tuple[Theme, ...], source: str):
        self.themes = themes
        self.source = source
        patterns = [p for theme in themes for p in theme.exclude]
        # every theme's exclusions in one pass over a text (each of them is a case-blind phrase)
        self._exclude = re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE) if patterns else None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(theme.key for theme in self.themes)

    def theme(self, key: str) -> Theme | None:
        return next((t for t in self.themes if t.key == key), None)

    # -- loading ------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | None = None) -> "Taxonomy":
        """The built-in taxonomy, or the one in a file (which may extend the built-in one)."""
        if path is None:
            return cls.parse(_builtin_text(), "built-in taxonomy")
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise TaxonomyError(f"Cannot read taxonomy {path}: {exc.strerror or exc}") from exc
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, source: str) -> "Taxonomy":
        data = _toml(text, source)
        base: dict = {}
        extends = data.get("extends")
        if extends is not None:
            if extends != "builtin":
                raise TaxonomyError(f'{source}: extends = "builtin" is the only base a taxonomy can extend')
            base = _toml(_builtin_text(), "built-in taxonomy")
        defaults = {**base.get("defaults", {}), **data.get("defaults", {})}
        themes_data = {key: dict(spec) for key, spec in base.get("themes", {}).items()}
        own = data.get("themes", {})
        if not isinstance(own, dict) or (not own and not themes_data):
            raise TaxonomyError(f"{source}: no [themes.NAME] tables", "See the built-in taxonomy.toml for the format")
        for key, spec in own.items():
            if not isinstance(spec, dict):
                raise TaxonomyError(f"{source} (line {_line_of(text, key)}): [themes.{key}] must be a table")
            merged = themes_data.setdefault(key, {})
            for field, value in spec.items():  # extending: tables and lists add to the base
                if isinstance(value, dict) and isinstance(merged.get(field), dict):
                    merged[field] = {**merged[field], **value}
                elif isinstance(value, list) and isinstance(merged.get(field), list) and not spec.get("replace"):
                    merged[field] = merged[field] + value
                else:
                    merged[field] = value
        themes = tuple(_theme(key, spec, defaults, source, text) for key, spec in themes_data.items())
        return cls(themes, source)

    # -- tagging ----------------------------------------------------------------------------
    def tag(self, text: str) -> dict[str, Evidence]:
        """Themes of a text, each with the evidence that matched and a score."""
        masked = self._exclude.sub(lambda m: " " * len(m.group(0)), text) if self._exclude else text
        found = analysis.tokens(masked)
        words = _Words([stem for stem, _s, _e in found], [analysis.fold(masked[s:e]) for _stem, s, e in found])
        result: dict[str, Evidence] = {}
        for theme in self.themes:
            counts: dict[str, int] = {}
            weights: dict[str, float] = {}
            for rule in theme.rules:
                n = len(_unsuppressed(theme, rule.term, words.positions(rule.stems), words))
                if n:
                    counts[rule.term], weights[rule.term] = n, rule.weight
            for rule in theme.prefixes:
                n = len(_unsuppressed(theme, rule.term, words.positions(rule.prefix), words))
                if n:
                    counts[rule.term], weights[rule.term] = n, rule.weight
            for rule in theme.patterns:
                n = len(rule.regex.findall(masked))
                if n:
                    counts[rule.term], weights[rule.term] = n, rule.weight
            for rule in theme.cooccur:
                n = _cooccurrences(words, rule, theme)
                if n:
                    counts[rule.label], weights[rule.label] = n, rule.weight
            if not counts:
                continue
            score = sum(weights[t] * (1 + 0.5 * (min(n, theme.max_repeats) - 1)) for t, n in counts.items())
            if score >= theme.threshold:
                terms = tuple(sorted(counts, key=lambda t: (-weights[t] * counts[t], t)))
                result[theme.key] = Evidence(score, terms)
        return result


class _Words:
    """A text's tokens (stems and folded words), indexed once so that each of the taxonomy's
    many rules finds its places without scanning the whole text again."""

    def __init__(self, stems: list[str], folded: list[str]):
        self.stems = stems
        self.by_stem: dict[str, list[int]] = {}
        self.by_word: dict[str, list[int]] = {}
        for i, (stem, word) in enumerate(zip(stems, folded)):
            self.by_stem.setdefault(stem, []).append(i)
            self.by_word.setdefault(word, []).append(i)
        self.words = sorted(self.by_word)  # a prefix's words are one run of this list
        self.found: dict[Alternative, list[int]] = {}

    def positions(self, alternative: Alternative) -> list[int]:
        """Token positions where a stem sequence (or a folded-word prefix) starts."""
        if alternative not in self.found:
            if isinstance(alternative, str):
                start = bisect.bisect_left(self.words, alternative)
                end = bisect.bisect_left(self.words, alternative + "\U0010ffff", start)
                places = sorted(p for word in self.words[start:end] for p in self.by_word[word])
            else:
                n = len(alternative)
                places = [i for i in self.by_stem.get(alternative[0], ()) if tuple(self.stems[i : i + n]) == alternative]
            self.found[alternative] = places
        return self.found[alternative]



def _near(places: list[int], others: list[int], window: int) -> list[int]:
    return [p for p in places if any(abs(p - o) <= window for o in others)]


def _unsuppressed(theme: Theme, term: str, places: list[int], words: "_Words") -> list[int]:
    for rule in theme.suppress:
        if places and term in rule.terms:
            blockers = [p for alternative in rule.near for p in words.positions(alternative)]
            hit = set(_near(places, blockers, rule.window))
            places = [p for p in places if p not in hit]
    return places


def _cooccurrences(words: "_Words", rule: Cooccur, theme: Theme) -> int:
    """How many words of the first group have a word of every other group within
    rule.window words (the first group's words can be suppressed by the rule's label)."""
    per_group = []
    for number, group in enumerate(rule.groups):
        places = sorted(p for alternative in group for p in words.positions(alternative))
        if number == 0:
            places = _unsuppressed(theme, rule.label, places, words)
        if not places:
            return 0
        per_group.append(places)
    return sum(
        all(any(abs(p - anchor) <= rule.window for p in places) for places in per_group[1:]) for anchor in per_group[0]
    )


def _alternative(word: str) -> Alternative | None:
    if word.endswith("*"):
        return analysis.fold(word[:-1]) or None
    stems = tuple(analysis.stems(word))
    return stems or None


def _builtin_text() -> str:
    return resources.files("evidex").joinpath("taxonomy.toml").read_text(encoding="utf-8")


def _toml(text: str, source: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{source}: not valid TOML: {exc}") from exc


def _theme(key: str, spec: dict, defaults: dict, source: str, text: str) -> Theme:
    where = f"{source} (line {_line_of(text, key)})"
    if not re.fullmatch(r"[a-z0-9_-]+", key):
        raise TaxonomyError(f"{where}: theme name {key!r} must be lower-case letters, digits, - or _")
    terms = spec.get("terms", {})
    if not isinstance(terms, dict):
        raise TaxonomyError(f'{where}: terms must be a table of "phrase" = weight')
    rules: dict[tuple[str, ...], Rule] = {}
    prefixes = []
    for term, weight in terms.items():
        if not isinstance(weight, (int, float)):
            raise TaxonomyError(f"{where}: the weight of term {term!r} must be a number")
        if term.endswith("*"):
            prefixes.append(PrefixRule(analysis.fold(term[:-1]), term, float(weight)))
            continue
        stems = tuple(analysis.stems(term))
        if not stems:
            raise TaxonomyError(f"{where}: term {term!r} has no words")
        # "prevent", "prevents", "preventing" share a stem: one rule, the highest weight.
        if stems not in rules or rules[stems].weight < weight:
            rules[stems] = Rule(stems, term, float(weight))
    patterns = []
    for item in spec.get("patterns", []):
        if not isinstance(item, dict) or "regex" not in item:
            raise TaxonomyError(f"{where}: each pattern needs a regex (and a weight)")
        try:
            flags = 0 if item.get("case_sensitive") else re.IGNORECASE
            regex = re.compile(item["regex"], flags)
        except re.error as exc:
            raise TaxonomyError(f"{where}: bad regular expression {item['regex']!r}: {exc}") from exc
        patterns.append(PatternRule(regex, item.get("label", item["regex"]), float(item.get("weight", 1.0))))
    cooccur = []
    for item in spec.get("cooccur", []):
        groups = item.get("groups") if isinstance(item, dict) else None
        if not groups or not all(isinstance(g, list) and g for g in groups) or len(groups) < 2:
            raise TaxonomyError(f"{where}: each cooccur rule needs groups = [[words...], [words...], ...]")
        compiled = tuple(tuple(a for a in map(_alternative, group) if a) for group in groups)
        label = item.get("label") or " + ".join(group[0] for group in groups)
        cooccur.append(Cooccur(compiled, label, int(item.get("window", 30)), float(item.get("weight", 1.0))))
    suppress = []
    for item in spec.get("suppress", []):
        if not isinstance(item, dict) or not item.get("terms") or not item.get("near"):
            raise TaxonomyError(f"{where}: each suppress rule needs terms = [...] and near = [...]")
        near = tuple(a for a in map(_alternative, item["near"]) if a)
        suppress.append(Suppress(frozenset(item["terms"]), near, int(item.get("window", 10))))
    exclude = tuple(
        re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"(?!\w)", re.IGNORECASE)
        for phrase in spec.get("exclude", [])
    )
    if not rules and not prefixes and not patterns and not cooccur:
        raise TaxonomyError(f"{where}: theme {key!r} has no terms, patterns or cooccur rules")
    return Theme(
        key=key,
        label=str(spec.get("label", key)),
        description=str(spec.get("description", "")),
        rules=tuple(rules.values()),
        prefixes=tuple(prefixes),
        patterns=tuple(patterns),
        cooccur=tuple(cooccur),
        suppress=tuple(suppress),
        exclude=exclude,
        threshold=float(spec.get("threshold", defaults.get("threshold", 1.0))),
        max_repeats=int(spec.get("max_repeats", defaults.get("max_repeats", 3))),
    )


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*\[+themes\.{re.escape(key)}[\].]", line):
            return number
    return 1
