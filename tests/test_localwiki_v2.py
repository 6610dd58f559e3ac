"""The local wiki's REST v2 (``/wiki/api/v2``): responses validate against Atlassian's v2
schemas (a trimmed copy in ``fixtures/specs``), cursors page through results, refusals use v2's
error envelope with the right status, and v1 and v2 read and write the same pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from v2_schema import assert_collection, assert_valid

from confluence_sync.localwiki import Faults, LocalWiki


class Client:
    """Plain requests against one wiki, v2 paths relative to ``/wiki/api/v2``."""

    def __init__(self, wiki: LocalWiki) -> None:
        self.wiki = wiki
        self.session = requests.Session()
        self.session.auth = ("admin", "admin")

    def v2(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.wiki.base_url}/api/v2{path}", **kwargs)

    def v1(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.session.request(method, f"{self.wiki.base_url}/rest/api{path}", **kwargs)

    def space(self) -> dict[str, Any]:
        return dict(self.v2("GET", "/spaces", params={"keys": "DEV"}).json()["results"][0])

    def create(self, title: str, parent: str | None = None, body: str = "<p>x</p>") -> str:
        payload: dict[str, Any] = {
            "spaceId": self.space()["id"],
            "status": "current",
            "title": title,
            "body": {"representation": "storage", "value": body},
        }
        if parent:
            payload["parentId"] = parent
        answer = self.v2("POST", "/pages", json=payload)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["id"])


@pytest.fixture
def client(local_wiki: LocalWiki) -> Iterator[Client]:
    made = Client(local_wiki)
    yield made
    made.session.close()


def test_page_create_get_update_and_list_match_the_v2_schemas(client: Client) -> None:
    space = client.space()
    assert_valid("SpaceBulk", space)
    create = {
        "spaceId": space["id"],
        "status": "current",
        "title": "Runbook",
        "body": {"storage": {"representation": "storage", "value": "<p>One</p>"}},
    }
    assert_valid("PageCreateRequest", create)
    created = client.v2("POST", "/pages", json=create).json()
    assert_valid("PageSingle", created)
    assert created["parentId"] == space["homepageId"]  # no parentId: under the home page
    assert created["body"]["storage"]["value"] == "<p>One</p>"
    update = {
        "id": created["id"],
        "status": "current",
        "title": "Runbook",
        "body": {"representation": "storage", "value": "<p>Two</p>"},
        "version": {"number": 2, "message": "second"},
    }
    assert_valid("PageUpdateRequest", update)
    updated = client.v2("PUT", f"/pages/{created['id']}", json=update).json()
    assert_valid("PageSingle", updated)
    assert updated["version"]["number"] == 2 and updated["version"]["message"] == "second"
    params = {"body-format": "storage", "include-labels": "true", "include-properties": "true"}
    fetched = client.v2("GET", f"/pages/{created['id']}", params=params).json()
    assert_valid("PageSingle", fetched)
    assert fetched["labels"]["results"] == [] and fetched["properties"]["results"] == []
    listed = client.v2("GET", "/pages", params={"space-id": space["id"], "title": "Runbook"})
    assert_collection("PageBulk", listed.json())
    assert [p["id"] for p in listed.json()["results"]] == [created["id"]]
    elsewhere = client.v2("GET", "/pages", params={"space-id": "999", "title": "Runbook"})
    assert elsewhere.status_code == 200 and elsewhere.json()["results"] == []


def test_children_ancestors_labels_properties_attachments_users_match_schemas(
    client: Client,
) -> None:
    top = client.create("Top")
    child = client.create("Child", top)
    grandchild = client.create("Grandchild", child)
    client.v1("POST", f"/content/{child}/label", json=[{"prefix": "global", "name": "ops"}])
    files = {"file": ("a.png", b"png", "image/png")}
    client.v1(
        "POST",
        f"/content/{child}/child/attachment",
        files=files,
        data={"comment": "sha256:ab"},
        headers={"X-Atlassian-Token": "no-check"},
    )
    prop = client.v2("POST", f"/pages/{child}/properties", json={"key": "k", "value": {"a": 1}})
    assert_valid("ContentProperty", prop.json())
    children = client.v2("GET", f"/pages/{top}/direct-children").json()
    assert_collection("ChildrenResponse", children)
    assert [c["id"] for c in children["results"]] == [child]
    ancestors = client.v2("GET", f"/pages/{grandchild}/ancestors").json()
    assert_collection("Ancestor", ancestors)
    home = client.space()["homepageId"]
    assert [a["id"] for a in ancestors["results"]] == [home, top, child]  # top to bottom
    labels = client.v2("GET", f"/pages/{child}/labels").json()
    assert_collection("Label", labels)
    assert [label["name"] for label in labels["results"]] == ["ops"]
    attachments = client.v2("GET", f"/pages/{child}/attachments").json()
    assert_collection("AttachmentBulk", attachments)
    assert attachments["results"][0]["comment"] == "sha256:ab"
    listed = client.v2("GET", f"/pages/{child}/properties", params={"key": "k"}).json()
    assert_collection("ContentProperty", listed)
    author = client.v2("GET", f"/pages/{child}").json()["version"]["authorId"]
    users = client.v2("POST", "/users-bulk", json={"accountIds": [author]}).json()
    assert_collection("User", users)
    assert users["results"][0]["displayName"] == "Admin"


def test_cursor_pagination_follows_next_links_and_the_link_header(client: Client) -> None:
    top = client.create("Top")
    made = [client.create(f"Child {n}", top) for n in range(5)]
    seen: list[str] = []
    answer = client.v2("GET", f"/pages/{top}/direct-children", params={"limit": 2})
    pages = 1
    while True:
        body = answer.json()
        seen += [c["id"] for c in body["results"]]
        nxt = body["_links"].get("next")
        if nxt is None:
            assert "Link" not in answer.headers
            break
        assert nxt.startswith("/wiki/api/v2/pages/") and "cursor=" in nxt
        assert answer.headers["Link"].startswith(f'<{nxt}>; rel="next"')
        origin = client.wiki.base_url.removesuffix("/wiki")
        answer = client.session.get(origin + nxt)
        pages += 1
    assert seen == made and pages == 3


@pytest.mark.parametrize(
    ("params", "status"),
    [({"limit": "251"}, 400), ({"limit": "0"}, 400), ({"cursor": "not-a-cursor"}, 400)],
)
def test_bad_limits_and_cursors_are_400_in_the_v2_envelope(
    client: Client, params: dict[str, str], status: int
) -> None:
    answer = client.v2("GET", "/pages", params=params)
    assert answer.status_code == status
    (error,) = answer.json()["errors"]
    assert error["status"] == status and error["code"] == "BAD_REQUEST" and error["title"]


def test_refusals_use_v2_status_codes_and_error_envelope(client: Client) -> None:
    page = client.create("Runbook")
    body = {"representation": "storage", "value": "<p>y</p>"}
    base = {"id": page, "status": "current", "title": "Runbook", "body": body}
    cases = [
        (client.v2("GET", "/pages/999999"), 404, "NOT_FOUND"),
        (client.v2("PUT", f"/pages/{page}", json=base), 400, "BAD_REQUEST"),  # no version
        (
            client.v2("PUT", f"/pages/{page}", json={**base, "version": {"number": 5}}),
            409,
            "CONFLICT",
        ),
        (client.v2("POST", "/pages", json={"title": "No space"}), 400, "BAD_REQUEST"),
        (client.v2("GET", "/nowhere"), 404, "NOT_FOUND"),
    ]
    for answer, status, code in cases:
        assert answer.status_code == status, answer.text
        (error,) = answer.json()["errors"]
        assert (error["status"], error["code"]) == (status, code)
        assert set(error) == {"status", "code", "title", "detail"}
    duplicate = client.v2(
        "POST", "/pages", json={"spaceId": client.space()["id"], "title": "Runbook", "body": body}
    )
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"][0]["title"].startswith("A page with this title already")
    anonymous = requests.get(f"{client.wiki.base_url}/api/v2/pages", timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["errors"][0]["status"] == 401


def test_a_page_reads_the_same_through_v1_and_v2(client: Client) -> None:
    parent = client.create("Parent")
    page = client.create("Page", parent, "<p>from v2</p>")
    v1 = client.v1("GET", f"/content/{page}", params={"expand": "body.storage,ancestors"}).json()
    assert v1["title"] == "Page" and v1["body"]["storage"]["value"] == "<p>from v2</p>"
    assert v1["ancestors"][-1]["id"] == parent
    update = {
        "type": "page",
        "title": "Page renamed",
        "version": {"number": 2, "message": "via v1"},
        "body": {"storage": {"value": "<p>from v1</p>", "representation": "storage"}},
    }
    assert client.v1("PUT", f"/content/{page}", json=update).status_code == 200
    client.v1("POST", f"/content/{page}/property", json={"key": "k", "value": [1]})
    v2 = client.v2(
        "GET", f"/pages/{page}", params={"body-format": "storage", "include-properties": "true"}
    ).json()
    assert (v2["title"], v2["version"]["number"], v2["version"]["message"]) == (
        "Page renamed",
        2,
        "via v1",
    )
    assert v2["body"]["storage"]["value"] == "<p>from v1</p>" and v2["parentId"] == parent
    (prop,) = v2["properties"]["results"]
    changed = client.v2(
        "PUT",
        f"/pages/{page}/properties/{prop['id']}",
        json={"key": "k", "value": [2], "version": {"number": 2}},
    )
    assert changed.status_code == 200
    assert client.v1("GET", f"/content/{page}/property/k").json()["value"] == [2]
    assert client.v2("DELETE", f"/pages/{page}").status_code == 204
    assert client.v1("GET", f"/content/{page}").status_code == 404


def test_faults_apply_to_v2_with_its_envelope(client: Client) -> None:
    client.wiki.faults = Faults(rate_limit_burst=1, retry_after="3")
    limited = client.v2("GET", "/spaces")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert limited.json()["errors"][0]["code"] == "TOO_MANY_REQUESTS"
    assert client.v2("GET", "/spaces").status_code == 200
    logged = [(r.method, r.path, r.status) for r in client.wiki.requests]
    assert logged[-2:] == [("GET", "/wiki/api/v2/spaces", 429), ("GET", "/wiki/api/v2/spaces", 200)]


def test_data_center_mode_has_no_v2(tmp_path: Path) -> None:
    with LocalWiki(tmp_path / "dc", mode="server") as wiki:
        answer = requests.get(f"{wiki.base_url}/wiki/api/v2/spaces", auth=("admin", "admin"))
        assert answer.status_code == 404


def test_v2_goes_through_the_host_check_and_is_logged(client: Client) -> None:
    """A DNS-rebinding page must not read or write through v2 any more than through v1."""
    evil = {"Host": "attacker.example"}
    body = {"representation": "storage", "value": "<p>planted</p>"}
    planted = {"spaceId": client.space()["id"], "title": "Planted", "body": body}
    for method, kwargs in (("GET", {}), ("POST", {"json": planted})):
        refused = client.v2(method, "/pages", headers=evil, **kwargs)
        assert refused.status_code == 421 and "Planted" not in refused.text
    listed = client.v2("GET", "/pages", params={"title": "Planted"}).json()["results"]
    assert listed == []
    logged = [(r.method, r.status) for r in client.wiki.requests if r.path.endswith("/v2/pages")]
    assert logged[:2] == [("GET", 421), ("POST", 421)]


def test_v2_refuses_the_titles_confluence_refuses(client: Client) -> None:
    body = {"representation": "storage", "value": "<p>x</p>"}
    space = client.space()["id"]
    for title in ("", "   ", "t" * 256):
        answer = client.v2("POST", "/pages", json={"spaceId": space, "title": title, "body": body})
        assert answer.status_code == 400, title
        assert answer.json()["errors"][0]["code"] == "BAD_REQUEST"
    page = client.create("t" * 255)  # the longest title the spec allows
    renamed = {"id": page, "status": "current", "title": "t" * 256, "body": body}
    answer = client.v2("PUT", f"/pages/{page}", json={**renamed, "version": {"number": 2}})
    assert "255" in answer.json()["errors"][0]["title"] and answer.status_code == 400
    assert client.v2("GET", f"/pages/{page}").json()["title"] == "t" * 255


def test_property_write_fault_breaks_v2_properties_and_nothing_else(client: Client) -> None:
    page = client.create("Stamped")
    client.wiki.faults = Faults(property_error_status=500, upload_error_status=500)
    path = f"/pages/{page}/properties"
    refused = client.v2("POST", path, json={"key": "confluence-sync", "value": {"v": 1}})
    assert refused.status_code == 500 and refused.json()["errors"][0]["status"] == 500
    assert client.v2("GET", path).json()["results"] == []
    other = client.create("Still writable")  # page writes are not property writes
    assert client.v2("GET", f"/pages/{other}").status_code == 200
    client.wiki.faults = Faults()
    assert client.v2("POST", path, json={"key": "confluence-sync", "value": {"v": 1}}).ok
