"""The only writer: carries out a plan against a gateway.

Pages are written level by level (parents before children) on a small bounded pool. A failure
is recorded against its page and the others carry on; the caller decides the exit status from
the outcomes. Every recovery path re-reads and re-plans rather than resending a write blindly:
a create that failed ambiguously looks the page up by title first, and a 409 re-reads the page.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import groupby

from confluence_sync import __version__
from confluence_sync.convert.canonical import same_content
from confluence_sync.errors import ConfluenceSyncError
from confluence_sync.plan.actions import ActionKind, PageAction, Plan
from confluence_sync.plan.build import plan_page
from confluence_sync.plan.model import DesiredPage, PageId, PageKey, RemotePage, SyncStamp
from confluence_sync.publish.attachments import sync_attachments
from confluence_sync.publish.failures import ApiFailure
from confluence_sync.publish.gateway import Gateway, PageWrite

log = logging.getLogger(__name__)
TOOL = f"confluence-sync {__version__}"


@dataclass(frozen=True)
class Outcome:
    """What happened to one page: the action as finally carried out, or the error."""

    action: PageAction
    page_id: PageId | None = None
    url: str = ""
    error: str | None = None


@dataclass(frozen=True)
class ApplyOptions:
    space: str
    labels: tuple[str, ...] = ()  # added to every managed page, the managed label included
    force: bool = False
    jobs: int = 4
    message: str | None = None  # --message; else "confluence-sync: <source> @ <commit>"
    commit: str | None = None


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
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        for _, level in groupby(pages, key=lambda item: item[1].depth):
            _run_level(pool, applier, list(level), outcomes, progress)
        for _, level in groupby(orphans, key=lambda item: item[1].depth):
            _run_level(pool, applier, list(level), outcomes, progress)
    return [outcomes[i] for i, _ in indexed]


def _run_level(
    pool: ThreadPoolExecutor,
    applier: _Applier,
    level: Sequence[tuple[int, PageAction]],
    outcomes: dict[int, Outcome],
    progress: Progress | None,
) -> None:
    futures = [
        (indices, pool.submit(_run_group, applier, group)) for indices, group in _groups(level)
    ]
    for indices, future in futures:
        for i, outcome in zip(indices, future.result(), strict=False):
            outcomes[i] = outcome
            if progress is not None:
                progress(outcome)


def _groups(level: Sequence[tuple[int, PageAction]]) -> list[tuple[list[int], list[PageAction]]]:
    """Creates under one parent run one after another, in the site's order (weight, then title),
    because Confluence lists a page's children in the order they were created; every other
    action runs on its own."""
    groups: dict[tuple[str, object], tuple[list[int], list[PageAction]]] = {}
    for i, action in level:
        parent = action.desired.parent if action.desired else None
        key = ("create", parent) if action.kind is ActionKind.CREATE else ("single", i)
        indices, actions = groups.setdefault(key, ([], []))
        indices.append(i)
        actions.append(action)
    return list(groups.values())


def _run_group(applier: _Applier, actions: Sequence[PageAction]) -> list[Outcome]:
    return [applier.run(action) for action in actions]


def version_message(source: str, options: ApplyOptions) -> str:
    if options.message:
        return options.message
    suffix = f" @ {options.commit}" if options.commit else ""
    return f"confluence-sync: {source}{suffix}"


class _Applier:
    """Shared state of one run: the page ids known so far (parents created earlier)."""

    def __init__(self, plan: Plan, gateway: Gateway, options: ApplyOptions) -> None:
        self.gw = gateway
        self.options = options
        self.root_id = plan.root_id
        self._lock = threading.Lock()
        self._ids: dict[PageKey, PageId] = {
            a.desired.key: a.remote.id for a in plan.actions if a.desired and a.remote
        }

    def run(self, action: PageAction) -> Outcome:
        try:
            return self._dispatch(action)
        except ConfluenceSyncError as error:
            return self._failed(action, error.format_message())
        except Exception as error:  # a bug must not hide the other pages' results
            log.debug("unexpected failure on %s", action.source, exc_info=True)
            return self._failed(action, f"{type(error).__name__}: {error}")

    def _failed(self, action: PageAction, message: str) -> Outcome:
        remote = action.remote
        return Outcome(
            action, remote.id if remote else None, remote.url if remote else "", error=message
        )

    def _dispatch(self, action: PageAction, retries: int = 2) -> Outcome:
        kind = action.kind
        if kind is ActionKind.CREATE:
            return self._create(action, retries)
        if kind is ActionKind.UPDATE:
            return self._update(action, retries)
        if kind is ActionKind.MOVE:
            return self._move(action)
        if kind is ActionKind.DELETE:
            return self._delete(action)
        if kind is ActionKind.CONFLICT and self._interrupted_write(action):
            assert action.remote is not None and action.remote.stamp is not None
            caught_up = replace(action.remote.stamp, digest="", version=action.remote.version)
            resumed = replace(
                action,
                kind=ActionKind.UPDATE,
                reason="finishing an interrupted write",
                remote=replace(action.remote, stamp=caught_up),
            )
            return self._update(resumed, retries)
        remote = action.remote
        return Outcome(action, remote.id if remote else None, remote.url if remote else "")

    # helpers ---------------------------------------------------------------------------------
    def _interrupted_write(self, action: PageAction) -> bool:
        """A run killed between writing a page and writing its stamp leaves the version one
        ahead of the stamp, with our version message on it: that is not someone else's edit."""
        remote = action.remote
        if action.desired is None or remote is None or remote.stamp is None:
            return False
        if remote.version != remote.stamp.version + 1:
            return False
        message = self.gw.version_message(remote.id)
        ours = version_message(remote.stamp.source, replace(self.options, commit=None))
        return (
            message == self.options.message
            if self.options.message
            else (message == ours or message.startswith(ours + " @ "))
        )

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

    def _write(self, page: DesiredPage, version: int) -> PageWrite:
        labels = tuple(dict.fromkeys((*page.labels, *self.options.labels)))
        stamp = SyncStamp(source=page.key, digest=page.digest, version=version, tool=TOOL)
        return PageWrite(
            space=self.options.space,
            title=page.title,
            body=page.body,
            parent_id=self._parent_id(page),
            labels=labels,
            stamp=stamp,
            message=version_message(page.key, self.options),
        )

    def _replan(self, action: PageAction, fresh: RemotePage, retries: int) -> Outcome:
        assert action.desired is not None
        page = action.desired
        parent = self.root_id if page.parent is None else self._ids.get(page.parent)
        again = plan_page(page, fresh, parent, force=self.options.force, depth=action.depth)
        if retries <= 0 and again.writes:
            raise ConfluenceSyncError(f"{action.title}: the page keeps changing; try again")
        return self._dispatch(again, retries - 1)

    # actions -----------------------------------------------------------------------------------
    def _create(self, action: PageAction, retries: int) -> Outcome:
        page = action.desired
        assert page is not None
        write = self._write(page, 1)
        try:
            created = self.gw.create_page(write)
        except ApiFailure as failure:
            if not (failure.is_duplicate_title or failure.server_or_network):
                raise
            return self._recover_create(action, failure, retries)
        self._remember(page.key, created.id)
        sync_attachments(self.gw, created.id, page.attachments, fresh=True)
        return Outcome(action, created.id, created.url)

    def _recover_create(self, action: PageAction, failure: ApiFailure, retries: int) -> Outcome:
        """The create may have landed (a 5xx after the write) or the title is taken: look the
        page up and adopt it when it is ours or sits under our root."""
        page = action.desired
        assert page is not None
        found = self.gw.find_page(self.options.space, page.title)
        if found is None:
            raise failure
        if found.stamp is not None and found.stamp.source != page.key:
            return self._conflict(action, found, f"title used by managed page {found.stamp.source}")
        if found.stamp is None and self.root_id not in self.gw.ancestor_ids(found.id):
            return self._conflict(action, found, "a page with this title exists, not managed")
        self._remember(page.key, found.id)
        if found.stamp is None:
            adopted = replace(
                action,
                kind=ActionKind.UPDATE,
                remote=found,
                reason="adopted an existing page under the root",
            )
            return self._update(adopted, retries)
        outcome = self._replan(action, found, retries)
        if outcome.action.kind is ActionKind.SKIP:  # our create had landed after all
            sync_attachments(self.gw, found.id, page.attachments, fresh=False)
            return Outcome(action, found.id, found.url)
        return outcome

    def _conflict(self, action: PageAction, found: RemotePage, reason: str) -> Outcome:
        conflict = replace(action, kind=ActionKind.CONFLICT, remote=found, reason=reason)
        return Outcome(conflict, found.id, found.url)

    def _update(self, action: PageAction, retries: int) -> Outcome:
        page, remote = action.desired, action.remote
        assert page is not None and remote is not None
        write = self._write(page, remote.version + 1)
        try:
            updated = self.gw.update_page(remote.id, remote.version + 1, write)
        except ApiFailure as failure:
            if not (failure.is_conflict or failure.server_or_network):
                raise
            return self._recover_update(action, failure, retries)
        self._finish_update(page, remote, write, updated)
        return Outcome(action, remote.id, updated.url or remote.url)

    def _recover_update(self, action: PageAction, failure: ApiFailure, retries: int) -> Outcome:
        """409: someone wrote in between; 5xx: our write may have landed. Either way re-read;
        if the new version has exactly our body it was ours, otherwise re-plan the page."""
        page, remote = action.desired, action.remote
        assert page is not None and remote is not None
        fresh = self.gw.page(remote.id)
        ours = fresh.version == remote.version + 1 and not failure.is_conflict
        if ours and same_content(self.gw.page_body(remote.id), page.body):
            write = self._write(page, fresh.version)
            self._finish_update(page, remote, write, fresh)
            return Outcome(action, remote.id, fresh.url or remote.url)
        log.info("re-planning %s after %s", page.key, failure)
        if fresh.stamp is None:  # an adopted page: keep treating it as one
            fresh = replace(fresh, stamp=SyncStamp(page.key, "", fresh.version, TOOL))
        return self._replan(action, fresh, retries)

    def _finish_update(
        self, page: DesiredPage, remote: RemotePage, write: PageWrite, updated: RemotePage
    ) -> None:
        stamp = replace(write.stamp, version=updated.version or write.stamp.version)
        self._set_stamp(remote.id, stamp, remote.stamp_version)
        if not set(write.labels) <= set(remote.labels):
            self.gw.set_labels(remote.id, write.labels)
        if page.attachments:
            sync_attachments(self.gw, remote.id, page.attachments, fresh=False)

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
