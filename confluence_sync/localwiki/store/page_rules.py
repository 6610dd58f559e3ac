"""The rules Confluence applies to pages: ids, versions, unique titles, trash, moves.

Handlers parse HTTP; this module decides. Each public method runs in one store transaction so
two concurrent writers cannot both pass a version or title check.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from confluence_sync.localwiki.api_error import ApiError, bad_request, not_found_content
from confluence_sync.localwiki.store.database import ContentRow, Store, VersionRow, now_iso
from confluence_sync.localwiki.store.storage_format import check_and_store

MAX_TITLE_LENGTH = 255
_BAD_REQUEST_PREFIX = "com.atlassian.confluence.api.service.exceptions.BadRequestException: "
_POSITIONS = ("before", "after", "append")


def title_problem(title: str | None) -> str | None:
    """Why Confluence would refuse ``title`` for a page, or None when it is acceptable.

    A title is required and at most 255 characters: Atlassian's v1 OpenAPI spec gives
    ``ContentCreate.title`` and ``ContentUpdate.title`` ``maxLength: 255`` (vendored in
    ``tests/fixtures/specs/confluence-cloud-v1-2021.json``), and Confluence answers a longer one
    with 400 "Title cannot be longer than 255 characters". Length is counted in characters
    (code points), not bytes.
    """
    if not title or not title.strip():
        return "Content must have a title."
    if len(title) > MAX_TITLE_LENGTH:
        return f"Title cannot be longer than {MAX_TITLE_LENGTH} characters"
    return None


@dataclass(frozen=True)
class PageDraft:
    """What a create or update asks for, already pulled out of the request JSON."""

    title: str | None
    body: str | None
    space_key: str | None = None
    content_type: str = "page"
    parent_id: str | None = None
    version: int | None = None
    message: str = ""
    minor_edit: bool = False
    status: str | None = None
    labels: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)


class Pages:
    """Create, update, trash, purge and move content, enforcing Confluence's rules."""

    def __init__(self, store: Store, *, cloud: bool, normalise: bool) -> None:
        self.store = store
        self.cloud = cloud
        self.normalise = normalise

    def get(self, content_id: str, *, allow_trashed: bool = False) -> ContentRow:
        row = self.store.content(content_id)
        if row is None or (row.status == "trashed" and not allow_trashed):
            raise not_found_content(content_id)
        return row

    def ensure_space(self, key: str, by: str) -> None:
        """Create a space with its home page, as Confluence does, unless it exists."""
        with self.store.transaction():
            if self.store.space(key) is not None:
                return
            self.store.add_space(key, key)
            home = self.create(PageDraft(title=f"{key} Home", body="", space_key=key), by)
            self.store.set_homepage(key, home.id)

    def create(self, draft: PageDraft, by: str) -> ContentRow:
        title = _checked_title(draft.title)
        with self.store.transaction():
            space_key = self._space_for(draft)
            self._check_title_free(space_key, title, draft.content_type, None)
            body = check_and_store(draft.body or "", normalise_body=self.normalise)
            new_id = str(self.store.next_id())
            stamp = now_iso()
            row = ContentRow(
                id=new_id,
                type=draft.content_type,
                status="current",
                title=title,
                space_key=space_key,
                parent_id=draft.parent_id,
                position=int(new_id),
                body=body,
                version=1,
                created_at=stamp,
                created_by=by,
            )
            self.store.insert_content(row)
            self.store.add_version(
                VersionRow(new_id, 1, stamp, by, draft.message, False, row.title, row.body)
            )
            return row

    def _space_for(self, draft: PageDraft) -> str:
        if draft.parent_id is not None:
            parent = self.store.content(draft.parent_id)
            if parent is None or parent.status != "current" or parent.type == "attachment":
                raise bad_request(f"Could not find the parent page with id {draft.parent_id}")
            if draft.space_key and draft.space_key != parent.space_key:
                raise bad_request("The parent page must be in the same space as the new page.")
            return parent.space_key
        if not draft.space_key:
            raise bad_request("Content must belong to a space.")
        if self.store.space(draft.space_key) is None:
            raise bad_request(f"No space with key : {draft.space_key}")
        return draft.space_key

    def _check_title_free(
        self, space_key: str, title: str, content_type: str, own_id: str | None
    ) -> None:
        if content_type != "page":
            return
        clash = self.store.find_title(space_key, title, "page")
        if clash is not None and clash.id != own_id:
            message = (
                "A page with this title already exists: A page already exists with the title "
                f"{title} in the space with key {space_key}"
            )
            raise bad_request((_BAD_REQUEST_PREFIX if self.cloud else "") + message)

    def update(self, content_id: str, draft: PageDraft, by: str) -> ContentRow:
        with self.store.transaction():
            row = self.get(content_id, allow_trashed=draft.status == "current")
            self._check_version(row, draft.version)
            self.store.update_content(row.id, **self._changes(row, draft))
            saved = self.get(row.id, allow_trashed=True)
            self.store.add_version(
                VersionRow(
                    row.id,
                    saved.version,
                    now_iso(),
                    by,
                    draft.message,
                    draft.minor_edit,
                    saved.title,
                    saved.body,
                )
            )
            return saved

    def _changes(self, row: ContentRow, draft: PageDraft) -> dict[str, Any]:
        """The columns an accepted update writes, after Confluence's checks on each field."""
        title = _checked_title(draft.title)
        if draft.space_key and draft.space_key != row.space_key:
            message = "You can't change an existing page's space."
            raise ApiError(400, message, errors=[{"message": {"key": message, "args": []}}])
        self._check_title_free(row.space_key, title, row.type, row.id)
        changes: dict[str, Any] = {"title": title, "version": row.version + 1}
        if draft.body is not None:
            changes["body"] = check_and_store(draft.body, normalise_body=self.normalise)
        if draft.status in ("current", "trashed"):
            changes["status"] = draft.status
        if draft.parent_id is not None and draft.parent_id != row.parent_id:
            self._check_parent(row, draft.parent_id)
            changes["parent_id"] = draft.parent_id
        return changes

    def at_version(self, row: ContentRow, number: int) -> ContentRow:
        """The page as it was at version ``number`` (status ``historical`` unless current)."""
        if number == row.version:
            return row
        old = self.store.version(row.id, number)
        if old is None or number > row.version:
            raise not_found_content(row.id)
        return replace(row, title=old.title, body=old.body, version=number, status="historical")

    def _check_version(self, row: ContentRow, number: int | None) -> None:
        if number is None:
            raise bad_request(
                "Must supply an incremented version when updating Content. No version supplied."
            )
        if number != row.version + 1:
            raise ApiError(
                409, f"Version must be incremented on update. Current version is: {row.version}"
            )

    def _check_parent(self, row: ContentRow, parent_id: str) -> None:
        parent = self.get(parent_id)
        if parent.space_key != row.space_key:
            raise bad_request("You can't change an existing page's space.")
        walk: ContentRow | None = parent
        while walk is not None:
            if walk.id == row.id:
                raise bad_request("A page cannot become a descendant of itself.")
            walk = self.store.content(walk.parent_id) if walk.parent_id else None

    def delete(self, content_id: str, status: str | None) -> None:
        """First DELETE trashes; ``status=trashed`` on a trashed page purges it for good."""
        with self.store.transaction():
            row = self.get(content_id, allow_trashed=status == "trashed")
            if status == "trashed":
                if row.status != "trashed":
                    raise not_found_content(content_id)
                self.store.purge_content(row.id)
                return
            if row.type == "attachment":
                self.store.purge_content(row.id)
                return
            for child in self.store.children(row.id):
                self.store.update_content(child.id, parent_id=row.parent_id)
            self.store.update_content(row.id, status="trashed")

    def move(self, content_id: str, position: str, target_id: str) -> ContentRow:
        if position not in _POSITIONS:
            raise bad_request(f"Invalid position: {position}")
        with self.store.transaction():
            row = self.get(content_id)
            target = self.get(target_id)
            if position == "append":
                self._check_parent(row, target.id)
                self.store.update_content(
                    row.id, parent_id=target.id, position=self.store.next_id()
                )
                return self.get(row.id)
            if target.parent_id:
                self._check_parent(row, target.parent_id)
            siblings = [s for s in self._siblings(target) if s.id != row.id]
            index = [s.id for s in siblings].index(target.id) + (position == "after")
            ordered = [
                *siblings[:index],
                replace(row, parent_id=target.parent_id),
                *siblings[index:],
            ]
            for number, item in enumerate(ordered):
                self.store.update_content(item.id, parent_id=target.parent_id, position=number)
            return self.get(row.id)

    def _siblings(self, target: ContentRow) -> list[ContentRow]:
        if target.parent_id:
            return self.store.children(target.parent_id)
        return [
            r
            for r in self.store.all_content("page")
            if r.space_key == target.space_key and r.parent_id is None and r.status == "current"
        ]


def _checked_title(title: str | None) -> str:
    problem = title_problem(title)
    if problem is not None or title is None:
        raise bad_request(problem or "Content must have a title.")
    return title
