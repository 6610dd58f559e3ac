"""The order in which the applier runs a plan's page actions: as much at once as the rules allow.

Two rules constrain it. A page waits for its parent's action (it needs the parent's id, and a
parent that failed blocks it). Creates under one parent run one after another in the plan's
order, because Confluence lists children in creation order. Everything else may run at once, so
instead of level-by-level waves (where one long chain of creates idles every other worker) the
scheduler keeps a queue of ready actions and hands the next one to a worker as soon as one is
free, longest remaining path first, so the chains that bound the run's length start early.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from confluence_sync.pages import PageKey
from confluence_sync.plan.actions import ActionKind, PageAction

_FREE = frozenset({ActionKind.SKIP, ActionKind.CONFLICT, ActionKind.BLOCKED, ActionKind.ORPHAN})


@dataclass
class _Task:
    """One page action with what it waits for and what waits for it."""

    index: int
    action: PageAction
    waiting: int = 0  # unfinished prerequisites (parent action, previous create in its chain)
    then: list[int] = field(default_factory=list)  # tasks this one releases when done
    length: int = 0  # requests on the longest path from here to the end (priority)


def build_tasks(items: Sequence[tuple[int, PageAction]]) -> dict[int, _Task]:
    """Tasks for the page actions of a plan, linked to their parent's action and to the
    previous create under the same parent."""
    tasks = {i: _Task(i, action) for i, action in items}
    by_key = {a.desired.key: i for i, a in items if a.desired is not None}
    last_create: dict[PageKey | None, int] = {}
    for i, action in items:
        page = action.desired
        assert page is not None
        before = set()
        if page.parent is not None and page.parent in by_key and by_key[page.parent] != i:
            before.add(by_key[page.parent])
        if action.kind is ActionKind.CREATE:
            if page.parent in last_create:
                before.add(last_create[page.parent])
            last_create[page.parent] = i
        for earlier in before:
            tasks[earlier].then.append(i)
        tasks[i].waiting = len(before)
    for i in reversed([i for i, _ in items]):  # plan order puts prerequisites first
        task = tasks[i]
        after = max((tasks[j].length for j in task.then), default=0)
        task.length = _cost(task.action) + after
    return tasks


def _cost(action: PageAction) -> int:
    """Rough requests an action makes: the page write plus its uploads."""
    if action.kind in _FREE:
        return 0
    page = action.desired
    return 1 + (len(page.attachments) if page is not None else 0)


def run_scheduled(
    pool: ThreadPoolExecutor,
    workers: int,
    items: Sequence[tuple[int, PageAction]],
    run: Callable[[PageAction], object],
    done: Callable[[int, object], None],
) -> None:
    """Run every action with at most ``workers`` in flight; ``done`` hears each result (in
    completion order) before the actions it releases start."""
    tasks = build_tasks(items)
    ready: list[tuple[int, int]] = [(-t.length, i) for i, t in tasks.items() if t.waiting == 0]
    heapq.heapify(ready)
    running: dict[Future[object], int] = {}

    def finish(i: int, result: object) -> None:
        done(i, result)
        for j in tasks[i].then:
            tasks[j].waiting -= 1
            if tasks[j].waiting == 0:
                heapq.heappush(ready, (-tasks[j].length, j))

    while ready or running:
        while ready and len(running) < max(1, workers):
            _, i = heapq.heappop(ready)
            action = tasks[i].action
            if action.kind in _FREE:  # nothing to send: decided here, no worker needed
                finish(i, run(action))
                continue
            running[pool.submit(run, action)] = i
        if running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                finish(running.pop(future), future.result())
