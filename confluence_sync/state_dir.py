"""The tool's state folder, ``.confluence-sync/``: the conversion cache and the embedded wiki.

It ignores itself, as pytest's and ruff's caches do: a ``.gitignore`` holding ``*`` is written
into it when it is first made, so a repository that adopts the tool never sees the folder in
``git status`` (nor commits the wiki's database with one ``git add -A``), and needs no line in its
own ``.gitignore``.
"""

from __future__ import annotations

from pathlib import Path

STATE_DIR = ".confluence-sync"
IGNORE_ALL = "# Created by confluence-sync: its cache and the embedded wiki's data.\n*\n"


def make_dirs(folder: Path) -> None:
    """``mkdir -p folder``; if it lies in a ``.confluence-sync`` folder, that folder ignores
    itself. An existing ``.gitignore`` there is the user's and stays as it is."""
    folder.mkdir(parents=True, exist_ok=True)
    for candidate in (folder, *folder.parents):
        if candidate.name == STATE_DIR:
            ignore = candidate / ".gitignore"
            if not ignore.exists():
                ignore.write_text(IGNORE_ALL, encoding="utf-8")
            return
