"""The applier's scheduler: a child starts as soon as its parent exists, creates under one
parent keep the guide's order, and outcomes still come back for every action."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from confluence_sync.pages import DesiredPage, PageKey
from confluence_sync.plan.actions import ActionKind, PageAction
from confluence_sync.publish.schedule import run_scheduled


def create(key: str, parent: str | None, kind: ActionKind = ActionKind.CREATE) -> PageAction:
    page = DesiredPage(PageKey(key), key, "<p/>", PageKey(parent) if parent else None)
    return PageAction(kind, key, key, "new page", page)


def run_all(actions: list[PageAction], workers: int, run: Callable[[PageAction], str]) -> list[str]:
    finished: list[str] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        run_scheduled(
            pool,
            workers,
            list(enumerate(actions)),
            run,
            lambda i, result: finished.append(actions[i].source),
        )
    return finished


def test_a_child_starts_while_its_parents_siblings_are_still_being_created() -> None:
    """With waves, 'a/1' could only start after every section exists; here section 'b' waits
    for 'a/1' to have started, which only a scheduler over per-parent chains allows."""
    child_started = threading.Event()
    waited: list[bool] = []

    def run(action: PageAction) -> str:
        if action.source == "a/1":
            child_started.set()
        if action.source == "b":
            waited.append(child_started.wait(timeout=10))
        return action.source

    actions = [
        create("top", None),
        create("a", "top"),
        create("b", "top"),
        create("a/1", "a"),
        create("b/1", "b"),
    ]
    finished = run_all(actions, 2, run)
    assert waited == [True]
    assert sorted(finished) == sorted(a.source for a in actions)


def test_creates_under_one_parent_run_in_order_one_at_a_time() -> None:
    lock = threading.Lock()
    active: list[str] = []
    overlaps: list[tuple[str, str]] = []
    order: list[str] = []

    def run(action: PageAction) -> str:
        with lock:
            overlaps.extend((other, action.source) for other in active if other.startswith("c"))
            active.append(action.source)
            order.append(action.source)
        threading.Event().wait(0.01)
        with lock:
            active.remove(action.source)
        return action.source

    siblings = [create(f"c{i}", None) for i in range(6)]
    updates = [create(f"u{i}", None, ActionKind.UPDATE) for i in range(6)]
    run_all([*siblings, *updates], 4, run)
    assert [s for s in order if s.startswith("c")] == [f"c{i}" for i in range(6)]
    assert [pair for pair in overlaps if pair[1].startswith("c")] == []
