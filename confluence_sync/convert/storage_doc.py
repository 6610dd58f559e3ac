"""The converter's boundary types: what a page converts to, and how links are resolved across pages.

Frozen dataclasses so a converted page can be cached, compared and handed between layers without
anyone mutating it; the resolver is a Protocol so the converter never needs to know how the site
model finds pages and files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from confluence_sync.errors import Problem


@dataclass(frozen=True)
class Attachment:
    """A local file a page needs uploaded next to it (an image, or a linked PDF…)."""

    filename: str  # name used on the page (disambiguated when two files share a name on one page)
    path: Path  # absolute path on disk (relative, as written, when converted without a resolver)
    sha256: str  # hex digest of the content; "" when the file could not be read


@dataclass(frozen=True)
class StorageDoc:
    """One converted page: storage XHTML plus what publishing it depends on."""

    xhtml: str
    attachments: tuple[Attachment, ...]
    problems: tuple[Problem, ...]
    external_links: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class PageTarget:
    """Where a relative link lands: the page's Confluence title and its heading anchors."""

    title: str
    anchors: Mapping[str, str]  # slug -> anchor name, as returned by heading_anchors()


@runtime_checkable
class DiagramResolver(Protocol):
    """A resolver that can also draw diagrams (the site's, when ``diagrams = "image"``)."""

    def resolve_diagram(self, kind: str, source: str) -> Path | str:
        """The image file of a ``kind`` diagram drawn from ``source``, or why there is none."""
        ...


class LinkResolver(Protocol):
    """The site model's answer to "what is at this relative path?"."""

    def resolve_page(self, href: str) -> PageTarget | None:
        """The page generated from ``href`` (fragment removed, URL-decoded), or None."""
        ...

    def resolve_file(self, href: str) -> Path | str:
        """The absolute path of an existing repository file, or a message saying why not."""
        ...
