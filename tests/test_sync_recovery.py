"""Interrupted and failing writes, end to end through the CLI to the local wiki: every run that
dies or fails half-way is finished by the next one, without a false conflict, a duplicate or a
missing attachment."""

from __future__ import annotations

import hashlib
import json
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
from publish_helpers import ApiWiki, write_project
from test_sync_cli import cli_process, env_for, run

from confluence_sync.localwiki import Faults, LocalWiki

IMAGE = "Writing a postmortem"


@pytest.fixture
def wiki(api_wiki: ApiWiki) -> ApiWiki:
    """Recovery depends on the API (on v2 a create is three requests and the stamp lives at
    ``/pages/{id}/properties``), so these tests run on v1 (server, cloud) and v2 (cloud)."""
    return api_wiki


def summary(result_stdout: str) -> dict[str, int]:
    return dict(json.loads(result_stdout)["summary"])


def attachments_of(wiki: LocalWiki, title: str) -> dict[str, str]:
    """filename -> sha256 of the bytes the wiki serves (not the comment we wrote)."""
    auth = ("admin", "admin")
    found = requests.get(
        f"{wiki.base_url}/rest/api/content",
        params={"spaceKey": "DEV", "title": title, "expand": "children.attachment"},
        auth=auth,
        timeout=10,
    ).json()["results"]
    (page,) = found
    listing = requests.get(
        f"{wiki.base_url}/rest/api/content/{page['id']}/child/attachment", auth=auth, timeout=10
    ).json()["results"]
    files = {}
    for item in listing:  # download links are relative to the base (Cloud's ends in /wiki)
        got = requests.get(wiki.base_url + item["_links"]["download"], auth=auth, timeout=10)
        got.raise_for_status()
        files[item["title"]] = hashlib.sha256(got.content).hexdigest()
    return files


def test_failed_uploads_are_reported_by_diff_and_repaired_by_the_next_sync(
    project: Path, wiki: ApiWiki
) -> None:
    env = env_for(wiki)
    wiki.faults = Faults(upload_error_status=500)
    failed = run(["sync", "--json"], env)
    assert failed.exit_code == 3
    assert summary(failed.stdout)["failed"] == 1 and "error" in json.loads(failed.stdout)
    wiki.faults = Faults()
    assert attachments_of(wiki, IMAGE) == {}
    drift = run(["diff", "--json"], env)
    assert drift.exit_code == 1
    states = {p["title"]: p["state"] for p in json.loads(drift.stdout)["pages"]}
    assert states[IMAGE] == "attachments differ"
    repaired = run(["sync", "--json"], env)
    assert repaired.exit_code == 0, repaired.output
    assert summary(repaired.stdout)["repair"] == 1
    want = hashlib.sha256((project / "content" / "images" / "t.png").read_bytes()).hexdigest()
    assert attachments_of(wiki, IMAGE) == {"t.png": want}
    assert run(["diff"], env).exit_code == 0
    assert summary(run(["sync", "--json"], env).stdout)["skip"] == 4


def test_an_attachment_deleted_in_the_wiki_is_shown_by_diff_and_restored_by_force(
    project: Path, wiki: ApiWiki
) -> None:
    env = env_for(wiki)
    assert run(["sync"], env).exit_code == 0
    auth = ("admin", "admin")
    page = requests.get(
        f"{wiki.base_url}/rest/api/content",
        params={"spaceKey": "DEV", "title": IMAGE},
        auth=auth,
        timeout=10,
    ).json()["results"][0]
    (item,) = requests.get(
        f"{wiki.base_url}/rest/api/content/{page['id']}/child/attachment",
        auth=auth,
        timeout=10,
    ).json()["results"]
    requests.delete(f"{wiki.base_url}/rest/api/content/{item['id']}", auth=auth, timeout=10)
    assert attachments_of(wiki, IMAGE) == {}
    assert "attachments differ" in run(["diff"], env).output
    forced = run(["sync", "--force", "--json"], env)
    assert forced.exit_code == 0 and summary(forced.stdout)["repair"] == 1
    assert list(attachments_of(wiki, IMAGE)) == ["t.png"]


def test_property_writes_failing_in_two_runs_leave_no_conflict(
    project: Path, wiki: ApiWiki
) -> None:
    env = env_for(wiki)
    assert run(["sync"], env).exit_code == 0
    page = project / "content" / "guides" / "meeting.md"
    wiki.faults = Faults(property_error_status=500)
    page.write_text("# The meeting\n\nOnly the text changed.\n")
    assert run(["sync"], env).exit_code == 0  # one request: the property is not needed
    for n, text in enumerate(("First change.", "Second change.")):
        # a new label must be recorded in the stamp: the property write is needed again
        page.write_text(f"---\nlabels: [round-{n}]\n---\n# The meeting\n\n{text}\n")
        assert run(["sync"], env).exit_code == 3  # page written, stamp refused
    wiki.faults = Faults()
    finished = run(["sync", "--json"], env)
    assert finished.exit_code == 0, finished.output
    actions = {a["title"]: a for a in json.loads(finished.stdout)["actions"]}
    assert actions["The meeting"]["action"] == "update"
    assert "interrupted" in actions["The meeting"]["reason"]
    assert summary(run(["sync", "--json"], env).stdout)["skip"] == 4


def test_plan_lists_exactly_what_sync_then_does(project: Path, wiki: ApiWiki) -> None:
    env = env_for(wiki)
    home = requests.get(
        f"{wiki.base_url}/rest/api/space/DEV?expand=homepage",
        auth=("admin", "admin"),
        timeout=10,
    ).json()["homepage"]["id"]
    made = requests.post(
        f"{wiki.base_url}/rest/api/content",
        json={
            "type": "page",
            "title": "The meeting",
            "space": {"key": "DEV"},
            "ancestors": [{"id": home}],
            "body": {"storage": {"value": "<p>by hand</p>", "representation": "storage"}},
        },
        auth=("admin", "admin"),
        timeout=10,
    ).json()
    planned = run(["plan", "--json"], env)
    done = run(["sync", "--json"], env)
    assert planned.exit_code == done.exit_code == 1

    def actions(out: str) -> list[tuple[str, str, str]]:
        return [(a["action"], a["title"], a["reason"]) for a in json.loads(out)["actions"]]

    assert actions(planned.stdout) == actions(done.stdout)
    assert ("conflict", "The meeting") in [(a, t) for a, t, _ in actions(done.stdout)]
    body = requests.get(
        f"{wiki.base_url}/rest/api/content/{made['id']}",
        params={"expand": "body.storage,version"},
        auth=("admin", "admin"),
        timeout=10,
    ).json()
    assert body["version"]["number"] == 1 and body["body"]["storage"]["value"] == "<p>by hand</p>"
    adopted = run(["sync", "--adopt", "--json"], env)
    assert adopted.exit_code == 0 and summary(adopted.stdout)["adopt"] == 1


@pytest.mark.parametrize("target", ["v1-cloud", "v2-cloud"])
def test_five_kills_at_random_points_converge_with_every_attachment(
    tmp_path: Path, target: str
) -> None:
    root = write_project(tmp_path / "repo", extra_pages=12)
    images = root / "content" / "images"
    for n in range(12):  # every extra page gets an image of its own
        (images / f"e{n}.png").write_bytes(b"\x89PNG extra %d" % n)
        page = root / "content" / "guides" / f"extra-{n:03d}.md"
        page.write_text(page.read_text() + f"\n![e](../images/e{n}.png)\n")
    rng = random.Random(20261130)
    with ApiWiki(tmp_path / "killwiki", target) as wiki:
        env = {**env_for(wiki), "CONFLUENCE_SPACE": "DEV"}
        killed_midway = 0
        for round_no in range(5):
            wiki.faults = Faults(latency_ms=15)
            before = sum(r.method != "GET" for r in wiki.requests)
            stop_after = before + rng.randint(1, 20)
            proc = cli_process(["sync", "--jobs", "2"], env, root)
            deadline = time.monotonic() + 60
            while sum(r.method != "GET" for r in wiki.requests) < stop_after:
                if proc.poll() is not None or time.monotonic() > deadline:
                    break
                time.sleep(0.002)
            killed_midway += proc.poll() is None
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            for n in rng.sample(range(12), 3):  # the repo moves on between the runs
                (images / f"e{n}.png").write_bytes(b"\x89PNG round %d %d" % (round_no, n))
        assert killed_midway >= 4
        wiki.faults = Faults()
        final = cli_process(["sync", "--json"], env, root)
        out, err = final.communicate(timeout=120)
        assert final.returncode == 0, err
        report = json.loads(out)
        assert report["summary"]["conflict"] == 0 and report["summary"]["failed"] == 0
        again = cli_process(["sync", "--json"], env, root)
        out, _ = again.communicate(timeout=120)
        assert json.loads(out)["summary"]["skip"] == 16
        for n in range(12):
            want = hashlib.sha256((images / f"e{n}.png").read_bytes()).hexdigest()
            assert attachments_of(wiki, f"Extra page {n}") == {f"e{n}.png": want}
        search = wiki.base_url + "/rest/api/content?spaceKey=DEV&type=page&limit=200"
        titles = Counter(
            r["title"]
            for r in requests.get(search, auth=("admin", "admin"), timeout=10).json()["results"]
        )
        assert max(titles.values()) == 1 and len(titles) == 17  # 16 pages + the home page


def test_a_create_that_died_before_its_stamp_is_finished_not_refused(
    project: Path, wiki: ApiWiki
) -> None:
    """On v2 a create is page, labels, stamp: a kill in between leaves our page unstamped at
    version 1. The next run sees its own content there and finishes it; had a person written
    something else under that title, the run would leave it alone (see the plan test)."""
    env = env_for(wiki)
    assert run(["sync"], env).exit_code == 0
    auth = ("admin", "admin")
    page = requests.get(
        f"{wiki.base_url}/rest/api/content",
        params={"spaceKey": "DEV", "title": "The meeting"},
        auth=auth,
        timeout=10,
    ).json()["results"][0]
    base = f"{wiki.base_url}/rest/api/content/{page['id']}"
    for gone in (f"{base}/property/confluence-sync", f"{base}/label?name=confluence-sync"):
        assert requests.delete(gone, auth=auth, timeout=10).status_code == 204
    finished = run(["sync", "--json"], env)
    assert finished.exit_code == 0, finished.output
    actions = {a["title"]: a for a in json.loads(finished.stdout)["actions"]}
    assert actions["The meeting"]["action"] == "adopt"
    assert "interrupted create" in actions["The meeting"]["reason"]
    assert summary(run(["sync", "--json"], env).stdout)["skip"] == 4


def test_an_unstamped_page_is_ours_only_while_every_later_version_carries_our_mark(
    project: Path, wiki: ApiWiki
) -> None:
    """A takeover that died before its stamp leaves versions marked ``confluence-sync:
    <source>``: finished. One version by a person among them: left alone, as any page a
    person wrote."""
    env = env_for(wiki)
    assert run(["sync"], env).exit_code == 0
    auth = ("admin", "admin")
    page = requests.get(
        f"{wiki.base_url}/rest/api/content",
        params={"spaceKey": "DEV", "title": "The meeting", "expand": "version,body.storage"},
        auth=auth,
        timeout=10,
    ).json()["results"][0]
    base = f"{wiki.base_url}/rest/api/content/{page['id']}"
    for gone in (f"{base}/property/confluence-sync", f"{base}/label?name=confluence-sync"):
        assert requests.delete(gone, auth=auth, timeout=10).status_code == 204

    def put(number: int, message: str) -> None:
        body = {"storage": {"value": f"<p>v{number}</p>", "representation": "storage"}}
        update = {"type": "page", "title": "The meeting", "body": body}
        update["version"] = {"number": number, "message": message}
        assert requests.put(base, json=update, auth=auth, timeout=10).status_code == 200

    put(2, "confluence-sync: content/guides/meeting.md @ abc1234")
    planned = json.loads(run(["plan", "--json"], env).stdout)["actions"]
    assert {a["title"]: a["action"] for a in planned}["The meeting"] == "adopt"
    put(3, "tidied up by hand")
    refused = run(["sync", "--json"], env)
    assert refused.exit_code == 1
    actions = {a["title"]: a for a in json.loads(refused.stdout)["actions"]}
    assert actions["The meeting"]["action"] == "conflict"
    assert "--adopt" in actions["The meeting"]["reason"]
