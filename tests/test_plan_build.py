"""The planner's rules, on values: no wiki needed because ``build_plan`` is pure."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from confluence_sync.pages import DesiredPage, PageId, PageKey, RemotePage, SyncStamp
from confluence_sync.plan.actions import ActionKind
from confluence_sync.plan.build import PlanOptions, RemoteState, build_plan

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


def plan_of(desired, remote, titled=(), **options):  # type: ignore[no-untyped-def]
    state = RemoteState(ROOT, tuple(remote), tuple(titled))
    return build_plan(desired, state, PlanOptions(**options))


def kinds(plan) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {a.title: a.kind.value for a in plan.actions}


def test_new_site_is_created_parents_first() -> None:
    child = page("c/b.md", "B", parent="c/index.md")
    top = page("c/index.md", "Top")
    plan = plan_of([child, top], [])
    assert [a.title for a in plan.actions] == ["Top", "B"]
    assert {a.kind for a in plan.actions} == {ActionKind.CREATE}
    assert [a.depth for a in plan.actions] == [0, 1]


def test_unchanged_pages_are_skipped_without_reading_bodies() -> None:
    top = page("c/index.md", "Top")
    child = page("c/b.md", "B", parent="c/index.md")
    remote = [remote_for(top, "10"), remote_for(child, "11", parent_id="10")]
    plan = plan_of([top, child], remote)
    assert kinds(plan) == {"Top": "skip", "B": "skip"}
    assert plan.writes == 0


def test_changed_body_is_an_update_and_rename_keeps_identity() -> None:
    old = page("c/a.md", "Old title")
    new = page("c/a.md", "New title", body="<p>changed</p>")
    plan = plan_of([new], [remote_for(old, "10")])
    (action,) = plan.actions
    assert action.kind is ActionKind.UPDATE
    assert action.remote is not None and action.remote.id == "10"
    assert "renamed from 'Old title'" in action.reason


def test_wiki_edit_is_a_conflict_with_who_and_when_unless_forced() -> None:
    desired = page("c/a.md", "A", body="<p>new</p>")
    edited = remote_for(page("c/a.md", "A"), "10", version=4, stamp_version=3)
    (action,) = plan_of([desired], [edited]).actions
    assert action.kind is ActionKind.CONFLICT
    assert "Jane Doe" in action.reason and "2026-11-27T10:00:00Z" in action.reason
    (forced,) = plan_of([desired], [edited], force=True).actions
    assert forced.kind is ActionKind.UPDATE and "--force" in forced.reason


def test_a_stamp_ahead_of_its_page_is_damaged_left_alone_unless_forced() -> None:
    desired = page("c/a.md", "A")
    behind = remote_for(desired, "10", version=3, stamp_version=4)
    (action,) = plan_of([desired], [behind]).actions
    assert action.kind is ActionKind.CONFLICT and "stamp damaged" in action.reason
    (forced,) = plan_of([desired], [behind], force=True).actions
    assert forced.kind is ActionKind.UPDATE


def test_parent_moved_in_wiki_is_a_move() -> None:
    desired = page("c/a.md", "A")
    moved = remote_for(desired, "10", parent_id="99")
    (action,) = plan_of([desired], [moved]).actions
    assert action.kind is ActionKind.MOVE


def test_orphans_reported_and_pruned_deepest_first() -> None:
    gone_parent = remote_for(page("c/old/index.md", "Old"), "20")
    gone_child = remote_for(page("c/old/x.md", "Old child"), "21", parent_id="20")
    unmanaged = RemotePage(PageId("30"), "Hand made", 1, ROOT, labels=("confluence-sync",))
    plan = plan_of([], [gone_parent, gone_child, unmanaged])
    assert kinds(plan) == {"Old": "orphan", "Old child": "orphan"}  # unstamped: not ours
    pruned = plan_of([], [gone_parent, gone_child], prune=True)
    assert [(a.title, a.kind.value) for a in pruned.actions] == [
        ("Old child", "delete"),
        ("Old", "delete"),
    ]


def test_two_pages_claiming_one_source_are_damaged_neither_written_nor_pruned() -> None:
    desired = page("c/a.md", "A")
    older = remote_for(desired, "10", version=1)
    newer = replace(remote_for(desired, "11", version=2), title="A copy")
    plan = plan_of([desired], [older, newer], prune=True)
    (action,) = plan.actions
    assert action.kind is ActionKind.CONFLICT and "stamp damaged" in action.reason
    assert "id 10" in action.reason and "id 11" in action.reason
    gone = plan_of([], [older, newer], prune=True)
    assert {a.kind for a in gone.actions} == {ActionKind.ORPHAN}


def hand_written(title: str, page_id: str = "50", parent_id: str = "1") -> RemotePage:
    return RemotePage(
        PageId(page_id),
        title,
        4,
        PageId(parent_id),
        last_editor="Sam Lee",
        last_edited="2026-11-02T09:00:00Z",
        url=f"https://wiki/x/{page_id}",
    )


def test_a_hand_written_page_with_a_guide_title_is_a_conflict_naming_it_and_the_flag() -> None:
    top = page("c/index.md", "Top")
    child = page("c/examples.md", "examples", parent="c/index.md")  # titles match casefolded
    grandchild = page("c/examples/one.md", "One", parent="c/examples.md")
    plan = plan_of([top, child, grandchild], [], titled=[hand_written("Examples", parent_id="77")])
    assert kinds(plan) == {"Top": "create", "examples": "conflict", "One": "blocked"}
    conflict = plan.actions[1]
    for words in ("Examples", "id 50", "https://wiki/x/50", "Sam Lee", "2026-11-02", "--adopt"):
        assert words in conflict.reason
    assert "'examples'" in plan.actions[2].reason and "not written" in plan.actions[2].reason


def test_adopt_takes_the_page_over_and_says_when_it_moves_it() -> None:
    desired = page("c/examples.md", "Examples")
    (here,) = plan_of([desired], [], titled=[hand_written("Examples")], adopt=True).actions
    assert here.kind is ActionKind.ADOPT and "moves" not in here.reason
    elsewhere = hand_written("Examples", parent_id="77")
    (moved,) = plan_of([desired], [], titled=[elsewhere], adopt=True).actions
    assert moved.kind is ActionKind.ADOPT and "moves it under its parent" in moved.reason
    assert moved.remote is not None and moved.remote.id == "50"


def test_a_title_held_by_another_source_of_ours_is_a_conflict_not_an_adoption() -> None:
    a = page("c/a.md", "A")
    b = page("c/b.md", "Shared")
    holder = remote_for(page("c/a.md", "Shared"), "10")  # c/a.md still wanted, but retitled
    plan = plan_of([a, b], [holder], adopt=True)
    assert kinds(plan)["Shared"] == "conflict"
    assert "c/a.md" in plan.actions[1].reason


def test_a_moved_source_keeps_its_page() -> None:
    moved = page("c/new/place.md", "Guide")
    old = remote_for(page("c/old/place.md", "Guide"), "10")
    plan = plan_of([moved], [old])
    (action,) = plan.actions
    assert action.kind is ActionKind.REPAIR and action.remote is not None  # restamped only
    assert action.remote.id == "10" and "source moved from c/old/place.md" in action.reason
    edited = replace(moved, body="<p>new</p>", digest="")
    (update,) = plan_of([edited], [old]).actions
    assert update.kind is ActionKind.UPDATE and update.remote == old


def test_own_interrupted_write_is_finished_not_a_conflict() -> None:
    desired = page("c/a.md", "A")
    ahead = remote_for(desired, "10", version=6, stamp_version=3)
    state = RemoteState(ROOT, (ahead,), ours_since_stamp=frozenset({PageId("10")}))
    (action,) = build_plan([desired], state).actions
    assert action.kind is ActionKind.UPDATE and "interrupted" in action.reason


def test_attachments_that_did_not_finish_are_repaired_without_a_page_write() -> None:
    from confluence_sync.pages import AttachmentFile

    files = (AttachmentFile("t.png", Path("t.png"), "abc"),)
    desired = DesiredPage(PageKey("c/a.md"), "A", "<p>x</p>", attachments=files)
    pending = SyncStamp(desired.key, "", 1, "t", content=desired.content_digest)
    remote = RemotePage(PageId("10"), "A", 1, ROOT, stamp=pending, stamp_version=1)
    (action,) = plan_of([desired], [remote]).actions
    assert action.kind is ActionKind.REPAIR
    done = replace(remote, stamp=replace(pending, digest=desired.digest))
    state = RemoteState(ROOT, (done,), attachments={PageId("10"): {"t.png": "other"}})
    (again,) = build_plan([desired], state).actions
    assert again.kind is ActionKind.REPAIR and "t.png" in again.reason
    agreed = RemoteState(ROOT, (done,), attachments={PageId("10"): {"t.png": "abc"}})
    assert build_plan([desired], agreed).actions[0].kind is ActionKind.SKIP


@settings(max_examples=200, deadline=None)
@given(
    version=st.integers(1, 6),
    stamp_version=st.integers(1, 8),
    by_us=st.booleans(),
    stamped_id=st.sampled_from(["", "10", "77"]),
    message=st.sampled_from(["", "confluence-sync: c/a.md (digest " + "0" * 64 + ")"]),
    wanted=st.booleans(),
    force=st.booleans(),
)
def test_a_version_another_account_wrote_is_never_skipped_nor_pruned_as_ours(
    version: int,
    stamp_version: int,
    by_us: bool,
    stamped_id: str,
    message: str,
    wanted: bool,
    force: bool,
) -> None:
    """Whatever the stamp and the version message claim, a page whose current version someone
    else wrote is never "unchanged", never restamped as ours, and never pruned without
    ``--force``: provenance comes from the version's author, the stamp only agrees with it."""
    desired = page("c/a.md", "A")
    stamp = SyncStamp(desired.key, desired.digest, stamp_version, "t", page_id=stamped_id)
    remote = RemotePage(PageId("10"), "A", version, ROOT, stamp=stamp, by_us=by_us, message=message)
    plan = plan_of([desired] if wanted else [], [remote], prune=True, force=force)
    kinds_seen = {a.kind for a in plan.actions}
    if not by_us:
        assert ActionKind.SKIP not in kinds_seen and ActionKind.REPAIR not in kinds_seen
        if not force:
            assert ActionKind.DELETE not in kinds_seen and ActionKind.UPDATE not in kinds_seen
    if stamped_id == "77":  # a copy's stamp: never ours, so never written, moved or pruned
        assert kinds_seen <= {ActionKind.CONFLICT, ActionKind.CREATE}
