"""Inline comments, kept as Confluence keeps them: a comment is content of type ``comment``
under its page, and its place on the page is a marker in the page's storage.

Creating one (REST v2 ``POST /inline-comments`` with ``inlineCommentProperties``
``{textSelection, textSelectionMatchCount, textSelectionMatchIndex}``, schema
``CreateInlineCommentModel`` in ``confluence-cloud-v2-current.json``; REST v1 ``POST /content``
with ``type: comment``, ``container`` and ``extensions.inlineProperties``) wraps the chosen
occurrence of the selected text in ``<ac:inline-comment-marker ac:ref="…">`` in the page's
current storage *without* a new page version, as Confluence records a comment. The comment's
``resolutionStatus`` (``InlineCommentResolutionStatus``: open, reopened, resolved, dangling) is
``dangling`` once no marker with its ref is left on the page, which is what a writer that drops
markers does to people's comments.

The marker is placed here with lxml on the wiki's own terms (text and tails of elements outside
code bodies and macro parameters), independently of the publisher's ``comment_markers.py``, so
the tests of that module's round trip are not checked against itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from lxml import etree

from confluence_sync.localwiki.api_error import bad_request
from confluence_sync.localwiki.store.database import (
    ContentRow,
    PropertyRow,
    Store,
    VersionRow,
    now_iso,
)
from confluence_sync.localwiki.store.page_rules import Pages
from confluence_sync.localwiki.store.storage_format import AC, parse_storage, serialise

INLINE_KEY = "inline-comment"  # where the wiki keeps a comment's inline properties
_MARKER = f"{{{AC}}}inline-comment-marker"
_NO_SELECTION = frozenset(
    f"{{{AC}}}{name}" for name in ("plain-text-body", "parameter", "plain-text-link-body")
)


@dataclass(frozen=True)
class InlineComment:
    row: ContentRow
    page_id: str
    marker_ref: str
    selection: str
    resolution: str  # open | reopened | resolved | dangling


@dataclass(frozen=True)
class Selection:
    text: str
    match_index: int = 0
    match_count: int | None = None
    marker_ref: str | None = None


def _selectable(element: etree._Element) -> bool:
    node: etree._Element | None = element
    while node is not None:
        if node.tag in _NO_SELECTION or node.tag == _MARKER:
            return False
        node = node.getparent()
    return True


def _slots(root: etree._Element) -> list[tuple[etree._Element, bool]]:
    """(element, is_tail) for every text run a person can select, in document order."""
    slots: list[tuple[etree._Element, bool]] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if _selectable(element) and element.text:
            slots.append((element, False))
        parent = element.getparent()
        if element is not root and parent is not None and _selectable(parent) and element.tail:
            slots.append((element, True))
    return slots


def mark_selection(storage: str, selection: Selection, ref: str) -> str:
    """The storage with the chosen occurrence of the selected text wrapped in a marker."""
    root = parse_storage(storage)
    hits = []
    for element, tail in _slots(root):
        text = (element.tail if tail else element.text) or ""
        start = text.find(selection.text)
        while selection.text and start != -1:
            hits.append((element, tail, start))
            start = text.find(selection.text, start + len(selection.text))
    if not hits:
        raise bad_request(f"Cannot find the text to highlight: {selection.text!r}")
    if selection.match_count is not None and selection.match_count != len(hits):
        raise bad_request(
            f"textSelectionMatchCount is {selection.match_count}, the page has {len(hits)}"
        )
    if not 0 <= selection.match_index < len(hits):
        raise bad_request(f"textSelectionMatchIndex {selection.match_index} is out of range")
    element, tail, start = hits[selection.match_index]
    _wrap(element, tail, start, len(selection.text), ref)
    return serialise(root)


def _wrap(element: etree._Element, tail: bool, start: int, length: int, ref: str) -> None:
    text = (element.tail if tail else element.text) or ""
    marker = etree.Element(_MARKER, nsmap={"ac": AC})
    marker.set(f"{{{AC}}}ref", ref)
    marker.text = text[start : start + length]
    marker.tail = text[start + length :]
    if tail:
        element.tail = text[:start]
        element.addnext(marker)
    else:
        element.text = text[:start]
        element.insert(0, marker)


class InlineComments:
    """Create and read inline comments of pages."""

    def __init__(self, store: Store, pages: Pages) -> None:
        self.store = store
        self.pages = pages

    def create(self, page_id: str, body: str, selection: Selection, by: str) -> InlineComment:
        with self.store.transaction():
            page = self.pages.get(page_id)
            if page.type != "page":
                raise bad_request(f"Content {page_id} is not a page")
            ref = selection.marker_ref or str(uuid.uuid4())
            self.store.update_content(page_id, body=mark_selection(page.body, selection, ref))
            row = self._insert(page, body, by)
            value = {"markerRef": ref, "originalSelection": selection.text, "resolution": "open"}
            self.store.put_property(
                PropertyRow(str(self.store.next_id()), row.id, INLINE_KEY, value, 1, now_iso(), by)
            )
            return self._comment(row)

    def _insert(self, page: ContentRow, body: str, by: str) -> ContentRow:
        new_id = str(self.store.next_id())
        stamp = now_iso()
        row = ContentRow(
            id=new_id,
            type="comment",
            status="current",
            title=f"Re: {page.title}",
            space_key=page.space_key,
            parent_id=page.id,
            position=int(new_id),
            body=body,
            version=1,
            created_at=stamp,
            created_by=by,
        )
        self.store.insert_content(row)
        self.store.add_version(VersionRow(new_id, 1, stamp, by, "", False, row.title, body))
        return row

    def _comment(self, row: ContentRow) -> InlineComment:
        prop = self.store.property(row.id, INLINE_KEY)
        value: dict[str, Any] = prop.value if prop is not None else {}
        ref = str(value.get("markerRef", ""))
        page = self.store.content(row.parent_id or "")
        on_page = page is not None and f'ac:ref="{ref}"' in page.body
        resolution = str(value.get("resolution", "open"))
        if not on_page and resolution != "resolved":
            resolution = "dangling"
        selection = str(value.get("originalSelection", ""))
        return InlineComment(row, row.parent_id or "", ref, selection, resolution)

    def get(self, comment_id: str) -> InlineComment | None:
        row = self.store.content(comment_id)
        if row is None or row.type != "comment" or self.store.property(row.id, INLINE_KEY) is None:
            return None
        return self._comment(row)

    def of_page(self, page_id: str) -> list[InlineComment]:
        rows = self.store.children(page_id, "comment")
        return [self._comment(r) for r in rows if self.store.property(r.id, INLINE_KEY)]

    def all(self) -> list[InlineComment]:
        rows = self.store.all_content("comment")
        return [self._comment(r) for r in rows if self.store.property(r.id, INLINE_KEY)]
