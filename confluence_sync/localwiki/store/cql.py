"""The CQL subset the local wiki understands.

Only what confluence-sync and its tests need: ``space``, ``type``, ``title``, ``label``,
``parent``, ``ancestor`` and ``id`` fields with ``=``, ``!=``, ``~`` and ``in``, joined by
``AND``/``OR`` with parentheses, plus ``ORDER BY``. Anything else is refused with Confluence's
400 rather than silently matching everything, so a query that would fail on a real site fails
here too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from confluence_sync.localwiki.api_error import ApiError
from confluence_sync.localwiki.store.database import ContentRow, Store

_TOKEN = re.compile(
    r"""\s*(?:(?P<punct>[(),])|(?P<op>!=|=|~)|"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^'\\]|\\.)*)'"""
    r"""|(?P<word>[A-Za-z0-9_.\-:]+(?:\(\))?))"""
)
_FIELDS = {"space", "type", "title", "label", "parent", "ancestor", "id"}
_ORDER_FIELDS = {"title", "created", "lastmodified", "id"}


class Facts(Protocol):
    """What the evaluator needs to know about content beyond its row."""

    def labels_of(self, row: ContentRow) -> set[str]: ...
    def ancestor_ids(self, row: ContentRow) -> list[str]: ...
    def modified(self, row: ContentRow) -> str: ...


@dataclass(frozen=True)
class Token:
    kind: str  # punct, op, str, word
    text: str


Predicate = Callable[[ContentRow, Facts], bool]


@dataclass(frozen=True)
class Query:
    """A parsed query: a predicate over content and the sort keys."""

    where: Predicate
    order: tuple[tuple[str, bool], ...]  # (field, descending)

    def run(self, rows: Sequence[ContentRow], facts: Facts) -> list[ContentRow]:
        found = [r for r in rows if r.status == "current" and self.where(r, facts)]
        for field, descending in reversed(self.order):
            found.sort(key=_sorter(field, facts), reverse=descending)
        return found


def _sorter(field: str, facts: Facts) -> Callable[[ContentRow], str | int]:
    return lambda row: _sort_key(row, field, facts)


def _sort_key(row: ContentRow, field: str, facts: Facts) -> str | int:
    if field == "title":
        return row.title.lower()
    if field == "created":
        return row.created_at
    if field == "lastmodified":
        return facts.modified(row)
    return int(row.id.removeprefix("att"))


def _tokenise(cql: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(cql):
        if cql[pos:].strip() == "":
            break
        match = _TOKEN.match(cql, pos)
        if match is None or match.end() == pos:
            raise _refuse(cql)
        kind = match.lastgroup or ""
        text = match.group(kind)
        if kind in ("dq", "sq"):
            kind, text = "str", re.sub(r"\\(.)", r"\1", text)
        tokens.append(Token(kind, text))
        pos = match.end()
    return tokens


def _refuse(cql: str) -> ApiError:
    return ApiError(400, f"Could not parse cql : {cql}")


class _Parser:
    def __init__(self, cql: str, current_space: str | None) -> None:
        self.cql = cql
        self.tokens = _tokenise(cql)
        self.pos = 0
        self.current_space = current_space

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise _refuse(self.cql)
        self.pos += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "word" and token.text.lower() == word:
            self.pos += 1
            return True
        return False

    def parse(self) -> Query:
        where = self.or_expr()
        order: list[tuple[str, bool]] = []
        if self.keyword("order"):
            if not self.keyword("by"):
                raise _refuse(self.cql)
            order.append(self.order_item())
            while self.peek() == Token("punct", ","):
                self.take()
                order.append(self.order_item())
        if self.peek() is not None:
            raise _refuse(self.cql)
        return Query(where, tuple(order))

    def order_item(self) -> tuple[str, bool]:
        field = self.take().text.lower()
        if field not in _ORDER_FIELDS:
            raise _refuse(self.cql)
        descending = self.keyword("desc")
        if not descending:
            self.keyword("asc")
        return field, descending

    def or_expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.keyword("or"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda r, f: any(p(r, f) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.atom()]
        while self.keyword("and"):
            parts.append(self.atom())
        return parts[0] if len(parts) == 1 else (lambda r, f: all(p(r, f) for p in parts))

    def atom(self) -> Predicate:
        if self.peek() == Token("punct", "("):
            self.take()
            inner = self.or_expr()
            if self.take() != Token("punct", ")"):
                raise _refuse(self.cql)
            return inner
        field = self.take()
        if field.kind != "word" or field.text.lower() not in _FIELDS:
            raise _refuse(self.cql)
        name = field.text.lower()
        if self.keyword("in"):
            return _clause(name, "in", self.value_list())
        if self.keyword("not"):
            if not self.keyword("in"):
                raise _refuse(self.cql)
            return _clause(name, "not in", self.value_list())
        op = self.take()
        if op.kind != "op" or (op.text == "~" and name != "title"):
            raise _refuse(self.cql)
        return _clause(name, op.text, [self.value()])

    def value_list(self) -> list[str]:
        if self.take() != Token("punct", "("):
            raise _refuse(self.cql)
        values = [self.value()]
        while self.peek() == Token("punct", ","):
            self.take()
            values.append(self.value())
        if self.take() != Token("punct", ")"):
            raise _refuse(self.cql)
        return values

    def value(self) -> str:
        token = self.take()
        if token.kind == "str":
            return token.text
        if token.kind != "word":
            raise _refuse(self.cql)
        if token.text.endswith("()"):
            if token.text.lower() == "currentspace()" and self.current_space:
                return self.current_space
            raise _refuse(self.cql)
        return token.text


def _clause(field: str, op: str, values: list[str]) -> Predicate:
    def matches(row: ContentRow, facts: Facts) -> bool:
        if field == "label":
            have = facts.labels_of(row)
            hit = any(v.lower() in have for v in values)
        elif field == "ancestor":
            chain = facts.ancestor_ids(row)
            hit = any(v in chain for v in values)
        elif op == "~":
            hit = values[0].lower().strip("*") in row.title.lower()
        else:
            actual = {
                "space": row.space_key,
                "type": row.type,
                "title": row.title,
                "parent": row.parent_id or "",
                "id": row.id,
            }[field]
            hit = actual in values
        return not hit if op in ("!=", "not in") else hit

    return matches


def parse_cql(cql: str, *, current_space: str | None = None) -> Query:
    """Parse ``cql`` or raise Confluence's 400 ``Could not parse cql``."""
    if not cql.strip():
        raise ApiError(400, "CQL query parameter is required")
    return _Parser(cql, current_space).parse()


class StoreFacts:
    """Answers the evaluator's questions from the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._labels: dict[str, set[str]] | None = None

    def labels_of(self, row: ContentRow) -> set[str]:
        if self._labels is None:  # one query for the whole search, not one per row
            self._labels = self.store.label_names()
        return self._labels.get(row.id, set())

    def ancestor_ids(self, row: ContentRow) -> list[str]:
        return [a.id for a in self.store.ancestors(row)]

    def modified(self, row: ContentRow) -> str:
        return self.store.modified(row)


def run_cql(
    store: Store, cql: str, space: str | None = None, *, light: bool = False
) -> list[ContentRow]:
    """Evaluate ``cql`` over all current content (the search API and the view's reports);
    ``light``: the rows found come without bodies (see ``Store.all_content``)."""
    query = parse_cql(cql, current_space=space)
    return query.run(store.all_content(light=light), StoreFacts(store))
