"""Which saved files start a rebuild, and the loop that waits for them (watchfiles).

Everything a page is built from can live outside ``content_dir``: the template, ``mkdocs.yml``,
``pyproject.toml``, snippets (looked up from the repository root, the content dir, or the
``base_path`` folders of mkdocs.yml). The repository root is watched and a filter keeps the
files that matter; the tool's own folder (``.confluence-sync``, where the conversion cache is
written during the build) and the usual tool folders (``.git``, ``.venv``…) never count, or
every build would start the next one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import watchfiles

from confluence_sync.config import Settings
from confluence_sync.source.mkdocs import read_mkdocs

_IGNORED_DIRS = frozenset(
    {".confluence-sync", "tests-artifacts", *watchfiles.DefaultFilter.ignore_dirs}
)
# how long the watcher waits before it reports "nothing yet": the first such report says it is
# watching; later ones let it notice ``stop``
_READY_TIMEOUT_MS = 300


@dataclass(frozen=True)
class Watched:
    """The folders whose files (at any depth) count, and the single files that count too."""

    root: Path
    folders: tuple[Path, ...]
    files: frozenset[Path]

    def counts(self, path: Path) -> bool:
        """True for a file a page may be built from: in a watched folder (not in an ignored
        one), a watched file, or a Markdown file at the top of the repository (a snippet
        there, such as the README)."""
        inside = path.relative_to(self.root).parts if self.root in path.parents else ()
        if any(part in _IGNORED_DIRS for part in inside):
            return False
        if path in self.files or (path.parent == self.root and path.suffix == ".md"):
            return True
        return any(folder == path or folder in path.parents for folder in self.folders)


def watched(settings: Settings) -> Watched:
    """What a rebuild depends on, for this project (snippet folders as mkdocs.yml names them
    when the preview starts)."""
    root = settings.root.resolve()
    folders = [settings.content_dir.resolve(), *(d.resolve() for d in _snippet_dirs(settings))]
    files = {
        p.resolve()
        for p in (
            settings.template,
            settings.mkdocs or settings.content_dir.parent / "mkdocs.yml",
            settings.config_file,
        )
        if p is not None
    }
    return Watched(root, tuple(folders), frozenset(files))


def _snippet_dirs(settings: Settings) -> tuple[Path, ...]:
    """``pymdownx.snippets`` ``base_path`` folders, relative to mkdocs.yml as MkDocs reads them."""
    mkdocs_file = settings.mkdocs or settings.content_dir.parent / "mkdocs.yml"
    if not mkdocs_file.is_file():
        return ()
    config = read_mkdocs(mkdocs_file, settings.relative(mkdocs_file), os.environ)
    return tuple(mkdocs_file.parent / entry for entry in config.snippet_paths)


def saved_files(scope: Watched, stop: threading.Event, *, step_ms: int = 50) -> Iterator[set[Path]]:
    """Batches of saved files that count, until ``stop`` is set. The first batch is empty and
    comes once the folders are watched, so the caller builds only then and a save during the
    first build is not missed. A batch closes ``step_ms`` after its last change, so an
    editor's write-then-rename is one rebuild, not two. Ctrl-C raises ``KeyboardInterrupt``
    here as anywhere."""
    roots = {scope.root, *(f for f in scope.folders if scope.root not in f.parents and f.exists())}

    def keep(change: watchfiles.Change, name: str) -> bool:
        return scope.counts(Path(name))

    started = False
    for changes in watchfiles.watch(
        *sorted(roots),
        watch_filter=keep,
        stop_event=stop,
        step=step_ms,
        debounce=1600,
        rust_timeout=_READY_TIMEOUT_MS,
        yield_on_timeout=True,
    ):
        if not started:
            started = True
            yield set()
        batch = {Path(name) for _, name in changes}
        if batch:
            yield batch
