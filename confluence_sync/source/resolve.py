"""Answers the converter's "what is at this relative path?" for one page of the site.

Links are written relative to the file that contains them, as on GitHub, so the same Markdown
renders correctly in the repository and in Confluence.

Answers are kept for the run, by folder and link text: pages of one folder link to the same few
pages and images again and again, and each answer costs file-system calls (an image's is a read
of its first bytes). Files do not change while a site is converted (attachment hashes are
kept for the run too).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from confluence_sync.config import Settings
from confluence_sync.convert import PageTarget
from confluence_sync.errors import InputError
from confluence_sync.renderers import math_image
from confluence_sync.renderers.diagrams import render_diagram
from confluence_sync.source.images import image_mismatch
from confluence_sync.source.page_tree import Node

# Drawn diagrams, beside the conversion cache (source/conversion.py's CACHE_DIR), git-ignored.
DIAGRAM_CACHE = Path(".confluence-sync") / "cache" / "diagrams"


def _drawn(kind: str, source: str, folder: Path) -> Path | str:
    """A diagram (``renderers.diagrams``) or formula (``kind`` "math", ``renderers.math_image``)
    drawn into ``folder``, or why it cannot be."""
    if kind == "math":
        if (missing := math_image.missing()) is not None:
            return missing
        try:
            return math_image.render_math(source, folder)
        except math_image.MathRefused as exc:
            return f"math could not be drawn: {exc}"
    try:
        return render_diagram(kind, source, folder).path
    except InputError as exc:
        return "; ".join(p.message for p in exc.problems) or str(exc)


@dataclass(frozen=True)
class SiteResolver:
    """All pages of the site by absolute source path, plus the repository boundary."""

    targets: dict[Path, PageTarget]
    repo: Path
    pages: dict[tuple[Path, str], PageTarget | None] = field(default_factory=dict, compare=False)
    files: dict[tuple[Path, str], Path | str] = field(default_factory=dict, compare=False)
    drawn: dict[tuple[str, str], Path | str] = field(default_factory=dict, compare=False)

    @classmethod
    def for_nodes(
        cls, settings: Settings, nodes: list[Node], anchors: Mapping[str, Mapping[str, str]]
    ) -> SiteResolver:
        """``anchors``: heading anchors of each Markdown page, by node key."""
        targets = {}
        for node in nodes:
            if node.page is not None:
                targets[node.page.path.resolve()] = PageTarget(node.title, anchors[node.key])
            elif node.body is not None and not node.key.startswith("generated:"):
                targets[(settings.root / node.key).resolve()] = PageTarget(node.title, {})
        return cls(targets, settings.root.resolve())

    def at(self, source: Path) -> PageResolver:
        return PageResolver(self, source.parent)


@dataclass(frozen=True)
class PageResolver:
    """The resolver for links written in one file."""

    site: SiteResolver
    folder: Path

    def _path(self, href: str) -> Path:
        return Path(os.path.normpath(self.folder / href))

    def resolve_page(self, href: str) -> PageTarget | None:
        key = (self.folder, href)
        answers = self.site.pages
        if key not in answers:
            answers[key] = self._page(href)
        return answers[key]

    def resolve_file(self, href: str) -> Path | str:
        key = (self.folder, href)
        answers = self.site.files
        if key not in answers:
            answers[key] = self._file(href)
        return answers[key]

    def resolve_diagram(self, kind: str, source: str) -> Path | str:
        """The diagram's image, drawn into the render cache beside the conversion cache (once
        per source and renderer version), or the reason it cannot be drawn."""
        key = (kind, source)
        answers = self.site.drawn
        if key not in answers:
            answers[key] = _drawn(kind, source, self.site.repo / DIAGRAM_CACHE)
        return answers[key]

    def _page(self, href: str) -> PageTarget | None:
        path = self._path(href)
        if path.is_dir():
            path = next((path / n for n in ("index.md", "README.md") if (path / n).is_file()), path)
        return self.site.targets.get(path) or self.site.targets.get(path.resolve())

    def _file(self, href: str) -> Path | str:
        path = self._path(href)
        if path != self.site.repo and self.site.repo not in path.parents:
            return f"path leaves the repository: {href}"
        if not path.exists():
            return f"file not found: {href}"
        if not path.is_file():
            return f"not a file: {href}"
        real = path.resolve()
        if real != self.site.repo and self.site.repo not in real.parents:
            return f"path leaves the repository (through a symlink): {href}"
        if reason := image_mismatch(real):
            return f"{href}: {reason}"
        return real
