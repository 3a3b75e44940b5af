"""Theme taxonomy (a TOML file shipped in the package) and tagging of passages, with the reasons."""

from __future__ import annotations

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
class PatternRule:
    regex: re.Pattern
    weight: float


@dataclass(frozen=True)
class Theme:
    key: str
    label: str
    description: str
    rules: tuple[Rule, ...]
    patterns: tuple[PatternRule, ...]
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
        self._by_first: dict[str, list[tuple[Theme, Rule]]] = {}
        for theme in themes:
            for rule in theme.rules:
                self._by_first.setdefault(rule.stems[0], []).append((theme, rule))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(theme.key for theme in self.themes)

    def theme(self, key: str) -> Theme | None:
        return next((t for t in self.themes if t.key == key), None)

    @classmethod
    def load(cls, path: Path | None = None) -> "Taxonomy":
        if path is None:
            text = resources.files("evidex").joinpath("taxonomy.toml").read_text(encoding="utf-8")
            return cls.parse(text, "built-in taxonomy")
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise TaxonomyError(f"Cannot read taxonomy {path}: {exc.strerror or exc}") from exc
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, source: str) -> "Taxonomy":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise TaxonomyError(f"{source}: not valid TOML: {exc}") from exc
        defaults = data.get("defaults", {})
        themes_data = data.get("themes")
        if not isinstance(themes_data, dict) or not themes_data:
            raise TaxonomyError(f"{source}: no [themes.NAME] tables", "See the built-in taxonomy.toml for the format")
        themes = []
        for key, spec in themes_data.items():
            themes.append(_theme(key, spec, defaults, source, text))
        return cls(tuple(themes), source)

    def tag(self, text: str) -> dict[str, Evidence]:
        """Themes of a text, each with the terms that matched and a score."""
        scores: dict[str, dict[str, int]] = {}
        masked = text
        for theme in self.themes:
            for pattern in theme.exclude:
                masked = pattern.sub(lambda m: " " * len(m.group(0)), masked) if pattern.search(masked) else masked
        stems = analysis.stems(masked)
        for i, first in enumerate(stems):
            for theme, rule in self._by_first.get(first, ()):
                n = len(rule.stems)
                if tuple(stems[i : i + n]) == rule.stems:
                    scores.setdefault(theme.key, {}).setdefault(rule.term, 0)
                    scores[theme.key][rule.term] += 1
        result: dict[str, Evidence] = {}
        for theme in self.themes:
            matched = dict(scores.get(theme.key, {}))
            for pattern in theme.patterns:
                count = len(pattern.regex.findall(masked))
                if count:
                    matched[pattern.regex.pattern] = matched.get(pattern.regex.pattern, 0) + count
            if not matched:
                continue
            weights = {r.term: r.weight for r in theme.rules} | {p.regex.pattern: p.weight for p in theme.patterns}
            score = 0.0
            for term, count in matched.items():
                repeats = min(count, theme.max_repeats)
                score += weights[term] * (1 + 0.5 * (repeats - 1))
            if score >= theme.threshold:
                terms = tuple(sorted(matched, key=lambda t: (-weights[t] * matched[t], t)))
                result[theme.key] = Evidence(score, terms)
        return result


def _theme(key: str, spec, defaults: dict, source: str, text: str) -> Theme:
    where = f"{source} (line {_line_of(text, key)})"
    if not isinstance(spec, dict):
        raise TaxonomyError(f"{where}: [themes.{key}] must be a table")
    if not re.fullmatch(r"[a-z0-9_-]+", key):
        raise TaxonomyError(f"{where}: theme name {key!r} must be lower-case letters, digits, - or _")
    terms = spec.get("terms", {})
    if not isinstance(terms, dict):
        raise TaxonomyError(f"{where}: terms must be a table of \"phrase\" = weight")
    rules = []
    for term, weight in terms.items():
        if not isinstance(weight, (int, float)):
            raise TaxonomyError(f"{where}: weight of term {term!r} must be a number")
        stems = tuple(analysis.stems(term))
        if stems:
            rules.append(Rule(stems, term, float(weight)))
    patterns = []
    for item in spec.get("patterns", []):
        if not isinstance(item, dict) or "regex" not in item:
            raise TaxonomyError(f"{where}: each pattern needs a regex and a weight")
        try:
            flags = 0 if item.get("case_sensitive") else re.IGNORECASE
            patterns.append(PatternRule(re.compile(item["regex"], flags), float(item.get("weight", 1.0))))
        except re.error as exc:
            raise TaxonomyError(f"{where}: bad regular expression {item['regex']!r}: {exc}") from exc
    exclude = tuple(
        re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in phrase.split()) + r"(?!\w)", re.IGNORECASE)
        for phrase in spec.get("exclude", [])
    )
    if not rules and not patterns:
        raise TaxonomyError(f"{where}: theme {key!r} has no terms or patterns")
    return Theme(
        key=key,
        label=str(spec.get("label", key)),
        description=str(spec.get("description", "")),
        rules=tuple(rules),
        patterns=tuple(patterns),
        exclude=exclude,
        threshold=float(spec.get("threshold", defaults.get("threshold", 1.0))),
        max_repeats=int(spec.get("max_repeats", defaults.get("max_repeats", 3))),
    )


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*\[themes\.{re.escape(key)}\]", line):
            return number
    return 1
