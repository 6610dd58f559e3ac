"""The wiki is a shared place: what a person does there through the REST API (edit, move,
relabel, copy, hand-edit our stamp, delete a parent) is seen as a person's doing, never undone
silently, and never taken for our own write. Every test runs the CLI against the local wiki on
v1 (Data Center, Cloud) and v2, with a second account, jane.doe, acting as the person."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from publish_helpers import API_TARGETS, LABEL, ApiWiki, gateway, guide
from test_sync_cli import env_for, run

from confluence_sync.commands.state import read_state
from confluence_sync.plan.actions import ActionKind
from confluence_sync.plan.build import PlanOptions, build_plan
from confluence_sync.publish.apply import ApplyOptions, apply_plan

MEETING = "The meeting"
WRITING = "Writing a postmortem"
JANE = ("jane.doe", "jane-token")
REPO = Path(__file__).resolve().parents[1]
EXAMPLE = "content/incidents/example.yaml"
INCIDENT = "2026-11-20 Checkout API outage"


@pytest.fixture(params=API_TARGETS)
def wiki(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ApiWiki]:
    people = ApiWiki(tmp_path / "wiki", request.param, extra_users=dict([JANE]))
    people.start()
    try:
        yield people
    finally:
        people.stop()


class Person:
    """jane.doe, doing through REST v1 what the editor does for her."""

    def __init__(self, wiki: ApiWiki) -> None:
        self.api = f"{wiki.base_url}/rest/api"

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = requests.request(method, self.api + path, auth=JANE, timeout=10, **kwargs)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    def page(self, title: str) -> dict[str, Any]:
        expand = "body.storage,version,ancestors,metadata.labels"
        found = self.call("GET", "/content", params={"title": title, "expand": expand})
        (page,) = found["results"]
        return dict(page)

    def stamp(self, page_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/content/{page_id}/property/confluence-sync"))

    def save(
        self, title: str, *, body: str | None = None, parent: str = "", message: str = ""
    ) -> Any:
        page = self.page(title)
        data: dict[str, Any] = {
            "type": "page",
            "title": title,
            "version": {"number": page["version"]["number"] + 1, "message": message},
            "body": {
                "storage": {
                    "value": page["body"]["storage"]["value"] if body is None else body,
                    "representation": "storage",
                }
            },
        }
        if parent:
            data["ancestors"] = [{"id": parent}]
        return self.call("PUT", f"/content/{page['id']}", json=data)

    def edit_stamp(self, page_id: str, **changes: Any) -> None:
        prop = self.stamp(page_id)
        value = {**prop["value"], **changes}
        body = {
            "key": prop["key"],
            "value": value,
            "version": {"number": prop["version"]["number"] + 1},
        }
        self.call("PUT", f"/content/{page_id}/property/confluence-sync", json=body)

    def move(self, title: str, under: str) -> None:
        page, parent = self.page(title), self.page(under)
        self.call("PUT", f"/content/{page['id']}/move/append/{parent['id']}")

    def copy(self, title: str, under: str) -> dict[str, Any]:
        page, parent = self.page(title), self.page(under)
        body = {
            "copyAttachments": True,
            "copyLabels": True,
            "copyProperties": True,
            "destination": {"type": "parent_page", "value": parent["id"]},
        }
        return dict(self.call("POST", f"/content/{page['id']}/copy", json=body))

    def unlabel(self, title: str, label: str = "confluence-sync") -> None:
        self.call("DELETE", f"/content/{self.page(title)['id']}/label/{label}")


def actions(result_stdout: str) -> dict[str, dict[str, Any]]:
    return {a["title"]: a for a in json.loads(result_stdout)["actions"]}


def synced(project: Path, wiki: ApiWiki) -> tuple[dict[str, str], Person]:
    env = env_for(wiki)
    first = run(["sync"], env)
    assert first.exit_code == 0, first.output
    return env, Person(wiki)


def parent_of(person: Person, title: str) -> str:
    return str(person.page(title)["ancestors"][-1]["id"])


# provenance (#34 point 3) ---------------------------------------------------------------------


def test_an_edit_saved_with_our_version_message_is_a_persons_edit(
    project: Path, wiki: ApiWiki
) -> None:
    env, jane = synced(project, wiki)
    (project / "content" / "guides" / "meeting.md").write_text("# The meeting\n\nAgenda.\n")
    assert run(["sync"], env).exit_code == 0  # a one-request update: its message stamps it
    ours = jane.page(MEETING)["version"]["message"]
    assert "(digest " in ours  # the message that stamps a page without the property
    jane.save(MEETING, body="<p>Agenda.</p><p>Hidden addition.</p>", message=ours)
    diff = run(["diff"], env)
    assert diff.exit_code == 1 and "Hidden addition" in diff.output
    assert f"in sync             {MEETING}" not in diff.output
    sync = run(["sync", "--json"], env)
    assert sync.exit_code == 1
    assert actions(sync.stdout)[MEETING]["action"] == "conflict"
    assert "Jane Doe" in actions(sync.stdout)[MEETING]["reason"]
    assert "Hidden addition" in jane.page(MEETING)["body"]["storage"]["value"]  # not overwritten
    # pulled: the base is our last stamp (the forged message proves nothing), so the repo's
    # own edit since then and the hidden one meet as a conflict to resolve, in plain sight
    pulled = run(["pull"], env)
    assert pulled.exit_code in (0, 1), pulled.output
    assert "Hidden addition" in (project / "content" / "guides" / "meeting.md").read_text()


def test_a_stamp_bumped_to_a_persons_version_never_hides_their_edit(
    project: Path, wiki: ApiWiki
) -> None:
    env, jane = synced(project, wiki)
    saved = jane.save(MEETING, body="<p>See writing.</p><p>Quiet change.</p>")
    jane.edit_stamp(saved["id"], version=saved["version"]["number"])
    assert run(["diff"], env).exit_code == 1
    sync = run(["sync", "--json"], env)
    assert sync.exit_code == 1 and actions(sync.stdout)[MEETING]["action"] == "conflict"
    assert "Quiet change" in jane.page(MEETING)["body"]["storage"]["value"]
    assert run(["pull"], env).exit_code == 0
    assert "Quiet change" in (project / "content" / "guides" / "meeting.md").read_text()


def test_a_comment_on_top_of_a_hidden_edit_is_never_taken_for_comments_only(
    project: Path, wiki: ApiWiki
) -> None:
    """A person edits the page, comments on it (a version that only adds a marker) and points
    the stamp at their edit: the versions since the stamp are comments only, but the stamped
    version is theirs, so nothing says the content is ours and the edit must not be overwritten."""
    env, jane = synced(project, wiki)
    edited = jane.save(MEETING, body="<p>See writing.</p><p>Quiet change.</p>")
    marker = '<ac:inline-comment-marker ac:ref="jane-1">See</ac:inline-comment-marker>'
    jane.save(MEETING, body=f"<p>{marker} writing.</p><p>Quiet change.</p>")
    jane.edit_stamp(edited["id"], version=edited["version"]["number"])
    diff = run(["diff", "--verbose"], env)
    assert diff.exit_code == 1 and "comments only" not in diff.output
    sync = run(["sync", "--json"], env)
    assert sync.exit_code == 1 and actions(sync.stdout)[MEETING]["action"] == "conflict"
    assert "Quiet change" in jane.page(MEETING)["body"]["storage"]["value"]
    # with the repo changed too, diff asks whether the wiki's side was comments only: no
    source = project / "content" / "guides" / "meeting.md"
    source.write_text(source.read_text() + "\nA repo change.\n")
    both = run(["diff", "--verbose", "--json"], env)
    (page,) = [p for p in json.loads(both.stdout)["pages"] if p["title"] == MEETING]
    assert page["state"] == "both changed" and page.get("note") != "comments only"


# #23 point 2: moves ------------------------------------------------------------------------


def test_a_move_made_in_the_wiki_stays_until_force(project: Path, wiki: ApiWiki) -> None:
    env, jane = synced(project, wiki)
    guides = parent_of(jane, MEETING)
    jane.move(MEETING, under="Postmortem guide")
    moved_to = jane.page("Postmortem guide")["id"]
    plan = run(["plan"], env)
    assert plan.exit_code == 0 and "moved in the wiki under 'Postmortem guide'" in plan.output
    diff = run(["diff"], env)
    assert diff.exit_code == 0 and "moved in the wiki" in diff.output
    sync = run(["sync", "--json"], env)
    assert sync.exit_code == 0
    assert actions(sync.stdout)[MEETING]["action"] == "skip"
    assert "left there" in actions(sync.stdout)[MEETING]["reason"]
    assert parent_of(jane, MEETING) == moved_to
    # a repo edit of the page keeps the person's choice too
    (project / "content" / "guides" / "meeting.md").write_text("# The meeting\n\nAgenda.\n")
    assert run(["sync"], env).exit_code == 0
    assert parent_of(jane, MEETING) == moved_to
    forced = run(["sync", "--force", "--json"], env)
    assert forced.exit_code == 0 and actions(forced.stdout)[MEETING]["action"] == "move"
    assert parent_of(jane, MEETING) == guides
    assert actions(run(["sync", "--json"], env).stdout)[MEETING]["reason"] == "unchanged"


def test_a_move_saved_as_a_new_version_stays(project: Path, wiki: ApiWiki) -> None:
    env, jane = synced(project, wiki)
    top = jane.page("Postmortem guide")["id"]
    jane.save(MEETING, parent=top)
    assert "moved in the wiki by Jane Doe" in run(["plan"], env).output
    for _ in range(2):  # neither the first sync nor the next one moves it back
        sync = run(["sync", "--json"], env)
        assert sync.exit_code == 0, sync.output
        assert "moved in the wiki" in actions(sync.stdout)[MEETING]["reason"]
        assert parent_of(jane, MEETING) == top


# #23 point 3 and 6: labels ------------------------------------------------------------------


def test_a_managed_label_a_person_removed_comes_back_in_the_same_run(
    project: Path, wiki: ApiWiki
) -> None:
    env, jane = synced(project, wiki)
    jane.unlabel(MEETING)
    sync = run(["sync", "--json"], env)
    assert sync.exit_code == 0
    assert actions(sync.stdout)[MEETING]["action"] == "repair"
    labels = [label["name"] for label in jane.page(MEETING)["metadata"]["labels"]["results"]]
    assert "confluence-sync" in labels
    assert actions(run(["sync", "--json"], env).stdout)[MEETING]["action"] == "skip"


def test_an_unlabelled_page_whose_file_is_deleted_is_still_an_orphan(
    project: Path, wiki: ApiWiki
) -> None:
    env, jane = synced(project, wiki)
    jane.unlabel(MEETING)
    (project / "content" / "guides" / "meeting.md").unlink()
    sync = run(["sync", "--json"], env)
    assert sync.exit_code == 0 and actions(sync.stdout)[MEETING]["action"] == "orphan"
    assert "orphan in wiki" in run(["diff"], env).output
    pruned = run(["sync", "--prune", "--json"], env)
    assert pruned.exit_code == 0 and actions(pruned.stdout)[MEETING]["action"] == "delete"


# #23 point 4: prune ------------------------------------------------------------------------


def test_prune_leaves_a_page_a_person_edited_and_names_them(project: Path, wiki: ApiWiki) -> None:
    env, jane = synced(project, wiki)
    jane.save(MEETING, body="<p>Notes from the last meeting.</p>")
    (project / "content" / "guides" / "meeting.md").unlink()
    pruned = run(["sync", "--prune", "--json"], env)
    assert pruned.exit_code == 1
    found = actions(pruned.stdout)[MEETING]
    assert found["action"] == "conflict" and "Jane Doe" in found["reason"]
    assert "Notes from the last meeting" in jane.page(MEETING)["body"]["storage"]["value"]
    forced = run(["sync", "--prune", "--force", "--json"], env)
    assert forced.exit_code == 0 and actions(forced.stdout)[MEETING]["action"] == "delete"


def test_prune_leaves_a_page_a_person_moved(project: Path, wiki: ApiWiki) -> None:
    env, jane = synced(project, wiki)
    jane.move(MEETING, under="Postmortem guide")  # the move keeps the version
    (project / "content" / "guides" / "meeting.md").unlink()
    pruned = run(["sync", "--prune", "--json"], env)
    assert pruned.exit_code == 1
    found = actions(pruned.stdout)[MEETING]
    assert found["action"] == "conflict" and "moved in the wiki" in found["reason"]
    assert jane.page(MEETING)["id"]


# #23 point 5: stamps checked, not believed -------------------------------------------------


@pytest.mark.parametrize(
    ("title", "updated"),
    [(WRITING, False), (MEETING, False), (MEETING, True)],  # attachments, none, written twice
)
def test_a_copy_is_a_persons_page_and_never_makes_the_original_an_orphan(
    project: Path, wiki: ApiWiki, title: str, updated: bool
) -> None:
    env, jane = synced(project, wiki)
    if updated:  # a one-request update: the stamp keeps what the create request wrote
        (project / "content" / "guides" / "meeting.md").write_text("# The meeting\n\nAgenda.\n")
        assert run(["sync"], env).exit_code == 0
    copy = jane.copy(title, under="Postmortem guide")
    assert jane.stamp(copy["id"])["value"]["source"]  # the copy carries our stamp
    for args in (["sync", "--json"], ["sync", "--prune", "--json"]):
        sync = run(args, env)
        assert sync.exit_code == 0, sync.output
        found = actions(sync.stdout)
        assert found[title]["action"] == "skip" and f"Copy of {title}" not in found
    assert jane.page(f"Copy of {title}")["id"] == copy["id"]  # neither pruned nor rewritten
    assert run(["diff"], env).exit_code == 0


@pytest.mark.parametrize("offset", [3, -5])  # ahead of the page, or before its first version
def test_a_stamp_claiming_a_version_the_page_never_had_is_damaged_not_fatal(
    project: Path, wiki: ApiWiki, offset: int
) -> None:
    env, jane = synced(project, wiki)
    page = jane.page(MEETING)
    jane.edit_stamp(page["id"], version=page["version"]["number"] + offset)
    (project / "content" / "index.md").write_text("# Postmortem guide\n\nHello.\n")
    sync = run(["sync", "--json"], env)
    assert sync.exit_code == 1, sync.output  # a conflict for that page, not a remote failure
    found = actions(sync.stdout)
    assert found[MEETING]["action"] == "conflict" and "stamp damaged" in found[MEETING]["reason"]
    assert found["Postmortem guide"]["action"] == "update"  # the rest of the run goes on
    diff = run(["diff"], env)
    assert diff.exit_code == 1 and "stamp damaged" in diff.output
    assert run(["plan"], env).exit_code == 1


def test_a_stamp_pointed_at_another_source_never_leads_to_an_overwrite_or_a_delete(
    project: Path, wiki: ApiWiki
) -> None:
    env, jane = synced(project, wiki)
    meeting = jane.page(MEETING)
    jane.edit_stamp(meeting["id"], source="content/index.md")
    pruned = run(["sync", "--prune", "--json"], env)
    assert pruned.exit_code == 1, pruned.output
    found = actions(pruned.stdout)
    assert "stamp damaged" in found["Postmortem guide"]["reason"]
    assert all(a["action"] not in ("delete", "update") for a in found.values())
    assert jane.page(MEETING)["version"]["number"] == meeting["version"]["number"]
    assert "stamp damaged" in run(["diff"], env).output


# #23 point 6: a deleted configured parent --------------------------------------------------


def test_a_deleted_configured_parent_is_a_clear_error_in_plan(project: Path, wiki: ApiWiki) -> None:
    jane = Person(wiki)
    space = jane.call("GET", "/space/DEV", params={"expand": "homepage"})
    parent = jane.call(
        "POST",
        "/content",
        json={
            "type": "page",
            "title": "Engineering",
            "space": {"key": "DEV"},
            "ancestors": [{"id": space["homepage"]["id"]}],
            "body": {"storage": {"value": "<p>eng</p>", "representation": "storage"}},
        },
    )
    with (project / "pyproject.toml").open("a") as config:
        config.write(f'parent = "{parent["id"]}"\n')
    env = env_for(wiki)
    assert run(["sync"], env).exit_code == 0
    for child in jane.call("GET", f"/content/{parent['id']}/child/page")["results"]:
        jane.move(
            child["title"], under=jane.call("GET", f"/content/{space['homepage']['id']}")["title"]
        )
    jane.call("DELETE", f"/content/{parent['id']}")
    plan = run(["plan"], env)
    assert plan.exit_code == 3
    assert f"parent page {parent['id']}" in plan.stderr and "deleted" in plan.stderr


# #23 point 6: a concurrent run's fresh page ---------------------------------------------------


@pytest.mark.parametrize("creator", ["admin", "jane.doe"])
def test_a_fresh_page_of_another_run_is_ours_only_when_our_account_made_it(
    wiki: ApiWiki, tmp_path: Path, creator: str
) -> None:
    """Between a create's page and its stamp (v2 sends them apart) another run sees an
    unstamped page holding the title: ours when our account wrote exactly our content."""
    pages = guide(tmp_path)
    gw = gateway(wiki)
    root = gw.home_page("DEV")
    plan = build_plan(pages, read_state(gw, "DEV", LABEL, pages, root), PlanOptions())
    token = "admin" if creator == "admin" else JANE[1]
    made = requests.post(
        f"{wiki.base_url}/rest/api/content",
        auth=(creator, token),
        timeout=10,
        json={
            "type": "page",
            "title": "Postmortem guide",
            "space": {"key": "DEV"},
            "ancestors": [{"id": root}],
            "body": {"storage": {"value": "<p>Welcome.</p>", "representation": "storage"}},
        },
    )
    assert made.status_code == 200, made.text
    outcomes = apply_plan(plan, gw, ApplyOptions(space="DEV", labels=(LABEL,), commit="abc"))
    gw.close()
    top = next(o for o in outcomes if o.action.title == "Postmortem guide")
    if creator == "admin":
        assert top.error is None and top.action.kind is not ActionKind.CONFLICT
        assert top.page_id == made.json()["id"]
    else:
        assert top.action.kind is ActionKind.CONFLICT and "--adopt" in top.action.reason


# #34 point 3: incident pull and a forged incident stamp ---------------------------------------


def test_incident_pull_refuses_a_hand_made_page_with_a_forged_incident_stamp(
    wiki: ApiWiki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.chdir(root)
    env = {**env_for(wiki)}
    assert run(["incident", "new", "--from", EXAMPLE], env).exit_code == 0
    jane = Person(wiki)
    real = jane.page(INCIDENT)
    forged_title = "2026-12-01 Forged outage"
    made = jane.call(
        "POST",
        "/content",
        json={
            "type": "page",
            "title": forged_title,
            "space": {"key": "DEV"},
            "ancestors": [{"id": real["ancestors"][-1]["id"]}],
            "body": {"storage": real["body"]["storage"]},
        },
    )
    stamp = {**jane.stamp(real["id"])["value"], "source": f"incident:{forged_title}"}
    stamp["page"] = made["id"]
    jane.call(
        "POST", f"/content/{made['id']}/property", json={"key": "confluence-sync", "value": stamp}
    )
    out = root / "forged.yaml"
    refused = run(["incident", "pull", forged_title, "--out", str(out)], env)
    assert refused.exit_code == 2 and "did not create it" in refused.output
    assert not out.exists()
    assert run(["incident", "pull", INCIDENT, "--out", str(root / "real.yaml")], env).exit_code == 0
