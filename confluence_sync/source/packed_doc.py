"""A converted page as the site keeps it until its ``DesiredPage`` is built: the storage XHTML
compressed, the rest as the converter gave it.

A large site's documents all exist at once between converting and planning (every page's
anchors are needed before any page is checked), so their XHTML, the bulk of them, stays packed;
the conversion cache stores it packed too, so an unchanged page is never compressed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from confluence_sync.convert.storage_doc import Attachment, StorageDoc
from confluence_sync.errors import Problem
from confluence_sync.pages import PackedText


@dataclass(frozen=True)
class PackedDoc:
    """A ``StorageDoc`` with its XHTML packed; reads like one (``xhtml`` unpacks it)."""

    packed: PackedText
    attachments: tuple[Attachment, ...]
    problems: tuple[Problem, ...]
    external_links: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @classmethod
    def of(cls, doc: StorageDoc) -> PackedDoc:
        packed = PackedText.of(doc.xhtml)
        return cls(packed, doc.attachments, doc.problems, doc.external_links, doc.warnings)

    @property
    def xhtml(self) -> str:
        return self.packed.text()
