"""The Confluence rules real publishers (tests/clients) found missing in the local wiki, each
checked here over HTTP without the publishers installed, with Atlassian's schemas where one
applies."""

from __future__ import annotations

from typing import Any

import requests
from test_localwiki_contract import OLD, assert_valid
from v2_schema import assert_valid as assert_v2

from confluence_sync.localwiki import LocalWiki

AUTH = ("admin", "admin")
XSRF = {"X-Atlassian-Token": "no-check"}


def _api(wiki: LocalWiki) -> str:
    return wiki.base_url + "/rest/api"


def _create(wiki: LocalWiki, title: str, **extra: Any) -> dict[str, Any]:
    body = {"type": "page", "title": title, "space": {"key": "DEV"}, **extra}
    answer = requests.post(_api(wiki) + "/content", json=body, auth=AUTH)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_create_answers_ancestors_and_container(local_wiki: LocalWiki) -> None:
    home = requests.get(_api(local_wiki) + "/space/DEV?expand=homepage", auth=AUTH).json()
    created = _create(local_wiki, "Child", ancestors=[{"id": home["homepage"]["id"]}])
    assert [a["id"] for a in created["ancestors"]] == [home["homepage"]["id"]]
    assert created["container"]["key"] == "DEV"
    assert_valid(OLD, "Content", created)


def test_an_ancestor_without_an_id_is_a_bad_request(local_wiki: LocalWiki) -> None:
    body = {"type": "page", "title": "Orphan", "space": {"key": "DEV"}, "ancestors": [{"id": None}]}
    answer = requests.post(_api(local_wiki) + "/content", json=body, auth=AUTH)
    assert answer.status_code == 400
    listed = requests.get(_api(local_wiki) + "/content?title=Orphan", auth=AUTH).json()
    assert listed["results"] == []


def _upload(wiki: LocalWiki, page_id: str) -> dict[str, Any]:
    answer = requests.post(
        f"{_api(wiki)}/content/{page_id}/child/attachment",
        files={"file": ("a.txt", b"one", "text/plain")},
        headers=XSRF,
        auth=AUTH,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["results"][0])


def test_attachment_properties_update_renames_and_needs_the_next_version(
    local_wiki: LocalWiki,
) -> None:
    page = _create(local_wiki, "Files")
    att = _upload(local_wiki, page["id"])
    bare = att["id"].removeprefix("att")  # clients put the bare number in the path
    url = f"{_api(local_wiki)}/content/{page['id']}/child/attachment/{bare}"
    change = {"id": att["id"], "type": "attachment", "title": "b.txt", "version": {"number": 5}}
    assert requests.put(url, json=change, auth=AUTH).status_code == 409
    change["version"] = {"number": 2}
    change["metadata"] = {"mediaType": "text/markdown"}
    answer = requests.put(url, json=change, auth=AUTH)
    assert answer.status_code == 200, answer.text
    assert answer.json()["title"] == "b.txt" and answer.json()["version"]["number"] == 2
    assert_valid(OLD, "Content", answer.json())
    listed = requests.get(f"{_api(local_wiki)}/content/{page['id']}/child/attachment", auth=AUTH)
    assert [a["title"] for a in listed.json()["results"]] == ["b.txt"]
    assert listed.json()["results"][0]["metadata"]["mediaType"] == "text/markdown"


def test_content_watch_is_kept_per_user_and_writes_need_the_xsrf_header(
    local_wiki: LocalWiki,
) -> None:
    page = _create(local_wiki, "Watched")
    url = f"{_api(local_wiki)}/user/watch/content/{page['id']}"
    assert requests.post(url, auth=AUTH).status_code == 403
    assert requests.post(url, headers=XSRF, auth=AUTH).status_code == 204
    assert requests.get(url, auth=AUTH).json() == {"watching": True}
    assert requests.delete(url, headers=XSRF, auth=AUTH).status_code == 204
    assert requests.get(url, auth=AUTH).json() == {"watching": False}
    assert requests.get(f"{_api(local_wiki)}/user/watch/content/999", auth=AUTH).status_code == 404


def test_v2_space_by_id_root_page_parent_and_attachment_shapes(local_wiki: LocalWiki) -> None:
    v2 = local_wiki.base_url + "/api/v2"
    space = requests.get(v2 + "/spaces?keys=DEV", auth=AUTH).json()["results"][0]
    one = requests.get(f"{v2}/spaces/{space['id']}", auth=AUTH)
    assert one.status_code == 200 and one.json()["key"] == "DEV"
    assert one.json()["_links"]["base"] == local_wiki.base_url
    assert requests.get(f"{v2}/spaces/424242", auth=AUTH).status_code == 404
    home = requests.get(f"{v2}/pages/{space['homepageId']}", auth=AUTH).json()
    assert home["parentId"] is None and home["parentType"] is None  # "or null if no parent"
    assert_v2("PageSingle", home)
    page = _create(local_wiki, "With file")
    att = _upload(local_wiki, page["id"])
    listed = requests.get(f"{v2}/pages/{page['id']}/attachments", auth=AUTH).json()["results"]
    assert listed[0]["mediaTypeDescription"] == "PLAIN Text File"
    assert_v2("AttachmentBulk", listed[0])
    props = f"{v2}/attachments/{att['id']}/properties"
    made = requests.post(props, json={"key": "k", "value": {"n": 1}}, auth=AUTH)
    assert made.status_code == 200, made.text
    got = requests.get(props, params={"key": "k"}, auth=AUTH).json()["results"]
    assert [p["value"] for p in got] == [{"n": 1}]
    assert requests.get(f"{v2}/attachments/att999/properties", auth=AUTH).status_code == 404


def test_view_lists_macros_it_cannot_render_and_links_own_page_addresses(
    local_wiki: LocalWiki,
) -> None:
    target = _create(local_wiki, "Target")
    own = f"https://localhost:9/wiki/spaces/DEV/pages/{target['id']}/Target"
    storage = (
        f'<p><a href="{own}">there</a></p>'
        '<ac:structured-macro ac:name="drawio"><ac:parameter ac:name="x">1</ac:parameter>'
        "</ac:structured-macro>"
        '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>ok</p></ac:rich-text-body>'
        "</ac:structured-macro>"
    )
    page = _create(local_wiki, "Foreign", body={"storage": {"value": storage}})
    html = requests.get(local_wiki.base_url + page["_links"]["webui"]).text
    assert 'class="unsupported"' in html and "<li>drawio</li>" in html
    assert "<li>info</li>" not in html  # rendered as a panel, so not listed
    assert f'href="/wiki/spaces/DEV/pages/{target["id"]}/Target"' in html


def test_an_upload_keeps_its_minor_edit_flag_on_the_version(local_wiki: LocalWiki) -> None:
    page = _create(local_wiki, "Minor")
    url = f"{_api(local_wiki)}/content/{page['id']}/child/attachment"
    for name, flag in (("major.txt", "false"), ("minor.txt", "true")):
        answer = requests.post(
            url,
            files={"file": (name, b"x", "text/plain")},
            data={"minorEdit": flag, "comment": "c"},
            headers=XSRF,
            auth=AUTH,
        )
        assert answer.status_code == 200, answer.text
    listed = requests.get(url, params={"expand": "version"}, auth=AUTH).json()["results"]
    flags = {a["title"]: a["version"]["minorEdit"] for a in listed}
    assert flags == {"major.txt": False, "minor.txt": True}
