"""SQLite persistence for the local wiki.

One connection guarded by a re-entrant lock: the wiki is a test double and a single-user dev
server, so simple serialisation beats a pool, and it makes read-check-write sequences (version
checks, unique titles) atomic without SQL gymnastics.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar, cast

from confluence_sync.localwiki.store import data_version
from confluence_sync.state_dir import make_dirs

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS spaces(
  id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, name TEXT NOT NULL, homepage_id TEXT);
CREATE TABLE IF NOT EXISTS content(
  id TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL, title TEXT NOT NULL,
  space_key TEXT NOT NULL, parent_id TEXT, position INTEGER NOT NULL, body TEXT NOT NULL,
  version INTEGER NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
  media_type TEXT, data BLOB, comment TEXT);
CREATE TABLE IF NOT EXISTS versions(
  content_id TEXT NOT NULL, number INTEGER NOT NULL, at TEXT NOT NULL, by TEXT NOT NULL,
  message TEXT NOT NULL, minor_edit INTEGER NOT NULL, title TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '', PRIMARY KEY(content_id, number));
CREATE TABLE IF NOT EXISTS labels(
  id TEXT NOT NULL, content_id TEXT NOT NULL, prefix TEXT NOT NULL, name TEXT NOT NULL,
  PRIMARY KEY(content_id, prefix, name));
CREATE TABLE IF NOT EXISTS properties(
  id TEXT NOT NULL, content_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  version INTEGER NOT NULL, at TEXT NOT NULL, by TEXT NOT NULL, PRIMARY KEY(content_id, key));
CREATE TABLE IF NOT EXISTS watches(
  content_id TEXT NOT NULL, username TEXT NOT NULL, PRIMARY KEY(content_id, username));
"""

_FIRST_ID = 65537
_LIGHT_COLUMNS = (
    "id, type, status, title, space_key, parent_id, position, '' AS body, version, created_at,"
    " created_by, media_type, NULL AS data, comment"
)


def now_iso() -> str:
    """Confluence's timestamp style: UTC, milliseconds, ``Z``."""
    stamp = datetime.now(timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class SpaceRow:
    id: int
    key: str
    name: str
    homepage_id: str | None


@dataclass(frozen=True)
class ContentRow:
    id: str
    type: str
    status: str
    title: str
    space_key: str
    parent_id: str | None
    position: int
    body: str
    version: int
    created_at: str
    created_by: str
    media_type: str | None = None
    data: bytes | None = None
    comment: str | None = None


@dataclass(frozen=True)
class VersionRow:
    content_id: str
    number: int
    at: str
    by: str
    message: str
    minor_edit: bool
    title: str = ""
    body: str = ""


@dataclass(frozen=True)
class LabelRow:
    id: str
    content_id: str
    prefix: str
    name: str


@dataclass(frozen=True)
class PropertyRow:
    id: str
    content_id: str
    key: str
    value: Any
    version: int
    at: str
    by: str


class Store:
    """Typed access to the wiki's tables; every public method is atomic."""

    def __init__(self, path: Path) -> None:
        make_dirs(path.parent)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL keeps this crash-safe, and fast
        self._db.executescript(_SCHEMA)
        data_version.install(self._db)
        self._upgrade()
        self._depth = 0
        self._memo: dict[str, tuple[int, Any]] = {}

    def _upgrade(self) -> None:
        """Add columns that wikis created by earlier versions of this module lack."""
        have = {row["name"] for row in self._db.execute("PRAGMA table_info(versions)")}
        for column in ("title", "body"):
            if column not in have:
                self._db.execute(
                    f"ALTER TABLE versions ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
                )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Hold the lock and one SQLite transaction for a read-check-write sequence."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._db.execute("COMMIT")

    def remembered(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, reused while nothing in the store changes: a search paged in 100s
        evaluates its query once, not once per page (which made a 5,000-page state query
        quadratic). Only the latest few keys are kept. "Changes" is the data version in the
        database, so a write by another process counts too."""
        with self._lock:
            changes = data_version.current(self._db)
            hit = self._memo.get(key)
            if hit is not None and hit[0] == changes:
                return cast(T, hit[1])
            value = compute()
            self._memo = {k: v for k, v in self._memo.items() if v[0] == changes}
            if len(self._memo) >= 8:
                self._memo.clear()
            self._memo[key] = (changes, value)
            return value

    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, args))

    def _run(self, sql: str, *args: Any) -> None:
        with self.transaction():
            self._db.execute(sql, args)

    def next_id(self) -> int:
        with self.transaction():
            rows = self._all("SELECT value FROM meta WHERE key='next_id'")
            value = int(rows[0]["value"]) if rows else _FIRST_ID
            self._db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES('next_id', ?)", (str(value + 1),)
            )
            return value

    # spaces -------------------------------------------------------------------------------
    def space(self, key: str) -> SpaceRow | None:
        rows = self._all("SELECT * FROM spaces WHERE key=?", key)
        return SpaceRow(**dict(rows[0])) if rows else None

    def spaces(self) -> list[SpaceRow]:
        return [SpaceRow(**dict(r)) for r in self._all("SELECT * FROM spaces ORDER BY key")]

    def add_space(self, key: str, name: str) -> SpaceRow:
        with self.transaction():
            self._run(
                "INSERT INTO spaces(id, key, name) VALUES(?, ?, ?)", self.next_id(), key, name
            )
            found = self.space(key)
        assert found is not None
        return found

    def set_homepage(self, key: str, page_id: str) -> None:
        self._run("UPDATE spaces SET homepage_id=? WHERE key=?", page_id, key)

    # content ------------------------------------------------------------------------------
    def content(self, content_id: str) -> ContentRow | None:
        rows = self._all("SELECT * FROM content WHERE id=?", content_id)
        return ContentRow(**dict(rows[0])) if rows else None

    def all_content(
        self, content_type: str | None = None, *, light: bool = False
    ) -> list[ContentRow]:
        """``light``: without bodies and attachment data (a search over every row only needs
        what it filters and sorts on; it reads the rows it returns in full)."""
        columns = _LIGHT_COLUMNS if light else "*"
        sql = f"SELECT {columns} FROM content" + (" WHERE type=?" if content_type else "")
        args = (content_type,) if content_type else ()
        return [ContentRow(**dict(r)) for r in self._all(sql + " ORDER BY position", *args)]

    def children(self, parent_id: str, content_type: str = "page") -> list[ContentRow]:
        rows = self._all(
            "SELECT * FROM content WHERE parent_id=? AND type=? AND status='current'"
            " ORDER BY position",
            parent_id,
            content_type,
        )
        return [ContentRow(**dict(r)) for r in rows]

    def ancestors(self, row: ContentRow) -> list[ContentRow]:
        """Root first, direct parent last (the client library reads ``[-1]`` as the parent)."""
        chain: list[ContentRow] = []
        parent_id = row.parent_id if row.type != "attachment" else None
        while parent_id:
            parent = self.content(parent_id)
            if parent is None:
                break
            chain.append(parent)
            parent_id = parent.parent_id
        return list(reversed(chain))

    def modified(self, row: ContentRow) -> str:
        """When the content's current version was saved."""
        version = self.version(row.id, row.version)
        return version.at if version else row.created_at

    def find_title(self, space_key: str, title: str, content_type: str) -> ContentRow | None:
        rows = self._all(
            "SELECT * FROM content WHERE space_key=? AND title=? AND type=? AND status='current'",
            space_key,
            title,
            content_type,
        )
        return ContentRow(**dict(rows[0])) if rows else None

    def insert_content(self, row: ContentRow) -> None:
        fields = row.__dataclass_fields__
        names = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        self._run(
            f"INSERT INTO content({names}) VALUES({marks})", *(getattr(row, n) for n in fields)
        )

    def update_content(self, content_id: str, **changes: Any) -> None:
        sets = ", ".join(f"{name}=?" for name in changes)
        self._run(f"UPDATE content SET {sets} WHERE id=?", *changes.values(), content_id)

    def purge_content(self, content_id: str) -> None:
        """Remove a page for good, with everything that hangs off it (attachments included)."""
        with self.transaction():
            owned = [content_id] + [
                r["id"]
                for r in self._all(
                    "SELECT id FROM content WHERE parent_id=? AND type='attachment'", content_id
                )
            ]
            for item in owned:
                for table in ("versions", "labels", "properties", "watches"):
                    self._db.execute(f"DELETE FROM {table} WHERE content_id=?", (item,))
                self._db.execute("DELETE FROM content WHERE id=?", (item,))

    # versions -----------------------------------------------------------------------------
    def add_version(self, row: VersionRow) -> None:
        """Keep every version's title and body, so ``?version=N`` can answer like Confluence."""
        self._run(
            "INSERT INTO versions(content_id, number, at, by, message, minor_edit, title, body)"
            " VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
            row.content_id,
            row.number,
            row.at,
            row.by,
            row.message,
            int(row.minor_edit),
            row.title,
            row.body,
        )

    def version(self, content_id: str, number: int) -> VersionRow | None:
        rows = self._all(
            "SELECT * FROM versions WHERE content_id=? AND number=?", content_id, number
        )
        if not rows:
            return None
        data = dict(rows[0])
        data["minor_edit"] = bool(data["minor_edit"])
        return VersionRow(**data)

    # labels -------------------------------------------------------------------------------
    def label_names(self) -> dict[str, set[str]]:
        """Every content's label names, in one query (for searches over all content)."""
        names: dict[str, set[str]] = {}
        for row in self._all("SELECT content_id, name FROM labels"):
            names.setdefault(row["content_id"], set()).add(row["name"])
        return names

    def labels(self, content_id: str) -> list[LabelRow]:
        rows = self._all("SELECT * FROM labels WHERE content_id=? ORDER BY name", content_id)
        return [LabelRow(**dict(r)) for r in rows]

    def add_label(self, content_id: str, prefix: str, name: str) -> None:
        with self.transaction():
            existing = self._all(
                "SELECT 1 FROM labels WHERE content_id=? AND prefix=? AND name=?",
                content_id,
                prefix,
                name,
            )
            if not existing:
                label_id = self._label_id(name)
                self._run(
                    "INSERT INTO labels(id, content_id, prefix, name) VALUES(?, ?, ?, ?)",
                    label_id,
                    content_id,
                    prefix,
                    name,
                )

    def _label_id(self, name: str) -> str:
        """Confluence gives one id per label name, shared by every page that carries it."""
        rows = self._all("SELECT id FROM labels WHERE name=? LIMIT 1", name)
        return str(rows[0]["id"]) if rows else str(self.next_id())

    def remove_label(self, content_id: str, name: str) -> bool:
        with self.transaction():
            found = self._all(
                "SELECT 1 FROM labels WHERE content_id=? AND name=?", content_id, name
            )
            self._db.execute("DELETE FROM labels WHERE content_id=? AND name=?", (content_id, name))
            return bool(found)

    # properties ---------------------------------------------------------------------------
    def properties(self, content_id: str) -> list[PropertyRow]:
        rows = self._all("SELECT * FROM properties WHERE content_id=? ORDER BY key", content_id)
        return [self._property(r) for r in rows]

    def property(self, content_id: str, key: str) -> PropertyRow | None:
        rows = self._all("SELECT * FROM properties WHERE content_id=? AND key=?", content_id, key)
        return self._property(rows[0]) if rows else None

    @staticmethod
    def _property(row: sqlite3.Row) -> PropertyRow:
        data = dict(row)
        data["value"] = json.loads(data["value"])
        return PropertyRow(**data)

    def put_property(self, row: PropertyRow) -> None:
        self._run(
            "INSERT OR REPLACE INTO properties(id, content_id, key, value, version, at, by)"
            " VALUES(?, ?, ?, ?, ?, ?, ?)",
            row.id,
            row.content_id,
            row.key,
            json.dumps(row.value),
            row.version,
            row.at,
            row.by,
        )

    def delete_property(self, content_id: str, key: str) -> None:
        self._run("DELETE FROM properties WHERE content_id=? AND key=?", content_id, key)

    # watches ------------------------------------------------------------------------------
    def set_watch(self, content_id: str, username: str, watching: bool) -> None:
        """Who watches a page: Confluence keeps one watch per user and page."""
        if watching:
            sql = "INSERT OR IGNORE INTO watches(content_id, username) VALUES(?, ?)"
        else:
            sql = "DELETE FROM watches WHERE content_id=? AND username=?"
        self._run(sql, content_id, username)

    def watching(self, content_id: str, username: str) -> bool:
        rows = self._all(
            "SELECT 1 FROM watches WHERE content_id=? AND username=?", content_id, username
        )
        return bool(rows)
