"""The only writer: carries out a plan against a gateway.

Pages are written on a small bounded pool as soon as their parent is (``schedule.py``). A failure
is recorded against its page, its children are reported as blocked, and the others carry on;
the caller decides the exit status from the outcomes. Every recovery path re-reads and
re-plans rather than resending a write blindly: a create that failed ambiguously looks the page
up by title first, and a 409 re-reads the page.

Write order makes an interrupted run safe to repeat: page, then labels and attachments, then
the stamp, so a stamp only ever claims what landed (see ``SyncStamp``). An update that changes
nothing but the page is one request: its version message carries the digest (``RemotePage``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import groupby

from confluence_sync import __version__
from confluence_sync.convert.canonical import same_content
from confluence_sync.errors import ConfluenceSyncError
from confluence_sync.pages import (
    DesiredPage,
    PageId,
    PageKey,
    RemotePage,
    SyncStamp,
    with_digest,
)
from confluence_sync.plan.actions import ActionKind, PageAction, Plan
from confluence_sync.plan.build import PlanOptions, RemoteState, plan_match
from confluence_sync.plan.identity import identify
from confluence_sync.plan.moves import parent_to_stamp, parent_to_write
from confluence_sync.publish.attachment_upload import sync_attachments
from confluence_sync.publish.comment_keeping import body_keeping_comments, lost_comments
from confluence_sync.publish.failures import ApiFailure
from confluence_sync.publish.gateway import Gateway, PageWrite
from confluence_sync.publish.history import (
    unstamped_is_ours,
    version_message,
    versions_are_ours,
)
from confluence_sync.publish.schedule import run_scheduled

log = logging.getLogger(__name__)
TOOL = f"confluence-sync {__version__}"
MESSAGE_LIMIT = 255  # a longer version message might be cut, losing the digest it stamps with
COMMIT_ROOM = 3 + 40  # " @ " and the longest commit name


@dataclass(frozen=True)
class Outcome:
    """What happened to one page: the action as finally carried out, or the error."""

    action: PageAction
    page_id: PageId | None = None
    url: str = ""
    error: str | None = None
    # inline comments whose marked text the written body no longer holds (comment_keeping.py)
    comments_lost: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApplyOptions:
    space: str
    labels: tuple[str, ...] = ()  # added to every page of the plan: the managed label
    force: bool = False
    adopt: bool = False
    jobs: int = 4
    message: str | None = None  # --message; else "confluence-sync: <source> @ <commit>"
    commit: str | None = None
    site: str = ""

    def labels_for(self, page: DesiredPage) -> tuple[str, ...]:
        """The page's own labels and the run's, lowercased as Confluence stores them."""
        return tuple(dict.fromkeys(label.lower() for label in (*page.labels, *self.labels)))


Progress = Callable[[Outcome], None]


def apply_plan(
    plan: Plan, gateway: Gateway, options: ApplyOptions, progress: Progress | None = None
) -> list[Outcome]:
    """Run every action of ``plan``; returns one outcome per action, in plan order."""
    applier = _Applier(plan, gateway, options)
    outcomes: dict[int, Outcome] = {}
    indexed = list(enumerate(plan.actions))
    pages = [(i, a) for i, a in indexed if a.desired is not None]
    orphans = [(i, a) for i, a in indexed if a.desired is None]

    def done(i: int, outcome: object) -> None:
        assert isinstance(outcome, Outcome)
        outcomes[i] = outcome
        if progress is not None:
            progress(outcome)

    workers = max(1, options.jobs)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        run_scheduled(pool, workers, pages, applier.run, done)
        for _, level in groupby(orphans, key=lambda item: item[1].depth):  # deepest first
            level_items = list(level)
            results = pool.map(applier.run, [a for _, a in level_items])
            for (i, _), outcome in zip(level_items, results, strict=True):
                done(i, outcome)
    return [outcomes[i] for i, _ in indexed]


_NOTHING_TO_DO = frozenset(
    {ActionKind.SKIP, ActionKind.CONFLICT, ActionKind.BLOCKED, ActionKind.ORPHAN}
)
_HAS_PAGE = frozenset({ActionKind.ADOPT, ActionKind.UPDATE, ActionKind.REPAIR, ActionKind.MOVE})


class _Applier:
    """Shared state of one run: the page ids known so far (parents created earlier) and the
    pages that failed (their children are blocked, not attempted)."""

    def __init__(self, plan: Plan, gateway: Gateway, options: ApplyOptions) -> None:
        self.gw = gateway
        self.options = options
        self.root_id = plan.root_id
        self._lock = threading.Lock()
        self._ids: dict[PageKey, PageId] = {
            a.desired.key: a.remote.id
            for a in plan.actions
            if a.desired and a.remote and (a.kind in _HAS_PAGE or a.kind is ActionKind.SKIP)
        }
        self._failed: dict[PageKey, str] = {}

    def run(self, action: PageAction) -> Outcome:
        page = action.desired
        if page is not None and page.parent in self._failed and action.kind not in _NOTHING_TO_DO:
            reason = f"skipped: its parent '{self._failed[page.parent]}' failed"
            self._mark_failed(page.key, action.title)
            return Outcome(replace(action, kind=ActionKind.BLOCKED, reason=reason))
        try:
            return self._dispatch(action)
        except ConfluenceSyncError as error:
            return self._failed_outcome(action, error.format_message())
        except Exception as error:  # a bug must not hide the other pages' results
            log.debug("unexpected failure on %s", action.source, exc_info=True)
            return self._failed_outcome(action, f"{type(error).__name__}: {error}")

    def _failed_outcome(self, action: PageAction, message: str) -> Outcome:
        if action.desired is not None:
            self._mark_failed(action.desired.key, action.title)
        remote = action.remote
        return Outcome(
            action, remote.id if remote else None, remote.url if remote else "", error=message
        )

    def _mark_failed(self, key: PageKey, title: str) -> None:
        with self._lock:
            self._failed[key] = title

    def _dispatch(self, action: PageAction, retries: int = 2) -> Outcome:
        kind = action.kind
        if kind is ActionKind.CREATE:
            return self._create(action, retries)
        if kind in (ActionKind.UPDATE, ActionKind.ADOPT):
            return self._update(action, retries)
        if kind is ActionKind.REPAIR:
            return self._repair(action)
        if kind is ActionKind.MOVE:
            return self._move(action)
        if kind is ActionKind.DELETE:
            return self._delete(action)
        remote = action.remote
        return Outcome(action, remote.id if remote else None, remote.url if remote else "")

    # helpers ---------------------------------------------------------------------------------
    def _parent_id(self, page: DesiredPage) -> PageId:
        if page.parent is None:
            return self.root_id
        with self._lock:
            found = self._ids.get(page.parent)
        if found is None:
            raise ConfluenceSyncError(f"parent {page.parent} was not written")
        return found

    def _remember(self, key: PageKey, page_id: PageId) -> None:
        with self._lock:
            self._ids[key] = page_id

    def _stamp(
        self, page: DesiredPage, version: int, remote: RemotePage | None, *, complete: bool
    ) -> SyncStamp:
        """``complete`` False: the page is written but its attachments are not up yet.
        ``remote``: the page written (None for a create, whose id the stamp cannot know yet)."""
        files = tuple(sorted(page.attachment_hashes.items())) if complete else ()
        wanted = self._parent_id(page)
        return SyncStamp(
            source=page.key,
            digest=page.digest if complete else "",
            version=version,
            tool=TOOL,
            content=page.content_digest,
            labels=self.options.labels_for(page),
            attachments=files,
            site=self.options.site,
            page_id=remote.id if remote is not None else "",
            parent=parent_to_stamp(remote, wanted, force=self.options.force),
        )

    def _write(
        self,
        page: DesiredPage,
        version: int,
        remote: RemotePage | None,
        *,
        complete: bool,
        stamps: bool = False,
        body: str | None = None,
    ) -> PageWrite:
        """``stamps``: the version message claims the page's digest (a one-request update);
        ``body``: what to send instead of the page's own (its comment markers put back). A page
        a person moved keeps its place (see ``plan/moves.py``)."""
        message = version_message(
            page.key, message=self.options.message, commit=self.options.commit
        )
        if stamps:
            message = with_digest(message, page.digest)
        return PageWrite(
            space=self.options.space,
            title=page.title,
            body=page.body if body is None else body,
            parent_id=parent_to_write(remote, self._parent_id(page), force=self.options.force),
            labels=self.options.labels_for(page),
            stamp=self._stamp(page, version, remote, complete=complete),
            message=message,
        )

    def _replan(self, action: PageAction, fresh: RemotePage, retries: int) -> Outcome:
        """Decide again for a page re-read after an ambiguous failure, by the planner's own
        rules (identity included: the page found may not be ours)."""
        page = action.desired
        assert page is not None
        managed = [fresh] if fresh.stamp is not None else []
        # another run's create between its page and its stamp: our account's, our content
        mine = fresh.stamp is None and unstamped_is_ours(self.gw, fresh, page)
        state = RemoteState(
            self.root_id,
            tuple(managed),
            (fresh,),
            frozenset({fresh.id}) if versions_are_ours(self.gw, fresh) else frozenset(),
            unfinished=frozenset({fresh.id}) if mine else frozenset(),
        )
        site = self.options.site
        match = identify(
            [page],
            state.managed,
            state.titled,
            adopt=self.options.adopt,
            site=site,
            unfinished=state.unfinished,
        )
        options = PlanOptions(force=self.options.force, adopt=self.options.adopt, site=site)
        parent = self.root_id if page.parent is None else self._ids.get(page.parent)
        again = replace(
            plan_match(page, match.matches[page.key], state, options, parent), depth=action.depth
        )
        if retries <= 0 and again.writes:
            raise ConfluenceSyncError(f"{action.title}: the page keeps changing; try again")
        if again.remote is not None and again.kind in _HAS_PAGE | {ActionKind.SKIP}:
            self._remember(page.key, again.remote.id)
        return self._dispatch(again, retries - 1)

    # actions -----------------------------------------------------------------------------------
    def _create(self, action: PageAction, retries: int) -> Outcome:
        page = action.desired
        assert page is not None
        write = self._write(page, 1, None, complete=not page.attachments)
        try:
            created = self.gw.create_page(write)
        except ApiFailure as failure:
            if not (failure.is_duplicate_title or failure.server_or_network):
                raise
            return self._recover_create(action, failure, retries)
        self._remember(page.key, created.id)
        if page.attachments:
            sync_attachments(self.gw, created.id, page.attachments, fresh=True)
            final = self._stamp(page, created.version or 1, created, complete=True)
            self._set_stamp(created.id, final, created.stamp_version or 1)
        return Outcome(action, created.id, created.url)

    def _recover_create(self, action: PageAction, failure: ApiFailure, retries: int) -> Outcome:
        """The create may have landed (a 5xx after the write), or the title is taken (another
        run, a page written by hand): look the page up and decide again."""
        page = action.desired
        assert page is not None
        found = self.gw.find_page(self.options.space, page.title)
        if found is None:
            raise failure
        outcome = self._replan(action, found, retries)
        ours_landed = failure.server_or_network and found.version == 1
        finished = (ActionKind.SKIP, ActionKind.REPAIR, ActionKind.ADOPT)
        if ours_landed and outcome.error is None and outcome.action.kind in finished:
            return replace(outcome, action=action)  # it was our own create after all
        return outcome

    def _update(self, action: PageAction, retries: int) -> Outcome:
        page, remote = action.desired, action.remote
        assert page is not None and remote is not None
        version = remote.version + 1
        one_write = self._page_only(page, remote)
        if one_write and page.attachments:  # restore any the wiki lost before claiming them
            sync_attachments(self.gw, remote.id, page.attachments, fresh=False)
        kept = body_keeping_comments(self.gw, remote.id, page.body)
        write = self._write(page, version, remote, complete=True, stamps=one_write, body=kept.body)
        try:
            updated = self.gw.update_page(remote.id, version, write)
        except ApiFailure as failure:
            if not (failure.is_conflict or failure.server_or_network):
                raise
            return self._recover_update(action, failure, retries)
        self._remember(page.key, remote.id)
        if not one_write:
            self._finish(page, remote, updated.version or version)
        url = updated.url or remote.url
        return Outcome(action, remote.id, url, comments_lost=lost_comments(kept))

    def _page_only(self, page: DesiredPage, remote: RemotePage) -> bool:
        """True when the stamp already holds everything but the page itself (labels, uploads,
        source, site): the update then stamps itself through its version message, in one
        request, and the content property is left as it is."""
        stamp = remote.stamp
        if stamp is None or not stamp.digest:
            return False
        labels = self.options.labels_for(page)
        message = version_message(page.key, message=self.options.message, commit=None)
        return (
            len(with_digest(message, page.digest)) + COMMIT_ROOM <= MESSAGE_LIMIT
            and stamp.source == page.key
            and stamp.site == self.options.site
            and stamp.page_id in ("", remote.id)
            and stamp.parent == self._stamp(page, remote.version, remote, complete=True).parent
            and stamp.labels == labels
            and set(labels) <= set(remote.labels)
            and stamp.attachment_hashes == page.attachment_hashes
        )

    def _recover_update(self, action: PageAction, failure: ApiFailure, retries: int) -> Outcome:
        """409: someone wrote in between; 5xx: our write may have landed. Either way re-read;
        if the new version has exactly our body it was ours, otherwise re-plan the page."""
        page, remote = action.desired, action.remote
        assert page is not None and remote is not None
        fresh = self.gw.page(remote.id)
        ours = fresh.version == remote.version + 1 and not failure.is_conflict
        if ours and same_content(self.gw.page_body(remote.id), page.body):
            self._remember(page.key, remote.id)
            if fresh.stamp is None or fresh.stamp.version != fresh.version:
                self._finish(page, remote, fresh.version)  # not stamped by its message
            return Outcome(action, remote.id, fresh.url or remote.url)
        log.info("re-planning %s after %s", page.key, failure)
        return self._replan(action, fresh, retries)

    def _finish(self, page: DesiredPage, remote: RemotePage, version: int) -> None:
        """After the page write: labels, attachments, and last the stamp that claims them."""
        labels = self.options.labels_for(page)
        if not set(labels) <= set(remote.labels):
            self.gw.set_labels(remote.id, labels)
        owned = remote.stamp.labels if remote.stamp else ()
        dropped = [name for name in owned if name not in labels and name in remote.labels]
        if dropped:
            self.gw.remove_labels(remote.id, dropped)
        if page.attachments:
            sync_attachments(self.gw, remote.id, page.attachments, fresh=False)
        final = self._stamp(page, version, remote, complete=True)
        self._set_stamp(remote.id, final, remote.stamp_version)

    def _repair(self, action: PageAction) -> Outcome:
        """The page is right; its labels, attachments or stamp are not."""
        page, remote = action.desired, action.remote
        assert page is not None and remote is not None
        labels = self.options.labels_for(page)
        if not set(labels) <= set(remote.labels):  # a person removed the managed label
            self.gw.set_labels(remote.id, labels)
        sync_attachments(self.gw, remote.id, page.attachments, fresh=False)
        final = self._stamp(page, remote.version, remote, complete=True)
        self._set_stamp(remote.id, final, remote.stamp_version)
        return Outcome(action, remote.id, remote.url)

    def _set_stamp(self, page_id: PageId, stamp: SyncStamp, stamp_version: int | None) -> None:
        try:
            self.gw.set_stamp(page_id, stamp, stamp_version)
        except ApiFailure as failure:
            # A 400 on creating it: an earlier attempt whose answer was lost already did.
            created_before = failure.status == 400 and stamp_version is None
            if not (failure.server_or_network or failure.is_conflict or created_before):
                raise
            fresh = self.gw.page(page_id)
            if fresh.stamp != stamp:
                self.gw.set_stamp(page_id, stamp, fresh.stamp_version)

    def _move(self, action: PageAction) -> Outcome:
        page, remote = action.desired, action.remote
        assert page is not None and remote is not None
        self.gw.move_page(remote.id, self._parent_id(page))
        if remote.stamp is not None and remote.stamp.digest == page.digest:
            # the stamp records where we placed the page: a move of ours is no person's move
            moved = replace(remote, parent_id=self._parent_id(page))
            final = self._stamp(page, remote.version, moved, complete=True)
            self._set_stamp(remote.id, final, remote.stamp_version)
        return Outcome(action, remote.id, remote.url)

    def _delete(self, action: PageAction) -> Outcome:
        remote = action.remote
        assert remote is not None
        if self.gw.child_ids(remote.id):
            kept = replace(
                action,
                kind=ActionKind.ORPHAN,
                reason="source removed; not pruned: it has pages we do not manage",
            )
            return Outcome(kept, remote.id, remote.url)
        self.gw.delete_page(remote.id)
        return Outcome(action, remote.id, remote.url)
