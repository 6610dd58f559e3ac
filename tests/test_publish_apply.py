"""Publishing against the local wiki over HTTP: hierarchy, no-op re-runs, edits, renames,
conflicts, orphans, and recovery from rate limits and server errors. Every test runs against
the v1 gateway (Data Center and Cloud modes) and the v2 gateway (Cloud mode)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from publish_helpers import ApiWiki, api_of, gateway, gateway_class, guide, managed, sync_round

from confluence_sync.localwiki import Faults, LocalWiki

# Writes of the first sync of the guide (4 pages, 1 image): v1 creates a page with its labels
# and stamp in one request, v2 needs three (page, labels, stamp); both then upload the image and
# rewrite that page's stamp.
FIRST_SYNC_WRITES = {"v1": 4 + 2, "v2": 4 * 3 + 2}


@pytest.fixture
def wiki(api_wiki: ApiWiki) -> ApiWiki:
    return api_wiki


def titles(wiki: LocalWiki) -> Counter[str]:
    return Counter(p.title for p in managed(wiki))


def test_first_sync_builds_the_tree_with_labels_attachments_and_links(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    first = sync_round(wiki, guide(tmp_path))
    assert first.kinds() == {"create": 4}
    pages = {p.title: p for p in managed(wiki)}
    home = gateway(wiki).home_page("DEV")
    assert pages["Postmortem guide"].parent_id == home
    assert pages["Guides"].parent_id == pages["Postmortem guide"].id
    assert pages["Writing a postmortem"].parent_id == pages["Guides"].id
    assert {"confluence-sync", "postmortem-guide"} <= set(pages["Postmortem guide"].labels)
    assert all(p.stamp is not None and p.stamp.version == p.version == 1 for p in pages.values())
    gw = gateway(wiki)
    (image,) = gw.attachments(pages["Writing a postmortem"].id)
    assert image.filename == "t.png" and image.sha256 is not None
    assert 'ri:content-title="Writing a postmortem"' in gw.page_body(
        pages["The postmortem meeting"].id
    )
    # the stated write budget per page (v1: 1, v2: 3), plus for the page with an image: the
    # upload, then the stamp that claims it (written last, so an interrupted upload is
    # repaired); no per-page reads
    assert len(first.writes) == FIRST_SYNC_WRITES[api_of(wiki)]
    assert "/propert" in first.writes[-2][1] or "/propert" in first.writes[-1][1]
    # reads: the space, our account, the state query, one title lookup for the pages nobody
    # stamped yet
    assert first.requests == len(first.writes) + 4


def test_second_sync_writes_nothing_in_three_requests(wiki: LocalWiki, tmp_path: Path) -> None:
    sync_round(wiki, guide(tmp_path))
    again = sync_round(wiki, guide(tmp_path))
    assert again.kinds() == {"skip": 4}
    assert again.writes == []
    # home page (v1 space, v2 spaces?keys=), our account (user/current), one CQL page
    assert again.requests == 3


def test_editing_one_file_updates_exactly_that_page(wiki: LocalWiki, tmp_path: Path) -> None:
    sync_round(wiki, guide(tmp_path))
    pages = guide(tmp_path)
    pages[3] = replace(pages[3], body="<p>Book the room.</p>", digest="")
    changed = sync_round(wiki, pages)
    assert changed.kinds() == {"update": 1, "skip": 3}
    assert changed.by_title()["The postmortem meeting"].action.kind.value == "update"
    page = {p.title: p for p in managed(wiki)}["The postmortem meeting"]
    assert page.version == 2 and page.stamp is not None and page.stamp.version == 2
    assert "Book the room." in gateway(wiki).page_body(page.id)
    message = gateway(wiki).version_message(page.id, 2)
    assert message == (
        f"confluence-sync: content/guides/meeting.md @ abc1234 (digest {pages[3].digest})"
    )
    # one request: the version message stamps the page, the content property is not rewritten
    assert [method for method, _ in changed.writes] == ["PUT"]
    assert page.stamp_version == 1
    assert sync_round(wiki, pages).writes == []


def test_changed_image_is_replaced_once(wiki: LocalWiki, tmp_path: Path) -> None:
    sync_round(wiki, guide(tmp_path))
    changed = sync_round(wiki, guide(tmp_path, image=b"\x89PNG second"))
    assert changed.kinds() == {"repair": 1, "skip": 3}  # the page itself is unchanged
    assert not [w for w in changed.writes if w[1].endswith("/content/" + w[1].split("/")[-1])]
    uploads = [w for w in changed.writes if "/child/attachment" in w[1]]
    assert len(uploads) == 1 and uploads[0][1].endswith("/data")
    page = {p.title: p for p in managed(wiki)}["Writing a postmortem"]
    assert len(gateway(wiki).attachments(page.id)) == 1


def test_renamed_title_updates_in_place(wiki: LocalWiki, tmp_path: Path) -> None:
    sync_round(wiki, guide(tmp_path))
    before = {p.stamp.source: p.id for p in managed(wiki) if p.stamp}
    pages = guide(tmp_path)
    pages[1] = replace(pages[1], title="How-to guides", digest="")
    renamed = sync_round(wiki, pages)
    assert renamed.kinds() == {"update": 1, "skip": 3}
    after = {p.stamp.source: p.id for p in managed(wiki) if p.stamp}
    assert after == before
    assert titles(wiki)["How-to guides"] == 1 and "Guides" not in titles(wiki)


def test_wiki_edit_is_a_conflict_then_force_overwrites(wiki: LocalWiki, tmp_path: Path) -> None:
    sync_round(wiki, guide(tmp_path))
    page = {p.title: p for p in managed(wiki)}["Guides"]
    wiki.edit_page(page.id, "<p>Edited by hand.</p>", by="jane.doe")
    pages = guide(tmp_path)
    pages[1] = replace(pages[1], body="<p>Repo change.</p>", digest="")
    blocked = sync_round(wiki, pages)
    conflict = blocked.by_title()["Guides"]
    assert conflict.action.kind.value == "conflict" and conflict.error is None
    assert conflict.action.remote is not None
    assert conflict.action.remote.last_editor == "Jane Doe"
    assert "Jane Doe" in conflict.action.reason
    assert blocked.writes == []
    assert "Edited by hand." in gateway(wiki).page_body(page.id)
    forced = sync_round(wiki, pages, force=True)
    assert forced.by_title()["Guides"].action.kind.value == "update"
    assert "Repo change." in gateway(wiki).page_body(page.id)
    assert sync_round(wiki, pages).writes == []


def test_removed_file_is_an_orphan_and_prune_keeps_unmanaged_children(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    sync_round(wiki, guide(tmp_path))
    pages = {p.title: p for p in managed(wiki)}
    gw = gateway(wiki)
    hand = gw._call(
        "POST",
        "rest/api/content",
        idempotent=False,
        json={  # a person's page
            "type": "page",
            "title": "Team notes",
            "space": {"key": "DEV"},
            "ancestors": [{"id": pages["The postmortem meeting"].id}],
            "body": {"storage": {"value": "<p>ours</p>", "representation": "storage"}},
        },
    )
    remaining = guide(tmp_path)[:2]
    report = sync_round(wiki, remaining)
    assert report.kinds() == {"skip": 2, "orphan": 2} and report.writes == []
    pruned = sync_round(wiki, remaining, prune=True)
    kinds = {o.action.title: o.action.kind.value for o in pruned.outcomes}
    assert kinds["Writing a postmortem"] == "delete"
    assert kinds["The postmortem meeting"] == "orphan"  # has a child we do not manage
    assert set(titles(wiki)) == {"Postmortem guide", "Guides", "The postmortem meeting"}
    assert gw.page(hand["id"]).title == "Team notes"


def test_rate_limits_and_flaky_server_still_give_exactly_the_pages(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    wiki.faults = Faults(
        rate_limit_burst=6, retry_after="0", error_rate=0.2, error_status=503, seed=7
    )
    result = sync_round(wiki, guide(tmp_path))
    assert [o.error for o in result.outcomes] == [None] * 4
    assert any(r.status == 429 for r in wiki.requests)
    assert any(r.status == 503 for r in wiki.requests)
    wiki.faults = Faults()
    assert titles(wiki) == Counter(
        {
            t: 1
            for t in (
                "Postmortem guide",
                "Guides",
                "Writing a postmortem",
                "The postmortem meeting",
            )
        }
    )
    assert sync_round(wiki, guide(tmp_path)).writes == []


def test_server_error_after_committed_writes_makes_no_duplicates(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    wiki.faults = Faults(fail_after_write=3)
    result = sync_round(wiki, guide(tmp_path), jobs=1)
    assert [r.status for r in wiki.requests].count(500) == 3
    assert [o.error for o in result.outcomes] == [None] * 4
    assert [o.action.kind.value for o in result.outcomes] == ["create"] * 4
    assert set(titles(wiki).values()) == {1} and len(titles(wiki)) == 4
    again = sync_round(wiki, guide(tmp_path))
    assert again.kinds() == {"skip": 4}


def plan_now(gw, pages):  # type: ignore[no-untyped-def]
    from confluence_sync.commands.state import read_state
    from confluence_sync.plan.build import build_plan

    root = gw.home_page("DEV")
    return build_plan(pages, read_state(gw, "DEV", "confluence-sync", pages, root))


def test_version_clash_is_replanned_not_resent(wiki: LocalWiki, tmp_path: Path) -> None:
    sync_round(wiki, guide(tmp_path))
    pages = guide(tmp_path)
    pages[1] = replace(pages[1], body="<p>Repo change.</p>", digest="")
    gw = gateway(wiki)
    from confluence_sync.publish.apply import ApplyOptions, apply_plan

    plan = plan_now(gw, pages)
    target = next(a for a in plan.actions if a.title == "Guides")
    assert target.remote is not None
    wiki.edit_page(target.remote.id, "<p>Sneaky edit.</p>")  # lands between plan and apply
    outcomes = apply_plan(plan, gw, ApplyOptions(space="DEV", labels=("confluence-sync",)))
    assert any(r.method == "PUT" and r.status == 409 for r in wiki.requests)
    clash = next(o for o in outcomes if o.action.title == "Guides")
    assert clash.action.kind.value == "conflict" and clash.error is None
    assert "Sneaky edit." in gw.page_body(target.remote.id)


def test_server_error_after_committed_update_is_not_a_conflict(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    sync_round(wiki, guide(tmp_path))
    pages = guide(tmp_path)
    pages[1] = replace(pages[1], body="<p>Repo <b>change</b>.</p>", digest="")
    wiki.faults = Faults(fail_after_write=1)
    result = sync_round(wiki, pages)
    assert [r.status for r in wiki.requests].count(500) == 1
    assert result.by_title()["Guides"].action.kind.value == "update"
    assert result.by_title()["Guides"].error is None
    page = {p.title: p for p in managed(wiki)}["Guides"]
    assert page.version == 2 and page.stamp is not None and page.stamp.version == 2
    assert sync_round(wiki, pages).writes == []


def test_run_killed_between_page_and_stamp_is_resumed_not_a_conflict(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    from confluence_sync.publish.gateway import PageWrite
    from confluence_sync.publish.history import version_message

    sync_round(wiki, guide(tmp_path))
    gw = gateway(wiki)
    page = {p.title: p for p in managed(wiki)}["Guides"]
    assert page.stamp is not None
    message = version_message(page.stamp.source, commit="0ld")
    gw.update_page(
        page.id,
        2,
        PageWrite("DEV", "Guides", "<p>Half done.</p>", page.parent_id, (), page.stamp, message),
    )  # ...then the process died
    resumed = sync_round(wiki, guide(tmp_path))
    assert resumed.by_title()["Guides"].action.kind.value == "update"
    assert resumed.by_title()["Guides"].error is None
    assert "All guides." in gw.page_body(page.id)
    assert sync_round(wiki, guide(tmp_path)).writes == []
    wiki.edit_page(page.id, "<p>A person.</p>", by="jane.doe", message="fixed a typo")
    assert sync_round(wiki, guide(tmp_path)).by_title()["Guides"].action.kind.value == "conflict"


def test_hand_written_pages_with_guide_titles_are_left_alone_unless_adopt(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    gw = gateway(wiki)

    def make(title: str, parent: str) -> str:
        made = gw._call(
            "POST",
            "rest/api/content",
            idempotent=False,
            json={
                "type": "page",
                "title": title,
                "space": {"key": "DEV"},
                "ancestors": [{"id": parent}],
                "body": {"storage": {"value": "<p>by hand</p>", "representation": "storage"}},
            },
        )
        return str(made["id"])

    elsewhere = make("Elsewhere", gw.home_page("DEV"))
    outside = make("Guides", elsewhere)  # a guide title, somewhere else in the space
    mine = make("Postmortem guide", gw.home_page("DEV"))
    before = {pid: (gw.page(pid).version, gw.page_body(pid)) for pid in (outside, mine)}
    refused = sync_round(wiki, guide(tmp_path))
    assert refused.kinds() == {"conflict": 2, "blocked": 2}
    assert "--adopt" in refused.by_title()["Postmortem guide"].action.reason
    assert refused.writes == []
    assert {pid: (gw.page(pid).version, gw.page_body(pid)) for pid in before} == before
    adopted = sync_round(wiki, guide(tmp_path), adopt=True)
    assert adopted.kinds() == {"adopt": 2, "create": 2}
    assert adopted.by_title()["Postmortem guide"].page_id == mine
    assert "moves it under its parent" in adopted.by_title()["Guides"].action.reason
    taken = gw.page(outside)
    assert taken.parent_id == mine and taken.stamp is not None
    assert taken.stamp.version == taken.version == 2 and "confluence-sync" in taken.labels
    assert sync_round(wiki, guide(tmp_path)).kinds() == {"skip": 4}  # ordinary managed pages


def test_data_center_paths_bearer_token_and_pagination(tmp_path: Path) -> None:
    from confluence_sync.publish.atlassian import AtlassianGateway
    from confluence_sync.publish.retry import FAST_POLICY

    for mode, user in (("server", None), ("cloud", "admin")):
        with LocalWiki(tmp_path / mode, mode=mode) as dc:  # type: ignore[arg-type]
            gw = AtlassianGateway(
                dc.base_url, user=user, token="admin", policy=FAST_POLICY, page_size=2
            )
            assert sync_round(dc, guide(tmp_path)).kinds() == {"create": 4}
            dc.clear_log()
            found = gw.managed_pages("DEV", "confluence-sync")
            assert len(found) == 4 and len({p.id for p in found}) == 4
            # two CQL pages, and once per gateway the account it writes as (user/current)
            assert len(dc.requests) == 3 and all(r.status == 200 for r in dc.requests)
            prefix = "/wiki/rest/api/" if mode == "cloud" else "/rest/api/"
            assert all(r.path.startswith(prefix) for r in dc.requests)


def test_lost_answer_to_a_stamp_write_is_checked_not_a_failure(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    """The property write landed but its answer was lost (a 502): re-read, and the page is done."""
    from confluence_sync.publish.apply import ApplyOptions, apply_plan
    from confluence_sync.publish.failures import ApiFailure
    from confluence_sync.publish.retry import FAST_POLICY

    class LosesOneStampAnswer(gateway_class(wiki)):  # type: ignore[misc]
        lost = 0

        def set_stamp(self, page_id, stamp, stamp_version):  # type: ignore[no-untyped-def]
            super().set_stamp(page_id, stamp, stamp_version)
            if not self.lost:
                self.lost += 1
                raise ApiFailure(502, "Bad Gateway", method="PUT", path="property")

    sync_round(wiki, guide(tmp_path))
    pages = guide(tmp_path)
    # a new label: the stamp (which records our labels) must be rewritten, not only the page
    labels = (*pages[1].labels, "runbooks")
    pages[1] = replace(pages[1], body="<p>Repo change.</p>", labels=labels, digest="")
    gw = LosesOneStampAnswer(wiki.base_url, user=wiki.user, token=wiki.token, policy=FAST_POLICY)
    plan = plan_now(gw, pages)
    outcomes = apply_plan(plan, gw, ApplyOptions(space="DEV", labels=("confluence-sync",)))
    assert gw.lost == 1
    assert [(o.action.title, o.error) for o in outcomes if o.action.writes] == [("Guides", None)]
    page = {p.title: p for p in managed(wiki)}["Guides"]
    assert page.stamp is not None and page.stamp.version == page.version == 2
    assert sync_round(wiki, pages).writes == []


def test_a_create_that_finds_its_page_already_written_is_not_counted_as_created(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    """A concurrent run (or a search index that lags) wrote the pages after we planned."""
    from confluence_sync.publish.apply import ApplyOptions, apply_plan

    pages = guide(tmp_path)
    gw = gateway(wiki)
    stale = plan_now(gw, pages)
    assert {a.kind.value for a in stale.actions} == {"create"}
    sync_round(wiki, pages)  # the other run
    outcomes = apply_plan(stale, gw, ApplyOptions(space="DEV", labels=("confluence-sync",)))
    assert [(o.action.kind.value, o.error) for o in outcomes] == [("skip", None)] * 4
    assert len({p.id for p in managed(wiki)}) == 4


def test_many_one_request_updates_then_an_interrupted_write_is_finished_not_a_conflict(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    """Versions stamped by their message end the history walk: twelve one-request updates
    (more than the walk reads) and then a run that died after its page write still resume."""
    from confluence_sync.publish.gateway import PageWrite
    from confluence_sync.publish.history import version_message

    pages = guide(tmp_path)
    sync_round(wiki, pages)
    for n in range(12):
        pages[1] = replace(pages[1], body=f"<p>Revision {n}.</p>", digest="")
        assert len(sync_round(wiki, pages).writes) == 1
    gw = gateway(wiki)
    page = {p.title: p for p in managed(wiki)}["Guides"]
    assert page.version == 13 and page.stamp is not None and page.stamp.version == 13
    message = version_message(page.stamp.source, commit="0ld")
    half = PageWrite("DEV", "Guides", "<p>Half.</p>", page.parent_id, (), page.stamp, message)
    gw.update_page(page.id, 14, half)  # ...then the process died before its stamp
    resumed = sync_round(wiki, pages)
    assert resumed.by_title()["Guides"].action.kind.value == "update"
    assert "Revision 11." in gw.page_body(page.id)
    wiki.edit_page(page.id, "<p>A person.</p>", by="jane.doe", message="fixed a typo")
    assert sync_round(wiki, pages).by_title()["Guides"].action.kind.value == "conflict"


def test_a_version_message_too_long_to_carry_the_digest_falls_back_to_the_property(
    wiki: LocalWiki, tmp_path: Path
) -> None:
    """A long --message could be cut by the wiki, and the digest with it: then the stamp
    is written as a property, after the page."""
    from confluence_sync.publish.apply import ApplyOptions, apply_plan

    pages = guide(tmp_path)
    sync_round(wiki, pages)
    pages[1] = replace(pages[1], body="<p>Long story.</p>", digest="")
    gw = gateway(wiki)
    wiki.clear_log()
    options = ApplyOptions(space="DEV", labels=("confluence-sync",), message="x" * 200)
    outcomes = apply_plan(plan_now(gw, pages), gw, options)
    assert [o.error for o in outcomes] == [None] * 4
    writes = [r for r in wiki.requests if r.method != "GET"]
    assert [r.method for r in writes] == ["PUT", "PUT"]
    assert writes[1].path.endswith("/property/confluence-sync") or "/properties/" in writes[1].path
    assert sync_round(wiki, pages).writes == []
