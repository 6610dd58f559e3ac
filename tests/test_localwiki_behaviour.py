"""Behaviour of the local wiki as clients see it: atlassian-python-api and plain requests,
in Cloud and Data Center modes, including Confluence's refusals and the fault hooks."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
import requests
from atlassian import Confluence
from atlassian.errors import ApiPermissionError

from confluence_sync.localwiki import Faults, LocalWiki, LoggedRequest

_titles = count(1)
AT = " at [row,col {{unknown-source}}]: [{}]"  # where Confluence's XHTML parser stopped


def fresh_title(stem: str = "Page") -> str:
    return f"{stem} {next(_titles)}"


@pytest.fixture(scope="module", params=["cloud", "server"])
def wiki(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalWiki]:
    with LocalWiki(tmp_path_factory.mktemp(request.param), mode=request.param) as running:
        yield running


@pytest.fixture(autouse=True)
def calm(wiki: LocalWiki) -> Iterator[None]:
    """Every test starts and ends without faults, whatever the previous one set."""
    wiki.faults = Faults()
    yield
    wiki.faults = Faults()


@pytest.fixture(scope="module")
def client(wiki: LocalWiki) -> Confluence:
    return Confluence(url=wiki.base_url, username="admin", password="admin", cloud=False)


@pytest.fixture(scope="module")
def api(wiki: LocalWiki) -> requests.Session:
    session = requests.Session()
    session.auth = ("admin", "admin")
    return session


def rest(wiki: LocalWiki, path: str) -> str:
    return f"{wiki.base_url}/rest/api{path}"


def create(
    api: requests.Session, wiki: LocalWiki, title: str, body: str = "<p>x</p>", **extra: Any
) -> requests.Response:
    payload = {
        "type": "page",
        "title": title,
        "space": {"key": "DEV"},
        "body": {"storage": {"value": body, "representation": "storage"}},
        **extra,
    }
    return api.post(rest(wiki, "/content"), json=payload)


# atlassian-python-api ------------------------------------------------------------------------
def test_client_page_lifecycle(wiki: LocalWiki, client: Confluence) -> None:
    title = fresh_title("Lifecycle")
    page = client.create_page("DEV", title, "<p>first</p>")
    assert page["id"].isdigit() and page["version"]["number"] == 1
    child = client.create_page("DEV", fresh_title("Child"), "<p>c</p>", parent_id=page["id"])
    updated = client.update_page(page["id"], title, "<p>second</p>", always_update=True)
    assert updated["version"]["number"] == 2
    fetched = client.get_page_by_id(page["id"], expand="body.storage,version")
    assert fetched["body"]["storage"]["value"] == "<p>second</p>"
    by_title = client.get_page_by_title("DEV", title)
    assert [r["id"] for r in by_title["results"]] == [page["id"]]
    assert [c["id"] for c in client.get_child_pages(page["id"])] == [child["id"]]
    assert (
        client.get_page_by_id(child["id"], expand="ancestors")["ancestors"][-1]["id"] == page["id"]
    )
    assert client.remove_page(child["id"]) == 204
    assert list(client.get_child_pages(page["id"])) == []


def test_client_labels_properties_and_cql(wiki: LocalWiki, client: Confluence) -> None:
    page = client.create_page("DEV", fresh_title("Labelled"), "<p>x</p>")
    client.set_page_label(page["id"], "incident-review")
    assert [lbl["name"] for lbl in client.get_page_labels(page["id"])["results"]] == [
        "incident-review"
    ]
    client.set_page_property(page["id"], {"key": "confluence-sync", "value": {"digest": "d1"}})
    prop = client.get_page_property(page["id"], "confluence-sync")
    assert prop["value"] == {"digest": "d1"} and prop["version"]["number"] == 1
    found = client.cql('label = "incident-review" AND space = DEV', expand="content.version")
    assert [r["content"]["id"] for r in found["results"]] == [page["id"]]
    assert found["results"][0]["content"]["version"]["number"] == 1


def test_client_update_page_without_always_update_skips_identical_body(
    wiki: LocalWiki, client: Confluence
) -> None:
    title = fresh_title("Same")
    page = client.create_page("DEV", title, "<p>same</p>")
    client.update_page(page["id"], title, "<p>same</p>")
    assert client.get_page_by_id(page["id"])["version"]["number"] == 1


def test_get_all_pages_follows_next_links_only_in_server_mode(
    wiki: LocalWiki, client: Confluence
) -> None:
    """Cloud's ``next`` omits ``/wiki``; atlassian-python-api 5.0.5 then asks the bare site."""
    for _ in range(3):
        client.create_page("DEV", fresh_title("Paged"), "<p/>")
    wiki.clear_log()
    if wiki.mode == "server":
        titles = [p["title"] for p in client.get_all_pages_from_space("DEV", limit=2)]
        assert len(titles) == len(set(titles)) >= 4
        return
    with pytest.raises(requests.HTTPError):
        list(client.get_all_pages_from_space("DEV", limit=2))
    assert wiki.requests[-1] == LoggedRequest("GET", "/rest/api/content", 404)


# Confluence's refusals ---------------------------------------------------------------------
def test_stale_version_is_409_with_confluence_message(
    wiki: LocalWiki, api: requests.Session
) -> None:
    page = create(api, wiki, fresh_title("Stale")).json()
    payload = {
        "type": "page",
        "title": page["title"],
        "version": {"number": 1},
        "body": {"storage": {"value": "<p>y</p>", "representation": "storage"}},
    }
    answer = api.put(rest(wiki, f"/content/{page['id']}"), json=payload)
    assert answer.status_code == 409
    body = answer.json()
    assert body["message"] == "Version must be incremented on update. Current version is: 1"
    assert body["statusCode"] == 409 and body["reason"] == "Conflict"
    assert body["data"]["successful"] is False
    del payload["version"]
    missing = api.put(rest(wiki, f"/content/{page['id']}"), json=payload)
    assert missing.status_code == 400
    assert missing.json()["message"] == (
        "Must supply an incremented version when updating Content. No version supplied."
    )


def test_duplicate_title_is_400_on_create_and_rename(
    wiki: LocalWiki, api: requests.Session
) -> None:
    title = fresh_title("Dup")
    first = create(api, wiki, title).json()
    expected = (
        "A page with this title already exists: A page already exists with the title "
        f"{title} in the space with key DEV"
    )
    if wiki.mode == "cloud":
        expected = (
            "com.atlassian.confluence.api.service.exceptions.BadRequestException: " + expected
        )
    again = create(api, wiki, title)
    assert again.status_code == 400 and again.json()["message"] == expected
    other = create(api, wiki, fresh_title("Other")).json()
    rename = api.put(
        rest(wiki, f"/content/{other['id']}"),
        json={"type": "page", "title": title, "version": {"number": 2}},
    )
    assert rename.status_code == 400 and rename.json()["message"] == expected
    assert first["id"] != other["id"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            "<p>unclosed",
            "Error parsing xhtml: Unexpected EOF; was expecting a close tag for element <p>\n"
            + AT.format("1,12"),
        ),
        (
            "<p>a&nbsp;b</p>",
            'Error parsing xhtml: Undeclared general entity "nbsp"\n' + AT.format("1,11"),
        ),
        ("<p>a & b</p>", "Error parsing xhtml: "),
    ],
)
def test_malformed_storage_is_400_error_parsing_xhtml(
    wiki: LocalWiki, api: requests.Session, body: str, detail: str
) -> None:
    title = fresh_title("Bad")
    answer = create(api, wiki, title, body)
    assert answer.status_code == 400
    message = answer.json()["message"]
    assert message.startswith(detail) and "\n at [row,col {unknown-source}]: [1," in message
    found = api.get(rest(wiki, "/content"), params={"spaceKey": "DEV", "title": title}).json()
    assert found["size"] == 0  # refused bodies store nothing


def test_malformed_storage_on_update_keeps_the_page(wiki: LocalWiki, api: requests.Session) -> None:
    page = create(api, wiki, fresh_title("KeepBody"), "<p>good</p>").json()
    payload = {
        "type": "page",
        "title": page["title"],
        "version": {"number": 2},
        "body": {"storage": {"value": "<p>a&nbsp;b</p>", "representation": "storage"}},
    }
    answer = api.put(rest(wiki, f"/content/{page['id']}"), json=payload)
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("Error parsing xhtml: Undeclared general entity")
    got = api.get(
        rest(wiki, f"/content/{page['id']}"), params={"expand": "body.storage,version"}
    ).json()
    assert got["version"]["number"] == 1 and got["body"]["storage"]["value"] == "<p>good</p>"


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (f"Basic {base64.b64encode(b'admin:admin').decode()}", 200),
        ("Bearer admin", 200),
        (f"Basic {base64.b64encode(b'admin:wrong').decode()}", 401),
        (f"Basic {base64.b64encode(b'nobody:admin').decode()}", 401),
        ("Basic not-base64!", 401),
        ("Bearer wrong", 401),
        ("Token admin", 401),
        ("", 401),
    ],
    ids=[
        "basic",
        "bearer",
        "wrong-token",
        "unknown-user",
        "garbled",
        "wrong-bearer",
        "scheme",
        "none",
    ],
)
def test_credentials_are_basic_user_and_token_or_a_bearer_token(
    wiki: LocalWiki, authorization: str, status: int
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    answer = requests.get(rest(wiki, "/space/DEV"), headers=headers)
    assert answer.status_code == status
    assert wiki.requests[-1].status == status


def test_a_refused_login_is_confluence_s_401(wiki: LocalWiki) -> None:
    wrong = requests.get(rest(wiki, "/space/DEV"), auth=("admin", "wrong"))
    assert wrong.status_code == 401 and wrong.json()["statusCode"] == 401
    assert wrong.json()["data"]["authorized"] is False
    assert wrong.json()["message"] == (
        "Basic authentication with passwords is deprecated.  For more information, see: "
        "https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/"
        if wiki.mode == "cloud"
        else "This request requires authentication: the user or token is not valid."
    )
    assert "WWW-Authenticate" in wrong.headers
    client = Confluence(url=wiki.base_url, username="admin", password="wrong", cloud=False)
    with pytest.raises(requests.HTTPError):
        client.create_page("DEV", fresh_title("Refused"), "<p/>")


def test_a_user_without_write_permission_gets_403_and_writes_nothing(
    wiki: LocalWiki, tmp_path: Any
) -> None:
    with LocalWiki(tmp_path / "ro", mode=wiki.mode, readers={"viewer": "view-token"}) as ro:
        viewer = Confluence(ro.base_url, username="viewer", password="view-token", cloud=False)
        assert viewer.get_space("DEV")["key"] == "DEV"
        with pytest.raises(ApiPermissionError):
            viewer.create_page("DEV", "Not allowed", "<p/>")
        answer = requests.post(
            rest(ro, "/content"),
            auth=("viewer", "view-token"),
            json={"type": "page", "title": "Not allowed", "space": {"key": "DEV"}},
        )
        assert answer.status_code == 403
        assert answer.json()["message"] == "User viewer does not have permission to edit"
        assert answer.json()["data"]["authorized"] is False
        assert viewer.get_page_by_title("DEV", "Not allowed")["results"] == []


def test_unknown_content_and_unsupported_cql(wiki: LocalWiki, api: requests.Session) -> None:
    missing = api.get(rest(wiki, "/content/424242"))
    assert missing.status_code == 404
    assert missing.json()["message"] == "No content found with id: ContentId{id=424242}"
    bad = api.get(rest(wiki, "/content/search"), params={"cql": "text ~ outage"})
    assert bad.status_code == 400 and bad.json()["message"].startswith("Could not parse cql")


# storage normalisation -----------------------------------------------------------------------
def test_saved_bodies_are_normalised_like_confluence(
    wiki: LocalWiki, api: requests.Session
) -> None:
    body = (
        "<p><b>bold</b> <i>it</i></p><table><tbody><tr><td>1</td></tr></tbody></table>"
        '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>n</p>'
        "</ac:rich-text-body></ac:structured-macro>"
    )
    page = create(api, wiki, fresh_title("Norm"), body).json()
    stored = page["body"]["storage"]["value"]
    assert "<strong>bold</strong>" in stored and "<em>it</em>" in stored
    assert 'ac:schema-version="1"' in stored and "ac:macro-id=" in stored
    assert 'data-layout="default"' in stored and 'data-table-width="760"' in stored
    assert "ac:local-id=" in stored and "<b>" not in stored
    resaved = api.put(
        rest(wiki, f"/content/{page['id']}"),
        json={
            "type": "page",
            "title": page["title"],
            "version": {"number": 2},
            "body": {"storage": {"value": stored, "representation": "storage"}},
        },
    ).json()
    assert resaved["body"]["storage"]["value"] == stored  # ids already present are kept


def test_normalisation_can_be_switched_off(tmp_path: Any) -> None:
    with LocalWiki(tmp_path / "raw", normalise=False) as raw:
        body = "<p><b>bold</b></p>"
        answer = requests.post(
            rest(raw, "/content"),
            auth=("admin", "admin"),
            json={
                "type": "page",
                "title": "Raw",
                "space": {"key": "DEV"},
                "body": {"storage": {"value": body, "representation": "storage"}},
            },
        )
        assert answer.json()["body"]["storage"]["value"] == body


# create with labels and properties, search, pagination --------------------------------------
def test_create_with_labels_and_property_then_find_by_cql(
    wiki: LocalWiki, api: requests.Session
) -> None:
    label = f"managed-{next(_titles)}"
    ids = []
    for _ in range(3):
        answer = create(
            api,
            wiki,
            fresh_title("Managed"),
            metadata={
                "labels": [{"prefix": "global", "name": label}],
                "properties": {"confluence-sync": {"value": {"source": "a.md"}}},
            },
        )
        assert answer.status_code == 200
        ids.append(answer.json()["id"])
    params: dict[str, Any] = {
        "cql": f'label = "{label}" AND space = "DEV" ORDER BY title DESC',
        "limit": 2,
        "expand": "version,ancestors,metadata.properties.confluence-sync,metadata.labels",
    }
    first = api.get(rest(wiki, "/content/search"), params=params).json()
    assert first["size"] == 2
    hit = first["results"][0]
    assert hit["metadata"]["properties"]["confluence-sync"]["value"] == {"source": "a.md"}
    nxt = first["_links"]["next"]
    assert nxt.startswith("/rest/api/content/search?")
    assert ("cursor=" in nxt) == (wiki.mode == "cloud")
    second = api.get(first["_links"]["base"] + nxt).json()
    found = [r["id"] for r in first["results"] + second["results"]]
    assert sorted(found) == sorted(ids) and "next" not in second["_links"]


def test_cql_parent_ancestor_and_or(wiki: LocalWiki, api: requests.Session) -> None:
    root = create(api, wiki, fresh_title("Root")).json()
    mid = create(api, wiki, fresh_title("Mid"), ancestors=[{"id": root["id"]}]).json()
    leaf = create(api, wiki, fresh_title("Leaf"), ancestors=[{"id": mid["id"]}]).json()

    def ids(cql: str) -> set[str]:
        return {
            r["id"]
            for r in api.get(rest(wiki, "/content/search"), params={"cql": cql}).json()["results"]
        }

    assert ids(f"parent = {root['id']}") == {mid["id"]}
    assert ids(f"ancestor = {root['id']}") == {mid["id"], leaf["id"]}
    assert ids(f'title = "{leaf["title"]}" OR id = {mid["id"]}') == {mid["id"], leaf["id"]}
    got = api.get(rest(wiki, f"/content/{leaf['id']}"), params={"expand": "ancestors"}).json()
    assert [a["id"] for a in got["ancestors"]] == [root["id"], mid["id"]]


# properties, labels, trash, move ---------------------------------------------------------------
def test_property_version_rules(wiki: LocalWiki, api: requests.Session) -> None:
    page = create(api, wiki, fresh_title("Props")).json()
    url = rest(wiki, f"/content/{page['id']}/property")
    assert api.post(url, json={"key": "k", "value": 1}).status_code == 200
    assert api.post(url, json={"key": "k", "value": 2}).status_code == 400
    assert api.put(f"{url}/k", json={"value": 2, "version": {"number": 1}}).status_code == 409
    updated = api.put(f"{url}/k", json={"value": 2, "version": {"number": 2}}).json()
    assert updated["version"]["number"] == 2 and updated["value"] == 2
    assert api.put(f"{url}/new", json={"value": 1, "version": {"number": 3}}).status_code == 404
    assert api.put(f"{url}/new", json={"value": 1, "version": {"number": 1}}).status_code == 200
    assert api.delete(f"{url}/k").status_code == 204
    assert api.get(f"{url}/k").status_code == 404


def test_label_removal(wiki: LocalWiki, api: requests.Session) -> None:
    page = create(api, wiki, fresh_title("Labels")).json()
    url = rest(wiki, f"/content/{page['id']}/label")
    api.post(url, json=[{"prefix": "global", "name": "a"}, {"prefix": "global", "name": "b"}])
    assert api.delete(url, params={"name": "a"}).status_code == 204
    assert api.delete(f"{url}/b").status_code == 204
    assert api.get(url).json()["results"] == []
    assert api.post(url, json={"prefix": "global", "name": "has space"}).status_code == 400


def test_delete_trashes_then_purges(wiki: LocalWiki, api: requests.Session) -> None:
    page = create(api, wiki, fresh_title("Trash")).json()
    url = rest(wiki, f"/content/{page['id']}")
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.get(url, params={"status": "trashed"}).json()["status"] == "trashed"
    assert create(api, wiki, page["title"]).status_code == 200  # the title is free again
    assert api.delete(url, params={"status": "trashed"}).status_code == 204
    assert api.get(url, params={"status": "trashed"}).status_code == 404


def test_move_before_after_and_append(wiki: LocalWiki, api: requests.Session) -> None:
    parent = create(api, wiki, fresh_title("MoveParent")).json()
    a, b, c = (
        create(api, wiki, fresh_title("M"), ancestors=[{"id": parent["id"]}]).json()
        for _ in range(3)
    )
    headers = {"X-Atlassian-Token": "no-check"}
    assert api.put(rest(wiki, f"/content/{c['id']}/move/before/{a['id']}"), headers=headers).ok
    order = [
        p["id"]
        for p in api.get(rest(wiki, f"/content/{parent['id']}/child/page")).json()["results"]
    ]
    assert order == [c["id"], a["id"], b["id"]]
    assert api.put(rest(wiki, f"/content/{a['id']}/move/append/{b['id']}"), headers=headers).ok
    moved = api.get(rest(wiki, f"/content/{a['id']}"), params={"expand": "ancestors"}).json()
    assert moved["ancestors"][-1]["id"] == b["id"]
    assert api.put(rest(wiki, f"/content/{b['id']}/move/append/{a['id']}")).status_code == 400


# attachments -------------------------------------------------------------------------------
def test_attachment_upload_replace_and_download(wiki: LocalWiki, api: requests.Session) -> None:
    page = create(api, wiki, fresh_title("Files")).json()
    url = rest(wiki, f"/content/{page['id']}/child/attachment")
    files = {"file": ("a.png", b"one", "image/png")}
    assert api.post(url, files=files).status_code == 403  # no X-Atlassian-Token
    xsrf = {"X-Atlassian-Token": "nocheck"}
    made = api.post(url, files=files, headers=xsrf).json()["results"][0]
    assert api.post(url, files=files, headers=xsrf).status_code == 400  # same file name
    replaced = api.post(
        f"{url}/{made['id']}/data", headers=xsrf, files={"file": ("a.png", b"two", "image/png")}
    ).json()
    assert replaced["version"]["number"] == 2
    download = api.get(f"{url}/{made['id']}/download", allow_redirects=False)
    assert download.status_code == 302
    assert api.get(download.headers["Location"]).content == b"two"
    wrong_put = api.put(rest(wiki, f"/content/{made['id']}"), headers=xsrf, files=files)
    assert wrong_put.status_code == 415
    upsert = api.put(url, headers=xsrf, files={"file": ("a.png", b"three", "image/png")})
    assert upsert.status_code == (200 if wiki.mode == "cloud" else 405)


# faults, log, helpers ------------------------------------------------------------------------
def test_rate_limit_burst_answers_429_with_retry_after(
    wiki: LocalWiki, api: requests.Session
) -> None:
    wiki.faults = Faults(rate_limit_burst=2, retry_after="0")
    answers = [api.get(rest(wiki, "/space/DEV")) for _ in range(3)]
    assert [a.status_code for a in answers] == [429, 429, 200]
    assert answers[0].headers["Retry-After"] == "0"
    wiki.faults = Faults(rate_limit_every=2, retry_after="1")
    assert [api.get(rest(wiki, "/space/DEV")).status_code for _ in range(4)] == [200, 429, 200, 429]


def test_error_rate_answers_503_at_about_the_rate(wiki: LocalWiki, api: requests.Session) -> None:
    wiki.faults = Faults(error_rate=0.5, seed=7)
    codes = [api.get(rest(wiki, "/space/DEV")).status_code for _ in range(40)]
    assert set(codes) == {200, 503} and 8 <= codes.count(503) <= 32


def test_fail_after_write_commits_but_answers_500(wiki: LocalWiki, api: requests.Session) -> None:
    title = fresh_title("Committed")
    wiki.faults = Faults(fail_after_write=1)
    assert create(api, wiki, title).status_code == 500
    found = api.get(rest(wiki, "/content"), params={"spaceKey": "DEV", "title": title}).json()
    assert found["size"] == 1  # the write happened; a blind retry would hit the duplicate title
    assert create(api, wiki, title).status_code == 400


@pytest.mark.parametrize("status", [413, 500, 503])
def test_upload_error_status_fails_only_attachment_uploads_and_stores_nothing(
    wiki: LocalWiki, api: requests.Session, status: int
) -> None:
    page = create(api, wiki, fresh_title("Upload fault")).json()
    url = rest(wiki, f"/content/{page['id']}/child/attachment")
    xsrf = {"X-Atlassian-Token": "nocheck"}
    wiki.faults = Faults(upload_error_status=status)
    refused = api.post(url, headers=xsrf, files={"file": ("a.png", b"png", "image/png")})
    assert refused.status_code == status
    assert api.get(url).json()["results"] == []  # nothing was written
    assert create(api, wiki, fresh_title("Still writable")).status_code == 200
    wiki.faults = Faults()
    assert api.post(url, headers=xsrf, files={"file": ("a.png", b"png", "image/png")}).ok


def test_latency_is_added_to_api_requests(wiki: LocalWiki, api: requests.Session) -> None:
    wiki.faults = Faults(latency_ms=150)
    began = time.monotonic()
    api.get(rest(wiki, "/space/DEV"))
    assert time.monotonic() - began >= 0.15


def test_request_log_records_method_path_status(wiki: LocalWiki, api: requests.Session) -> None:
    wiki.clear_log()
    api.get(rest(wiki, "/content/999999"), params={"expand": "version"})
    prefix = "/wiki" if wiki.mode == "cloud" else ""
    assert wiki.requests == [LoggedRequest("GET", f"{prefix}/rest/api/content/999999", 404)]


def test_edit_page_simulates_a_person(wiki: LocalWiki, api: requests.Session) -> None:
    page = create(api, wiki, fresh_title("Edited")).json()
    assert wiki.edit_page(page["id"], "<p><b>by hand</b></p>", message="typo") == 2
    got = api.get(
        rest(wiki, f"/content/{page['id']}"), params={"expand": "version,body.storage"}
    ).json()
    assert got["version"]["by"]["displayName"] == "Jane Doe"
    assert got["version"]["message"] == "typo"
    assert got["body"]["storage"]["value"] == "<p><strong>by hand</strong></p>"


def test_earlier_versions_can_be_read_back(wiki: LocalWiki, api: requests.Session) -> None:
    page = create(api, wiki, fresh_title("Versions"), "<p>one</p>").json()
    wiki.edit_page(page["id"], "<p>two</p>")
    url = rest(wiki, f"/content/{page['id']}")
    old = api.get(url, params={"version": 1, "expand": "body.storage,version"}).json()
    assert old["body"]["storage"]["value"] == "<p>one</p>" and old["status"] == "historical"
    assert old["version"]["by"]["displayName"] == "Admin"
    now = api.get(url, params={"expand": "body.storage,version"}).json()
    assert now["body"]["storage"]["value"] == "<p>two</p>" and now["version"]["number"] == 2
    assert api.get(url, params={"version": 3}).status_code == 404


def test_concurrent_creates_of_one_title_let_exactly_one_win(wiki: LocalWiki) -> None:
    from concurrent.futures import ThreadPoolExecutor

    title = fresh_title("Race")

    def attempt(_: int) -> int:
        with requests.Session() as session:
            session.auth = ("admin", "admin")
            return create(session, wiki, title).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(attempt, range(12)))
    assert sorted(codes) == [200] + [400] * 11
