"""The wiki's data version: a number in the database that every write moves on, whichever
process made it, so caches of one process (a running ``wiki serve``) notice the writes of
another (``sync`` on the embedded wiki). SQLite triggers keep it, so no write path can forget to;
a counter kept by one connection (``total_changes``) would see only that connection's writes.
"""

from __future__ import annotations

import sqlite3

KEY = "data_version"
TABLES = ("spaces", "content", "versions", "labels", "properties")
_TRIGGERS = "\n".join(
    f"CREATE TRIGGER IF NOT EXISTS {table}_{op.lower()}_bumps AFTER {op} ON {table} BEGIN "
    f"UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = '{KEY}'; END;"
    for table in TABLES
    for op in ("INSERT", "UPDATE", "DELETE")
)


def install(db: sqlite3.Connection) -> None:
    """Create the version row and the triggers that move it (idempotent: run at every open)."""
    db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES(?, '0')", (KEY,))
    db.executescript(_TRIGGERS)


def current(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (KEY,)).fetchone()
    return int(row[0])
