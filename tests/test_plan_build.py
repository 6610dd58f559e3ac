"""The planner's rules, on values: no wiki needed because ``build_plan`` is pure."""

from __future__ import annotations

from dataclasses import replace

from confluence_sync.plan.actions import ActionKind
from confluence_sync.plan.build import build_plan
from confluence_sync.plan.model import DesiredPage, PageId, PageKey, RemotePage, SyncStamp

ROOT = PageId("1")


def page(key: str, title: str, body: str = "<p>x</p>", parent: str | None = None) -> DesiredPage:
    return DesiredPage(PageKey(key), title, body, PageKey(parent) if parent else None)


def remote_for(
    desired: DesiredPage,
    page_id: str,
    parent_id: str = "1",
    *,
    version: int = 3,
    stamp_version: int | None = None,
    title: str | None = None,
) -> RemotePage:
    stamp = SyncStamp(desired.key, desired.digest, stamp_version or version, "t")
    return RemotePage(
        PageId(page_id),
        title or desired.title,
        version,
        PageId(parent_id),
        stamp=stamp,
        stamp_version=1,
        last_editor="Jane Doe",
        last_edited="2026-11-27T10:00:00Z",
    )


def kinds(plan) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {a.title: a.kind.value for a in plan.actions}


def test_new_site_is_created_parents_first() -> None:
    child = page("c/b.md", "B", parent="c/index.md")
    top = page("c/index.md", "Top")
    plan = build_plan([child, top], [], root_id=ROOT)
    assert [a.title for a in plan.actions] == ["Top", "B"]
    assert {a.kind for a in plan.actions} == {ActionKind.CREATE}
    assert [a.depth for a in plan.actions] == [0, 1]


def test_unchanged_pages_are_skipped_without_reading_bodies() -> None:
    top = page("c/index.md", "Top")
    child = page("c/b.md", "B", parent="c/index.md")
    remote = [remote_for(top, "10"), remote_for(child, "11", parent_id="10")]
    plan = build_plan([top, child], remote, root_id=ROOT)
    assert kinds(plan) == {"Top": "skip", "B": "skip"}
    assert plan.writes == 0


def test_changed_body_is_an_update_and_rename_keeps_identity() -> None:
    old = page("c/a.md", "Old title")
    new = page("c/a.md", "New title", body="<p>changed</p>")
    plan = build_plan([new], [remote_for(old, "10")], root_id=ROOT)
    (action,) = plan.actions
    assert action.kind is ActionKind.UPDATE
    assert action.remote is not None and action.remote.id == "10"
    assert "renamed from 'Old title'" in action.reason


def test_wiki_edit_is_a_conflict_with_who_and_when_unless_forced() -> None:
    desired = page("c/a.md", "A", body="<p>new</p>")
    edited = remote_for(page("c/a.md", "A"), "10", version=4, stamp_version=3)
    (action,) = build_plan([desired], [edited], root_id=ROOT).actions
    assert action.kind is ActionKind.CONFLICT
    assert "Jane Doe" in action.reason and "2026-11-27T10:00:00Z" in action.reason
    (forced,) = build_plan([desired], [edited], root_id=ROOT, force=True).actions
    assert forced.kind is ActionKind.UPDATE and "--force" in forced.reason


def test_unfinished_earlier_write_is_redone_not_a_conflict() -> None:
    desired = page("c/a.md", "A")
    behind = remote_for(desired, "10", version=3, stamp_version=4)
    (action,) = build_plan([desired], [behind], root_id=ROOT).actions
    assert action.kind is ActionKind.UPDATE


def test_parent_moved_in_wiki_is_a_move() -> None:
    desired = page("c/a.md", "A")
    moved = remote_for(desired, "10", parent_id="99")
    (action,) = build_plan([desired], [moved], root_id=ROOT).actions
    assert action.kind is ActionKind.MOVE


def test_orphans_reported_and_pruned_deepest_first() -> None:
    gone_parent = remote_for(page("c/old/index.md", "Old"), "20")
    gone_child = remote_for(page("c/old/x.md", "Old child"), "21", parent_id="20")
    unmanaged = RemotePage(PageId("30"), "Hand made", 1, ROOT, labels=("confluence-sync",))
    plan = build_plan([], [gone_parent, gone_child, unmanaged], root_id=ROOT)
    assert kinds(plan) == {"Old": "orphan", "Old child": "orphan"}  # unstamped: not ours
    pruned = build_plan([], [gone_parent, gone_child], root_id=ROOT, prune=True)
    assert [(a.title, a.kind.value) for a in pruned.actions] == [
        ("Old child", "delete"),
        ("Old", "delete"),
    ]


def test_two_pages_claiming_one_source_keep_the_newest() -> None:
    desired = page("c/a.md", "A")
    older = remote_for(desired, "10", version=1)
    newer = replace(remote_for(desired, "11", version=2), title="A copy")
    plan = build_plan([desired], [older, newer], root_id=ROOT)
    assert [(a.kind.value, a.remote.id if a.remote else None) for a in plan.actions] == [
        ("skip", "11"),
        ("orphan", "10"),
    ]
