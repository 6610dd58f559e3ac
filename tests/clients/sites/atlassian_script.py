"""A user's script on atlassian-python-api's ``Confluence`` client: the calls such scripts make.

Run as ``python atlassian_script.py`` with ``CONFLUENCE_URL``, ``CONFLUENCE_USER``,
``CONFLUENCE_TOKEN`` and ``CONFLUENCE_SPACE`` set. It publishes a small tree (a root page with two
children, one of which moves under the other, an attachment, a label and a page property), checks what each call answers, moves a
page, reads its ancestors, creates and removes a scratch page, and prints a JSON summary. Run
twice, it must find and update what the first run made. Any surprise exits non-zero.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from atlassian import Confluence
from atlassian.errors import ApiError

SPACE = os.environ.get("CONFLUENCE_SPACE", "DEV")
ROOT, CHILD_A, CHILD_B, SCRATCH = "Script Root", "Script Child A", "Script Child B", "Scratch"


def check(ok: object, what: str) -> None:
    if not ok:
        sys.exit(f"check failed: {what}")


def connect() -> Confluence:
    return Confluence(
        os.environ["CONFLUENCE_URL"],
        username=os.environ["CONFLUENCE_USER"],
        password=os.environ["CONFLUENCE_TOKEN"],
        cloud=False,
        backoff_and_retry=False,
    )


def publish_tree(wiki: Confluence, home_id: str) -> dict[str, str]:
    """Root via create_page or update_page, children via update_or_create."""
    # 5.x answers the ``GET /content`` listing here, not the first page of it.
    existing = wiki.get_page_by_title(SPACE, ROOT)["results"]
    if not existing:
        check(not wiki.page_exists(SPACE, ROOT), "page_exists before create")
        root = wiki.create_page(SPACE, ROOT, "<p>root v1</p>", parent_id=home_id)
    else:
        check(len(existing) == 1, f"one root: {existing}")
        root = wiki.update_page(existing[0]["id"], ROOT, "<p>root again</p>", always_update=True)
    check(wiki.page_exists(SPACE, ROOT), "page_exists after write")
    ids = {ROOT: str(root["id"])}
    page = wiki.update_or_create(ids[ROOT], CHILD_A, f"<p>{CHILD_A}</p>", minor_edit=True)
    ids[CHILD_A] = str(page["id"])
    # B moves under A at the end of a run, so the next run finds it by title, not as a child.
    found = wiki.get_page_id(SPACE, CHILD_B)
    if found is None:
        page = wiki.create_page(SPACE, CHILD_B, f"<p>{CHILD_B}</p>", parent_id=ids[ROOT])
    else:
        page = wiki.update_page(found, CHILD_B, f"<p>{CHILD_B}!</p>", always_update=True)
    ids[CHILD_B] = str(page["id"])
    return ids


def read_back(wiki: Confluence, ids: dict[str, str]) -> None:
    page = wiki.get_page_by_id(ids[ROOT], expand="body.storage,version,ancestors,space")
    check(page["space"]["key"] == SPACE, "space of the root")
    check("root" in page["body"]["storage"]["value"], "body.storage of the root")
    check(page["version"]["number"] >= 1, "version of the root")
    children = wiki.get_page_child_by_type(ids[ROOT], type="page")
    check(CHILD_A in {c["title"] for c in children}, f"children: {children}")
    titles = [p["title"] for p in wiki.get_all_pages_from_space(SPACE, start=0, limit=100)]
    check(titles.count(ROOT) == 1 and titles.count(CHILD_A) == 1, f"one of each: {titles}")
    found = wiki.cql(f'space = "{SPACE}" AND title = "{CHILD_A}"')
    check([r["content"]["id"] for r in found["results"]] == [ids[CHILD_A]], f"cql: {found}")
    history = wiki.history(ids[ROOT])
    check(history["createdBy"] and "createdDate" in history, f"history: {history}")


def labels_properties(wiki: Confluence, page_id: str) -> None:
    wiki.set_page_label(page_id, "script-label")
    names = [x["name"] for x in wiki.get_page_labels(page_id)["results"]]
    check(names.count("script-label") == 1, f"labels: {names}")
    try:
        current = wiki.get_page_property(page_id, "script-prop")
    except ApiError:  # the library's answer to the documented 404 for a missing key
        wiki.set_page_property(page_id, {"key": "script-prop", "value": {"runs": 1}})
    else:
        number = current["version"]["number"] + 1
        change = {"key": "script-prop", "value": {"runs": 2}, "version": {"number": number}}
        wiki.update_page_property(page_id, change)
    keys = [p["key"] for p in wiki.get_page_properties(page_id)]  # 5.x: every page of them
    check("script-prop" in keys, f"properties: {keys}")


def attachments(wiki: Confluence, page_id: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "notes.txt"
        source.write_text("attached by a script\n", encoding="utf-8")
        there = wiki.get_attachments_from_content(page_id, filename="notes.txt")["results"]
        if not there:
            wiki.attach_file(str(source), name="notes.txt", page_id=page_id, comment="a script")
        else:
            # attach_file replaces with a multipart PUT on /rest/api/content/{attachmentId},
            # which Atlassian does not document (Confluence answers 415, and so does the local
            # wiki); replace through the documented "Update attachment data" endpoint instead.
            with source.open("rb") as handle:
                wiki.post(
                    f"rest/api/content/{page_id}/child/attachment/{there[0]['id']}/data",
                    data={"comment": "again", "minorEdit": "true"},
                    files={"file": ("notes.txt", handle, "text/plain")},
                    headers={"X-Atlassian-Token": "no-check", "Accept": "application/json"},
                )
        listed = wiki.get_attachments_from_content(page_id, filename="notes.txt")["results"]
        check(len(listed) == 1, f"one notes.txt: {listed}")
        got = wiki.download_attachments_from_page(page_id, filename="notes.txt", to_memory=True)
        data = got["notes.txt"].read() if hasattr(got["notes.txt"], "read") else got["notes.txt"]
        check(data == source.read_bytes(), f"downloaded bytes: {data!r}")


def move_and_remove(wiki: Confluence, ids: dict[str, str]) -> None:
    # move_page posts to /pages/movepage.action, a web-UI action with no Atlassian REST
    # documentation, which the local wiki does not serve; move through the documented "Move a
    # page to a new location relative to a target page" endpoint.
    wiki.put(f"rest/api/content/{ids[CHILD_B]}/move/append/{ids[CHILD_A]}")
    ancestors = [a["title"] for a in wiki.get_page_ancestors(ids[CHILD_B])]
    check(ancestors[-2:] == [ROOT, CHILD_A], f"ancestors after move: {ancestors}")
    scratch = wiki.create_page(SPACE, SCRATCH, "<p>gone soon</p>", parent_id=ids[ROOT])
    wiki.remove_page(scratch["id"])
    check(not wiki.page_exists(SPACE, SCRATCH), "scratch page removed")


def main() -> None:
    wiki = connect()
    space = wiki.get_space(SPACE, expand="homepage")
    home_id = str(space["homepage"]["id"])
    ids = publish_tree(wiki, home_id)
    read_back(wiki, ids)
    labels_properties(wiki, ids[ROOT])
    attachments(wiki, ids[ROOT])
    move_and_remove(wiki, ids)
    print(json.dumps(ids))


if __name__ == "__main__":
    main()
