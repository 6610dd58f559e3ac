"""The diff rules without a network: matching, the six states, diff text, output formats."""

from __future__ import annotations

import json

import click

from confluence_sync.pages import DesiredPage, PageId, PageKey, RemotePage, SyncStamp
from confluence_sync.plan.build import RemoteState
from confluence_sync.plan.drift import (
    DiffReport,
    DiffState,
    PageDiff,
    classify,
    collect_diff,
    compare,
    needs_body,
    pairs_of,
    source_filter,
)
from confluence_sync.plan.drift_output import (
    STATE_WIDTH,
    diff_stat,
    render_json,
    render_text,
    use_colour,
)
from confluence_sync.plan.identity import identify

BODY = "<h2>Timeline</h2><p>The outage began at <strong>09:14</strong> UTC.</p>"


def desired(key: str = "content/a.md", title: str = "A", body: str = BODY) -> DesiredPage:
    return DesiredPage(key=PageKey(key), title=title, body=body)


def remote(
    page: DesiredPage | None,
    *,
    id: str = "10",
    version: int = 3,
    stamp_version: int = 3,
    digest: str | None = None,
    title: str | None = None,
    stamped: bool = True,
    source: str | None = None,
) -> RemotePage:
    stamp = None
    if stamped:
        stamp = SyncStamp(
            source=source or (page.key if page else "content/gone.md"),
            digest=digest if digest is not None else (page.digest if page else "old"),
            version=stamp_version,
            tool="confluence-sync 0.1.0",
        )
    return RemotePage(
        id=PageId(id),
        title=title or (page.title if page else "Gone"),
        version=version,
        parent_id=None,
        stamp=stamp,
        last_editor="Jane Doe",
        last_edited="2026-11-27T10:00:00.000Z",
        url=f"http://wiki/pages/{id}",
    )


class Reader:
    """Serves fixed pages and records which bodies were asked for."""

    def __init__(self, pages: list[RemotePage], bodies: dict[str, str]) -> None:
        self.pages, self.bodies, self.fetched = pages, bodies, []  # type: ignore[var-annotated]

    @property
    def state(self) -> RemoteState:
        return RemoteState(PageId("1"), tuple(self.pages))

    def page_body(self, page_id: PageId) -> str:
        self.fetched.append(page_id)
        return self.bodies[page_id]

    def attachments(self, page_id: PageId) -> list[object]:
        return []


def match_pages(desired: list[DesiredPage], remote: list[RemotePage]) -> list[object]:
    return pairs_of(desired, identify(desired, remote, remote))


def test_untouched_page_is_in_sync_without_fetching_its_body() -> None:
    page = desired()
    wiki = remote(page)
    assert not needs_body(page, wiki)
    reader = Reader([wiki], {})
    report = collect_diff(reader, [page], reader.state)
    assert [p.state for p in report.pages] == [DiffState.IN_SYNC]
    assert reader.fetched == [] and report.ok


def test_repo_changed() -> None:
    page = desired(body=BODY.replace("09:14", "09:41"))
    wiki = remote(page, digest="digest-of-what-we-sent-before")
    state = classify(page, wiki, BODY)
    assert state is DiffState.REPO_CHANGED


def test_wiki_edited() -> None:
    page = desired()
    wiki = remote(page, version=5, stamp_version=3)
    assert classify(page, wiki, BODY.replace("began", "started")) is DiffState.WIKI_EDITED


def test_both_changed() -> None:
    page = desired(body=BODY + "<p>new</p>")
    wiki = remote(page, version=5, stamp_version=3, digest="before")
    assert classify(page, wiki, BODY.replace("began", "started")) is DiffState.BOTH_CHANGED


def test_missing_and_orphan() -> None:
    assert classify(desired(), None, None) is DiffState.MISSING
    assert classify(None, remote(None), "<p>x</p>") is DiffState.ORPHAN


def test_wiki_save_that_only_normalised_is_in_sync() -> None:
    page = desired()
    wiki = remote(page, version=4, stamp_version=3)
    normalised = BODY.replace("<strong>", "<b>").replace("</strong>", "</b>").replace("><", ">\n<")
    assert needs_body(page, wiki)
    assert classify(page, wiki, normalised) is DiffState.IN_SYNC


def test_repo_changed_back_to_what_the_wiki_has_is_in_sync() -> None:
    page = desired()
    wiki = remote(page, digest="a-digest-we-no-longer-produce")
    assert classify(page, wiki, BODY) is DiffState.IN_SYNC


def test_a_retitled_page_differs_and_the_diff_shows_the_title() -> None:
    page = desired(title="New title")
    wiki = remote(page, title="Old title", digest="before")
    result = compare(page, wiki, BODY)
    assert result.state is DiffState.REPO_CHANGED
    assert "-title: Old title" in result.diff and "+title: New title" in result.diff


def test_diff_headers_name_the_editor_and_source() -> None:
    page = desired()
    wiki = remote(page, version=7, stamp_version=6)
    result = compare(page, wiki, BODY.replace("began", "started"))
    lines = result.diff.splitlines()
    assert lines[0] == ("--- wiki: A (v7, edited by Jane Doe at 2026-11-27T10:00:00.000Z)")
    assert lines[1] == "+++ repo: content/a.md"
    assert any(line.startswith("-") and "started" in line for line in lines[2:])
    assert any(line.startswith("+") and "began" in line for line in lines[2:])
    assert (result.wiki_version, result.wiki_editor) == (7, "Jane Doe")


def test_unstamped_page_differs_as_both_changed() -> None:
    page = desired()
    wiki = remote(page, stamped=False)
    assert classify(page, wiki, BODY.replace("began", "started")) is DiffState.BOTH_CHANGED
    assert classify(page, wiki, BODY) is DiffState.IN_SYNC


def test_matching_follows_the_planner_unstamped_pages_are_not_ours() -> None:
    a, b, c = (
        desired("content/a.md", "A"),
        desired("content/b.md", "B"),
        desired("content/c.md", "C"),
    )
    renamed = remote(a, id="1", title="A (old title)")
    by_title = remote(b, id="2", stamped=False)
    hand_made = remote(None, id="3", title="Someone's page", stamped=False)
    orphan = remote(None, id="4", source="content/deleted.md")
    pairs = match_pages([a, b, c], [renamed, by_title, hand_made, orphan])
    # b's title is held by a page we did not write: sync would not touch it, so it is missing
    assert pairs == [(a, renamed), (b, None), (c, None), (None, orphan)]


def test_two_pages_claiming_one_source_match_neither() -> None:
    a = desired()
    older, newer = remote(a, id="1", version=2), remote(a, id="2", version=9)
    pairs = match_pages([a], [older, newer])
    assert pairs == [(a, None)]  # disputed: neither is ours, neither an orphan


def test_source_filter_by_file_and_directory() -> None:
    pick = source_filter(["content/guides/", "content/index.md"])
    assert pick("content/guides/timeline.md") and pick("content/guides/")
    assert pick("content/index.md")
    assert not pick("content/guidesx/a.md") and not pick("content/other.md")
    assert source_filter([])("anything") and source_filter(["."])("anything")


def test_collect_diff_filters_and_fetches_only_what_might_differ() -> None:
    a = desired("content/a.md", "A")
    b = desired("content/guides/b.md", "B", body="<p>b</p>")
    wiki_a = remote(a, id="1", version=4, stamp_version=3)
    wiki_b = remote(b, id="2", version=4, stamp_version=3)
    reader = Reader([wiki_a, wiki_b], {"1": BODY, "2": "<p>edited b</p>"})
    report = collect_diff(reader, [a, b], reader.state, select=source_filter(["content/guides"]))
    assert [(p.title, p.state) for p in report.pages] == [("B", DiffState.WIKI_EDITED)]
    assert reader.fetched == ["2"]


def sample_report() -> DiffReport:
    a = desired()
    edited = compare(a, remote(a, version=4, stamp_version=3), BODY.replace("began", "started"))
    same = compare(desired("content/b.md", "B"), None, None)
    clean = PageDiff(title="C", source="content/c.md", state=DiffState.IN_SYNC)
    return DiffReport((clean, edited, same))


def test_text_output_lists_states_then_diffs() -> None:
    text = render_text(sample_report())
    lines = text.splitlines()
    assert lines[0] == "in sync             C"
    assert lines[1] == "wiki edited         A"
    assert lines[2] == "missing in wiki     B"
    assert "--- wiki: A (v4, edited by Jane Doe at 2026-11-27T10:00:00.000Z)" in lines
    assert "--- wiki: (no page)" in lines and "+++ repo: content/b.md" in lines
    assert lines[-1] == "3 pages: 1 in sync, 1 wiki edited, 1 missing in wiki"
    assert "\x1b[" not in text


def test_stat_output_counts_lines() -> None:
    report = sample_report()
    text = render_text(report, stat=True)
    added, removed = diff_stat(report.pages[1])
    assert (added, removed) == (1, 1)
    assert "A | +1 -1" in text.splitlines()
    assert "@@" not in text


def test_colour_is_ansi_and_follows_the_choice() -> None:
    text = render_text(sample_report(), colour=True)
    assert click.style("-", fg="red")[:5] in text
    assert click.unstyle(text) == render_text(sample_report())
    assert use_colour("auto", True) and not use_colour("auto", False)
    assert use_colour("always", False) and not use_colour("never", True)


def test_colour_codes_match_click_style_byte_for_byte() -> None:
    """plan/ writes its own ANSI codes (no Click there); coloured output must not change."""
    plain = render_text(sample_report()).splitlines()
    lines = render_text(sample_report(), colour=True).splitlines()
    assert lines[0] == click.style("in sync".ljust(STATE_WIDTH), fg="green", bold=False) + "  C"
    assert (
        lines[1] == click.style("wiki edited".ljust(STATE_WIDTH), fg="magenta", bold=True) + "  A"
    )
    assert click.style("+++ repo: content/b.md", bold=True) in lines
    hunk = next(line for line in plain if line.startswith("@@"))
    assert click.style(hunk, fg="cyan") in lines
    removed = next(line for line in plain if line.startswith("-") and not line.startswith("---"))
    assert click.style(removed, fg="red") in lines
    stat = render_text(sample_report(), stat=True, colour=True).splitlines()
    assert f"A | {click.style('+1', fg='green')} {click.style('-1', fg='red')}" in stat


def test_json_document_shape() -> None:
    doc = json.loads(render_json(sample_report(), {"url": "u", "space": "DEV", "local": True}))
    assert doc["target"] == {"url": "u", "space": "DEV", "local": True}
    assert doc["ok"] is False
    assert doc["summary"] == {
        "in sync": 1,
        "repo changed": 0,
        "wiki edited": 1,
        "both changed": 0,
        "attachments differ": 0,
        "missing in wiki": 1,
        "orphan in wiki": 0,
        "moved in the wiki": 0,
        "stamp damaged": 0,
    }
    page = doc["pages"][1]
    assert set(page) >= {
        "title",
        "source",
        "state",
        "wiki_version",
        "wiki_editor",
        "wiki_edited",
        "diff",
    }
    assert (page["state"], page["wiki_version"], page["wiki_editor"]) == (
        "wiki edited",
        4,
        "Jane Doe",
    )
    assert doc["pages"][2]["wiki_version"] is None and doc["pages"][0]["diff"] == ""
