"""Content restrictions (who may view, who may edit a page) and the rules Confluence applies.

From Atlassian's "Page restrictions" help (https://support.atlassian.com/confluence-cloud/docs/
what-are-page-permissions-and-restrictions/) and the REST v1 "Content restrictions" reference
(https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-content-restrictions/, the
vendored ``ContentRestrictionUpdate`` schema):

* a page without restrictions is open to everyone with the space permission;
* a ``read`` restriction limits viewing to the users and groups it names, and is inherited: a
  page below a view-restricted page is hidden from whoever cannot view that ancestor;
* an ``update`` restriction limits editing to the users and groups it names, on that page only;
* a person who cannot view a page gets what a missing page gets (Confluence answers 404 rather
  than reveal it exists) and never sees it in search results;
* ``POST …/restriction`` adds to the existing restrictions; ``PUT`` replaces them; a
  restriction entry names at least one user or group.

Users are named by ``accountId`` on Cloud and by ``username`` (or ``userKey``) on Data Center;
groups by ``name`` (and on Cloud by ``id``; here a group's id is its name).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from confluence_sync.localwiki.api_error import bad_request
from confluence_sync.localwiki.store.database import ContentRow, Store

OPERATIONS = ("read", "update")  # the two operations Confluence's page restrictions set


@dataclass(frozen=True)
class Restriction:
    """Who an operation on one page is limited to (empty sets: not restricted)."""

    operation: str
    users: frozenset[str]
    groups: frozenset[str]


def account_id(username: str) -> str:
    """The Cloud account id the wiki shows for ``username`` (as ``rest_json.Shaper.user``)."""
    return "557058:" + hashlib.sha1(username.encode()).hexdigest()[:24]


def user_key(username: str) -> str:
    return hashlib.sha1(username.encode()).hexdigest()[:32]


class Restrictions:
    """Read and change restrictions; answer "may this user view / edit this page"."""

    def __init__(
        self, store: Store, users: Iterable[str], groups: Mapping[str, frozenset[str]]
    ) -> None:
        self.store = store
        self.users = tuple(users)
        self.groups = groups  # group name -> its members

    def of(self, content_id: str) -> dict[str, Restriction]:
        rows = self.store.rows(
            "SELECT operation, kind, name FROM restrictions WHERE content_id=?", content_id
        )
        found: dict[str, Restriction] = {}
        for op in OPERATIONS:
            users = frozenset(
                r["name"] for r in rows if r["operation"] == op and r["kind"] == "user"
            )
            groups = frozenset(
                r["name"] for r in rows if r["operation"] == op and r["kind"] == "group"
            )
            found[op] = Restriction(op, users, groups)
        return found

    def add(self, content_id: str, entries: list[Any], *, replace: bool) -> None:
        """``POST`` adds, ``PUT`` replaces; all or nothing, as one request."""
        parsed = [self._entry(entry) for entry in entries]
        with self.store.transaction():
            if replace:
                for operation, _, _ in parsed:
                    self.store.execute(
                        "DELETE FROM restrictions WHERE content_id=? AND operation=?",
                        content_id,
                        operation,
                    )
            for operation, users, groups in parsed:
                for kind, names in (("user", users), ("group", groups)):
                    for name in names:
                        self.store.execute(
                            "INSERT OR IGNORE INTO restrictions(content_id, operation, kind, name)"
                            " VALUES(?, ?, ?, ?)",
                            content_id,
                            operation,
                            kind,
                            name,
                        )

    def remove_all(self, content_id: str) -> None:
        self.store.execute("DELETE FROM restrictions WHERE content_id=?", content_id)

    def _entry(self, entry: Any) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        operation = entry.get("operation") if isinstance(entry, dict) else None
        if operation not in OPERATIONS:
            raise bad_request(f"Unsupported restriction operation: {operation}")
        who = entry.get("restrictions") or {}
        raw_users = who.get("user") or []
        if isinstance(raw_users, dict):  # the UserArray form: {"results": [...]}
            raw_users = raw_users.get("results") or []
        users = tuple(self._username(u) for u in raw_users)
        groups = tuple(self._group(g) for g in who.get("group") or [])
        if not users and not groups:
            raise bad_request("A restriction must name at least one user or group.")
        return str(operation), users, groups

    def _username(self, raw: Any) -> str:
        if isinstance(raw, dict):
            for name in self.users:
                if raw.get("username") == name or raw.get("accountId") == account_id(name):
                    return name
                if raw.get("userKey") == user_key(name):
                    return name
        raise bad_request(f"No user found for {raw!r}")

    def _group(self, raw: Any) -> str:
        name = raw.get("name") or raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(name, str) or name not in self.groups:
            raise bad_request(f"No group found with name: {name}")
        return name

    # decisions -----------------------------------------------------------------------------
    def _allowed(self, restriction: Restriction, user: str) -> bool:
        if not restriction.users and not restriction.groups:
            return True
        mine = {g for g, members in self.groups.items() if user in members}
        return user in restriction.users or bool(mine & restriction.groups)

    def can_view(self, row: ContentRow, user: str) -> bool:
        """The page's own read restriction and every ancestor's (view is inherited)."""
        chain = [row, *self.store.ancestors(row)] if row.type == "page" else [row]
        return all(self._allowed(self.of(r.id)["read"], user) for r in chain)

    def can_edit(self, row: ContentRow, user: str) -> bool:
        """Viewing is a precondition of editing; the edit restriction is not inherited."""
        return self.can_view(row, user) and self._allowed(self.of(row.id)["update"], user)

    def restricted_ids(self) -> frozenset[str]:
        """Pages carrying any read restriction: the only ones a search must check."""
        rows = self.store.rows(
            "SELECT DISTINCT content_id FROM restrictions WHERE operation='read'"
        )
        return frozenset(r["content_id"] for r in rows)

    def visible(self, rows: Iterable[ContentRow], user: str) -> list[ContentRow]:
        """``rows`` without those ``user`` may not view (search results, content listings)."""
        if not self.restricted_ids():
            return list(rows)
        return [r for r in rows if self.can_view(r, user)]

    def refusal(self, content_id: str | None, user: str, *, writes: bool) -> tuple[int, str] | None:
        """(status, message) of the refusal a request on ``content_id`` gets, or None: 404 as
        for a missing page when ``user`` may not view it, 403 on a write they may not make."""
        row = self.store.content(content_id) if content_id else None
        if row is None:
            return None
        if not self.can_view(row, user):
            return 404, f"No content found with id: ContentId{{id={content_id}}}"
        if writes and not self.can_edit(row, user):
            return 403, f"User {user} does not have permission to edit this content"
        return None
