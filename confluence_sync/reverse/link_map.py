"""The reverse renderer's boundary types: what it needs to know about the site, and what it returns.

Storage names pages by title and attachments by file name; Markdown names both by a path relative
to the file being written. ``LinkMap`` is that translation, answered by whoever knows the site (the
``pull`` command); ``LinkTable`` is a plain implementation over two dictionaries.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from confluence_sync.errors import Problem


class LinkMap(Protocol):
    """Where a page link or an attachment of the page being pulled points in the repository."""

    def page_path(self, title: str, space: str | None) -> str | None:
        """Link destination for the page titled ``title`` (``space`` is ``ri:space-key``, None for
        the current space): a path relative to the pulled page's folder, or an absolute URL for a
        page the repository does not manage. None: the link is reduced to its text, with a warning.
        """
        ...

    def attachment_path(self, filename: str) -> str | None:
        """Path, relative to the pulled page's folder, of the repository file that was uploaded as
        the attachment ``filename`` of this page; None when the repository has no such file."""
        ...


@dataclass(frozen=True)
class LinkTable:
    """A ``LinkMap`` from repository-relative paths: titles and attachment names of one page.

    ``pages`` maps page titles to their source files, ``attachments`` maps this page's attachment
    names to the files they were uploaded from, ``page`` is the source file being written; all
    paths are POSIX and relative to the repository root. Titles match case-insensitively, as
    Confluence matches them within a space.
    """

    page: str
    pages: Mapping[str, str] = field(default_factory=dict)
    attachments: Mapping[str, str] = field(default_factory=dict)
    space: str | None = None

    def _relative(self, target: str) -> str:
        folder = posixpath.dirname(self.page) or "."
        return posixpath.relpath(target, folder)

    def page_path(self, title: str, space: str | None) -> str | None:
        if space is not None and self.space is not None and space != self.space:
            return None
        target = self.pages.get(title)
        if target is None:
            folded = title.casefold()
            target = next((p for t, p in self.pages.items() if t.casefold() == folded), None)
        return self._relative(target) if target is not None else None

    def attachment_path(self, filename: str) -> str | None:
        target = self.attachments.get(filename)
        return self._relative(target) if target is not None else None


@dataclass(frozen=True)
class NewAttachment:
    """An attachment the Markdown now refers to that the repository does not have yet: ``pull``
    downloads it to ``path`` (relative to the pulled page's folder)."""

    filename: str
    path: str


@dataclass(frozen=True)
class ReverseResult:
    """One page in Markdown, plus what writing it back needs and what could not be kept exactly."""

    markdown: str
    new_attachments: tuple[NewAttachment, ...] = ()
    warnings: tuple[Problem, ...] = ()
    refusals: tuple[str, ...] = ()  # wiki content refused: links to files, scripts, html macros
