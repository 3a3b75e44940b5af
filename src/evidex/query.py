"""evidex's query language, parsed once into a small tree that every engine compiles.

    words                 ranked: passages with more of the words (and rarer ones) rank higher
    "exact phrase"        the words in this order
    a AND b, a OR b       both / either;  NOT a, -a: without a;  +a: must contain a
    prefix*               any word starting with prefix
    (a OR b) c            grouping
    theme:ai  kind:pdf|html|text  doc:DOC_ID  year:2023  year:2021..2025  year:2021..  year:..2020
    publisher:"Internet Watch Foundation"   (the whole name, any case)

With strict=False (batch and natural-language input) nothing is an error: stray quotes,
brackets and operators are read as plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import analysis
from .errors import QuerySyntaxError

FIELDS = ("theme", "year", "doc", "kind", "publisher")
KINDS = ("pdf", "html", "text")
MUST, SHOULD, MUST_NOT = "must", "should", "must_not"


@dataclass(frozen=True)
class Terms:
    """One word (or a word that analysis splits into several stems, matched as a phrase)."""

    stems: tuple[str, ...]
    original: str


@dataclass(frozen=True)
class Phrase:
    stems: tuple[str, ...]
    original: str


@dataclass(frozen=True)
class Prefix:
    prefix: str
    original: str


@dataclass(frozen=True)
class Filter:
    field: str  # theme | kind | doc | publisher (its publisher_key)
    value: str


def publisher_key(name: str | None) -> str:
    """How a publisher is matched and counted: case and spacing do not matter."""
    return " ".join((name or "").casefold().split())


@dataclass(frozen=True)
class YearRange:
    low: int | None
    high: int | None


@dataclass(frozen=True)
class Clause:
    occur: str  # must | should | must_not
    node: "Node"


@dataclass(frozen=True)
class Group:
    clauses: tuple[Clause, ...]


@dataclass(frozen=True)
class Any:
    """a OR b OR c"""

    children: tuple["Node", ...]


@dataclass(frozen=True)
class Everything:
    """Matches every passage (a query of filters only)."""


Node = Terms | Phrase | Prefix | Filter | YearRange | Group | Any | Everything


@dataclass(frozen=True)
class _Token:
    kind: str  # word | phrase | lparen | rparen | and | or | not | end
    text: str
    pos: int
    modifier: str = ""  # "+" or "-"


_SPECIAL = set('()"')


def _lex(query: str, strict: bool) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            tokens.append(_Token("lparen" if ch == "(" else "rparen", ch, i))
            i += 1
            continue
        modifier = ""
        start = i
        if ch in "+-" and i + 1 < n and not query[i + 1].isspace():
            modifier, i = ch, i + 1
            ch = query[i]
        if ch == '"':
            close = query.find('"', i + 1)
            if close == -1:
                if strict:
                    raise QuerySyntaxError(query, i, 'this quote is never closed (add a closing ")')
                close = n
            tokens.append(_Token("phrase", query[i + 1 : close], start, modifier))
            i = close + 1
            continue
        j = i
        while j < n and not query[j].isspace() and query[j] not in _SPECIAL:
            j += 1
        if j < n and query[j] == '"' and query[i:j].endswith(":"):
            # field:"quoted value"
            close = query.find('"', j + 1)
            if close == -1:
                if strict:
                    raise QuerySyntaxError(query, j, 'this quote is never closed (add a closing ")')
                close = n
            tokens.append(_Token("word", query[i:j] + query[j + 1 : close], start, modifier))
            i = close + 1
            continue
        text = query[i:j]
        if not text:  # a lone quote character handled above; skip anything else
            i = j + 1
            continue
        if not modifier and text in ("AND", "OR", "NOT", "&&", "||"):
            kind = {"AND": "and", "&&": "and", "OR": "or", "||": "or", "NOT": "not"}[text]
            tokens.append(_Token(kind, text, start))
        else:
            tokens.append(_Token("word", text, start, modifier))
        i = j
    tokens.append(_Token("end", "", n))
    return tokens


class _Parser:
    def __init__(self, query: str, strict: bool, match_all: bool):
        self.query = query
        self.strict = strict
        self.default = MUST if match_all else SHOULD
        self.tokens = _lex(query, strict)
        self.i = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def error(self, token: _Token, problem: str):
        raise QuerySyntaxError(self.query, token.pos, problem)

    def parse(self) -> Node:
        node = self.parse_or(top=True)
        token = self.peek()
        if token.kind != "end":  # only a stray ")" gets here
            if self.strict:
                self.error(token, "unexpected ) with no ( before it")
            self.take()
            rest = self.parse()
            return _merge(node, rest)
        return node

    def parse_or(self, top: bool = False) -> Node:
        children = [self.parse_and()]
        while self.peek().kind == "or":
            op = self.take()
            if self.peek().kind in ("end", "rparen", "or", "and"):
                if self.strict:
                    self.error(op, "OR needs something after it")
                continue
            children.append(self.parse_and())
        children = [c for c in children if c is not None]
        if not children:
            return Everything()
        return children[0] if len(children) == 1 else Any(tuple(children))

    def parse_and(self) -> Node | None:
        clauses: list[Clause] = []
        pending_and = False
        while True:
            token = self.peek()
            if token.kind in ("end", "rparen", "or"):
                if pending_and and self.strict:
                    self.error(token, "AND needs something after it")
                break
            if token.kind == "and":
                self.take()
                if not clauses:
                    if self.strict:
                        self.error(token, "AND needs something before it")
                    continue
                pending_and = True
                last = clauses[-1]
                if last.occur == SHOULD:
                    clauses[-1] = Clause(MUST, last.node)
                continue
            clause = self.parse_unary()
            if clause is None:
                continue
            if pending_and and clause.occur == SHOULD:
                clause = Clause(MUST, clause.node)
            pending_and = False
            clauses.append(clause)
        if not clauses:
            return None
        if len(clauses) == 1 and clauses[0].occur != MUST_NOT:
            return clauses[0].node
        return Group(tuple(clauses))

    def parse_unary(self) -> Clause | None:
        token = self.peek()
        if token.kind == "not":
            self.take()
            if self.peek().kind in ("end", "rparen", "or", "and"):
                if self.strict:
                    self.error(token, "NOT needs something after it")
                return None
            inner = self.parse_unary()
            return Clause(MUST_NOT, inner.node) if inner else None
        if token.kind == "lparen":
            self.take()
            node = self.parse_or()
            if self.peek().kind != "rparen":
                if self.strict:
                    self.error(token, "this ( is never closed (add a closing ))")
            else:
                self.take()
            return Clause(self.default, node) if not isinstance(node, Everything) else None
        token = self.take()
        node = self.atom(token)
        if node is None:
            return None
        if isinstance(node, (Filter, YearRange)):
            occur = MUST_NOT if token.modifier == "-" else MUST
        else:
            occur = {"+": MUST, "-": MUST_NOT}.get(token.modifier, self.default)
        return Clause(occur, node)

    def atom(self, token: _Token) -> Node | None:
        if token.kind == "phrase":
            stems = tuple(analysis.stems(token.text))
            if not stems:
                return None
            return Phrase(stems, token.text) if len(stems) > 1 else Terms(stems, token.text)
        text = token.text
        name, sep, value = text.partition(":")
        if sep and name.lower() in FIELDS:
            return self.field(token, name.lower(), value)
        if text.endswith("*") and len(text) > 1:
            stems = analysis.stems(text[:-1])
            if len(stems) == 1:
                return Prefix(analysis.fold(re.sub(r"\W", "", text[:-1])) or stems[0], text)
        stems = tuple(analysis.stems(text))
        if not stems:
            return None
        return Terms(stems, text)

    def field(self, token: _Token, name: str, value: str) -> Node | None:
        value = value.strip()
        if not value:
            if self.strict:
                self.error(token, f"{name}: needs a value, e.g. {_EXAMPLES[name]}")
            return None
        if name == "year":
            found = re.fullmatch(r"(\d{4})?(?:\s*(\.\.)\s*(\d{4})?)?", value)
            if not found or not (found.group(1) or found.group(3)):
                if self.strict:
                    self.error(token, f"year: takes a year or a range like 2021..2025, not {value!r}")
                return None
            low = int(found.group(1)) if found.group(1) else None
            high = int(found.group(3)) if found.group(3) else None
            if not found.group(2):
                high = low
            if low and high and low > high:
                if self.strict:
                    self.error(token, f"year range {value} runs backwards")
                low, high = high, low
            return YearRange(low, high)
        if name == "kind":
            value = value.lower()
            if value not in KINDS:
                if self.strict:
                    self.error(token, f"kind: is one of {', '.join(KINDS)}, not {value!r}")
                return None
        if name == "theme":
            value = value.lower()
        if name == "publisher":
            value = publisher_key(value)
        return Filter(name, value)


_EXAMPLES = {
    "theme": "theme:sextortion",
    "year": "year:2023 or year:2021..2025",
    "doc": "doc:3f2a9c1b",
    "kind": "kind:pdf",
    "publisher": 'publisher:"Internet Watch Foundation"',
}


def _merge(a: Node, b: Node) -> Node:
    clauses = []
    for node in (a, b):
        if isinstance(node, Group):
            clauses.extend(node.clauses)
        elif not isinstance(node, Everything):
            clauses.append(Clause(SHOULD, node))
    return Group(tuple(clauses)) if clauses else Everything()


def parse(query: str, *, strict: bool = True, match_all: bool = False) -> Node:
    """Parse a query. Raises QuerySyntaxError (strict only) with the column of the problem."""
    return _Parser(query, strict, match_all).parse()


def filters(
    themes=(),
    year_low: int | None = None,
    year_high: int | None = None,
    doc: str | None = None,
    kind: str | None = None,
    publisher: str | None = None,
) -> list[Node]:
    """The filter nodes for options given outside the query text (--theme, --since, a web form)."""
    found: list[Node] = [Filter("theme", t.lower()) for t in themes]
    if year_low is not None or year_high is not None:
        found.append(YearRange(year_low, year_high))
    if doc:
        found.append(Filter("doc", doc))
    if kind:
        found.append(Filter("kind", kind.lower()))
    if publisher:
        found.append(Filter("publisher", publisher_key(publisher)))
    return found


def with_filters(node: Node, filters: list[Node]) -> Node:
    """Add required filters (from --theme, --since, ...) to a parsed query."""
    if not filters:
        return node
    clauses = [Clause(MUST, f) for f in filters]
    if isinstance(node, Everything):
        return Group(tuple(clauses))
    return Group((Clause(MUST, node),) + tuple(clauses))


@dataclass(frozen=True)
class Highlights:
    """What a hit should highlight: single stems, prefixes, and phrases (stem sequences)."""

    words: frozenset[str]
    prefixes: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]


def highlights(node: Node) -> Highlights:
    """Everything the query looks for, except negated parts and filters."""
    words: set[str] = set()
    prefixes: set[str] = set()
    phrases: list[tuple[str, ...]] = []

    def walk(n: Node, negated: bool):
        if negated:
            return
        if isinstance(n, Phrase) or (isinstance(n, Terms) and len(n.stems) > 1):
            phrases.append(n.stems)
        elif isinstance(n, Terms):
            words.update(s for s in n.stems if s not in analysis.STOPWORDS)
        elif isinstance(n, Prefix):
            prefixes.add(n.prefix)
        elif isinstance(n, Group):
            for clause in n.clauses:
                walk(clause.node, clause.occur == MUST_NOT)
        elif isinstance(n, Any):
            for child in n.children:
                walk(child, False)

    walk(node, False)
    return Highlights(frozenset(words), frozenset(prefixes), tuple(phrases))
