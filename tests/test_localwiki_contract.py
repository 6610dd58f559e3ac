"""Contract tests: local wiki responses validate against Atlassian's published OpenAPI schemas.

The 2021 v1 spec still documents the ``/content`` family (content, properties, history, space);
the current v1 spec documents search, labels and attachments. ``$ref``s resolve through a
``referencing`` registry holding the whole spec document.

The schemas are vendored in ``tests/fixtures/specs/`` (trimmed to the endpoints the tool and the
local wiki use by ``trim_specs.py`` there, which records where each full spec came from), so the
tests need nothing outside the repository.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from confluence_sync.localwiki import LocalWiki

SPECS = Path(__file__).resolve().parent / "fixtures" / "specs"
OLD = "confluence-cloud-v1-2021.json"
NEW = "confluence-cloud-v1-current.json"


@cache
def _validator(spec: str, schema: str) -> Draft4Validator:
    document = json.loads((SPECS / spec).read_text(encoding="utf-8"))
    uri = f"urn:confluence:{spec}"
    registry: Registry = Registry().with_resource(
        uri, Resource.from_contents(document, default_specification=DRAFT4)
    )
    return Draft4Validator({"$ref": f"{uri}#/components/schemas/{schema}"}, registry=registry)


def assert_valid(spec: str, schema: str, instance: Any) -> None:
    errors = sorted(_validator(spec, schema).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.fixture(scope="module", params=["cloud", "server"])
def wiki(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalWiki]:
    with LocalWiki(tmp_path_factory.mktemp(request.param), mode=request.param) as running:
        yield running


@pytest.fixture(scope="module")
def api(wiki: LocalWiki) -> requests.Session:
    session = requests.Session()
    session.auth = ("admin", "admin")
    return session


@pytest.fixture(scope="module")
def page(wiki: LocalWiki, api: requests.Session) -> dict[str, Any]:
    """A parent and a child page with a label, our property and an attachment."""
    base = wiki.base_url + "/rest/api"
    parent = api.post(
        f"{base}/content",
        json={
            "type": "page",
            "title": "Contract parent",
            "space": {"key": "DEV"},
            "body": {"storage": {"value": "<p>parent</p>", "representation": "storage"}},
        },
    ).json()
    child = api.post(
        f"{base}/content",
        json={
            "type": "page",
            "title": "Contract child",
            "space": {"key": "DEV"},
            "ancestors": [{"id": parent["id"]}],
            "body": {"storage": {"value": "<p><b>child</b></p>", "representation": "storage"}},
            "metadata": {
                "labels": [{"prefix": "global", "name": "postmortem"}],
                "properties": {"confluence-sync": {"value": {"digest": "abc"}}},
            },
        },
    )
    assert child.status_code == 200, child.text
    api.post(
        f"{base}/content/{child.json()['id']}/child/attachment",
        headers={"X-Atlassian-Token": "no-check"},
        files={"file": ("diagram.png", b"\x89PNG...", "image/png")},
    )
    return dict(child.json())


EVERY_EXPANSION = (
    "body.storage,version,ancestors,space,history,metadata.labels,"
    "metadata.properties.confluence-sync,children.page,container"
)
MANAGED_CQL = 'label = "postmortem" AND space = DEV'

# Every read the tool and the local wiki rely on: (path, query, spec, schema). ``{id}`` is the
# child page, ``{parent}`` its parent.
READS: list[tuple[str, dict[str, str], str, str]] = [
    ("/content/{id}", {}, OLD, "Content"),
    ("/content/{id}", {"expand": EVERY_EXPANSION}, OLD, "Content"),
    ("/content", {"spaceKey": "DEV", "limit": "1", "expand": "version"}, OLD, "ContentArray"),
    ("/content", {"spaceKey": "DEV", "title": "Contract child"}, OLD, "ContentArray"),
    ("/content/{parent}/child/page", {}, OLD, "ContentArray"),
    ("/content/{parent}/child/page", {"expand": "version,ancestors"}, OLD, "ContentArray"),
    ("/content/{id}/history", {}, OLD, "ContentHistory"),
    ("/space/DEV", {}, OLD, "Space"),
    ("/space/DEV", {"expand": "homepage"}, OLD, "Space"),
    ("/space", {}, OLD, "SpaceArray"),
    ("/content/{id}/property", {}, OLD, "ContentPropertyArray"),
    ("/content/{id}/property/confluence-sync", {}, OLD, "ContentProperty"),
    ("/content/{id}/label", {}, NEW, "LabelArray"),
    ("/content/{id}/child/attachment", {}, NEW, "ContentArray"),
    ("/content/{id}/child/attachment", {"expand": "version,container"}, NEW, "ContentArray"),
    ("/search", {"cql": MANAGED_CQL}, NEW, "SearchPageResponseSearchResult"),
    ("/user/current", {}, NEW, "User"),
    ("/content/search", {"cql": MANAGED_CQL}, NEW, "ContentArray"),
    (
        "/content/search",
        {"cql": MANAGED_CQL, "expand": "version,ancestors,metadata.properties.confluence-sync"},
        NEW,
        "ContentArray",
    ),
]


@pytest.mark.parametrize(
    ("path", "query", "spec", "schema"),
    READS,
    ids=[f"{path}?{'&'.join(query)}" for path, query, _, _ in READS],
)
def test_every_read_answers_json_matching_atlassian_s_schema(
    wiki: LocalWiki,
    api: requests.Session,
    page: dict[str, Any],
    path: str,
    query: dict[str, str],
    spec: str,
    schema: str,
) -> None:
    parent = api.get(
        f"{wiki.base_url}/rest/api/content/{page['id']}", params={"expand": "ancestors"}
    ).json()["ancestors"][-1]["id"]
    url = wiki.base_url + "/rest/api" + path.format(id=page["id"], parent=parent)
    answer = api.get(url, params=query)
    assert answer.status_code == 200, answer.text
    assert_valid(spec, schema, answer.json())


def test_created_content_matches_content_schema(page: dict[str, Any]) -> None:
    assert_valid(OLD, "Content", page)
    assert page["version"]["number"] == 1 and page["body"]["storage"]["representation"] == "storage"


def test_content_get_with_every_expansion_matches_content_schema(
    wiki: LocalWiki, api: requests.Session, page: dict[str, Any]
) -> None:
    expand = (
        "body.storage,version,ancestors,space,history,metadata.labels,"
        "metadata.properties.confluence-sync,children.page,container"
    )
    got = api.get(f"{wiki.base_url}/rest/api/content/{page['id']}", params={"expand": expand})
    assert got.status_code == 200
    body = got.json()
    assert_valid(OLD, "Content", body)
    assert body["metadata"]["properties"]["confluence-sync"]["value"] == {"digest": "abc"}
    assert [a["title"] for a in body["ancestors"]] == ["Contract parent"]


def test_content_list_and_children_match_content_array_schema(
    wiki: LocalWiki, api: requests.Session, page: dict[str, Any]
) -> None:
    listed = api.get(
        f"{wiki.base_url}/rest/api/content",
        params={"spaceKey": "DEV", "limit": 1, "expand": "version"},
    ).json()
    assert_valid(OLD, "ContentArray", listed)
    assert listed["_links"]["next"].startswith("/rest/api/content?")  # relative to base
    with_ancestors = api.get(
        f"{wiki.base_url}/rest/api/content/{page['id']}", params={"expand": "ancestors"}
    ).json()
    parent_id = with_ancestors["ancestors"][-1]["id"]
    children = api.get(f"{wiki.base_url}/rest/api/content/{parent_id}/child/page").json()
    assert_valid(OLD, "ContentArray", children)
    assert [c["title"] for c in children["results"]] == ["Contract child"]


def test_history_and_space_match_their_schemas(
    wiki: LocalWiki, api: requests.Session, page: dict[str, Any]
) -> None:
    history = api.get(f"{wiki.base_url}/rest/api/content/{page['id']}/history").json()
    assert_valid(OLD, "ContentHistory", history)
    assert history["lastUpdated"]["number"] == 1
    space = api.get(f"{wiki.base_url}/rest/api/space/DEV", params={"expand": "homepage"}).json()
    assert_valid(OLD, "Space", space)
    assert space["homepage"]["title"] == "DEV Home"


def test_properties_match_property_schemas(
    wiki: LocalWiki, api: requests.Session, page: dict[str, Any]
) -> None:
    url = f"{wiki.base_url}/rest/api/content/{page['id']}/property"
    one = api.get(f"{url}/confluence-sync").json()
    assert_valid(OLD, "ContentProperty", one)
    assert set(one) >= {"id", "key", "value", "version"}
    listing = api.get(url).json()
    assert_valid(OLD, "ContentPropertyArray", listing)


def test_labels_match_label_array_schema(
    wiki: LocalWiki, api: requests.Session, page: dict[str, Any]
) -> None:
    labels = api.get(f"{wiki.base_url}/rest/api/content/{page['id']}/label").json()
    assert_valid(NEW, "LabelArray", labels)
    assert [label["name"] for label in labels["results"]] == ["postmortem"]
    added = api.post(
        f"{wiki.base_url}/rest/api/content/{page['id']}/label",
        json=[{"prefix": "global", "name": "sev2"}],
    ).json()
    assert_valid(NEW, "LabelArray", added)
    assert {label["name"] for label in added["results"]} == {"postmortem", "sev2"}


def test_attachments_match_content_array_schema(
    wiki: LocalWiki, api: requests.Session, page: dict[str, Any]
) -> None:
    listing = api.get(f"{wiki.base_url}/rest/api/content/{page['id']}/child/attachment").json()
    assert_valid(NEW, "ContentArray", listing)
    (attachment,) = listing["results"]
    assert attachment["id"].startswith("att") and attachment["type"] == "attachment"
    assert attachment["extensions"]["mediaType"] == "image/png"


def test_search_responses_match_search_schemas(
    wiki: LocalWiki, api: requests.Session, page: dict[str, Any]
) -> None:
    cql = 'label = "postmortem" AND space = DEV'
    found = api.get(f"{wiki.base_url}/rest/api/search", params={"cql": cql}).json()
    assert_valid(NEW, "SearchPageResponseSearchResult", found)
    assert [r["content"]["id"] for r in found["results"]] == [page["id"]]
    content = api.get(
        f"{wiki.base_url}/rest/api/content/search",
        params={
            "cql": cql,
            "expand": "version,ancestors,metadata.properties.confluence-sync,metadata.labels",
        },
    ).json()
    assert_valid(NEW, "ContentArray", content)
    (hit,) = content["results"]
    assert hit["metadata"]["properties"]["confluence-sync"]["version"]["number"] == 1
    assert "postmortem" in {label["name"] for label in hit["metadata"]["labels"]["results"]}


@pytest.mark.parametrize("length", [10, 255, 256, 300])
@pytest.mark.parametrize("schema", ["ContentCreate", "ContentUpdate"])
def test_the_wiki_accepts_a_title_exactly_when_the_spec_allows_it(
    wiki: LocalWiki, api: requests.Session, schema: str, length: int
) -> None:
    """The spec's ``maxLength`` on titles and the wiki's 400 agree, on create and on update."""
    title = f"{schema}-{length}-".ljust(length, "t")[:length]
    payload: dict[str, Any] = {"type": "page", "title": title, "space": {"key": "DEV"}}
    url = f"{wiki.base_url}/rest/api/content"
    if schema == "ContentUpdate":
        target = api.post(url, json={**payload, "title": f"rename {schema} {length}"}).json()
        payload = {"type": "page", "title": title, "version": {"number": 2}}
        answer = api.put(f"{url}/{target['id']}", json=payload)
    else:
        answer = api.post(url, json=payload)
    spec_allows = not list(_validator(OLD, schema).iter_errors(payload))
    assert (answer.status_code == 200) == spec_allows, answer.text
    if not spec_allows:
        assert answer.json()["message"] == "Title cannot be longer than 255 characters"


def test_copy_matches_content_schema_and_takes_what_it_is_asked_to(
    wiki: LocalWiki, api: requests.Session, page: dict[str, Any]
) -> None:
    """``CopyPageRequest``: labels, properties and attachments only when their flag is set."""
    base = wiki.base_url + "/rest/api"
    parent = api.get(f"{base}/content/{page['id']}", params={"expand": "ancestors"}).json()
    parent = parent["ancestors"][-1]["id"]
    copied = {}
    for flag in (True, False):
        body = {
            "copyAttachments": flag,
            "copyLabels": flag,
            "copyProperties": flag,
            "destination": {"type": "parent_page", "value": parent},
            "pageTitle": f"Contract copy {flag}",
        }
        answer = api.post(f"{base}/content/{page['id']}/copy", json=body)
        assert answer.status_code == 200, answer.text
        assert_valid(OLD, "Content", answer.json())
        copied[flag] = answer.json()["id"]
    for flag, copy_id in copied.items():
        labels = api.get(f"{base}/content/{copy_id}/label").json()["results"]
        props = api.get(f"{base}/content/{copy_id}/property").json()["results"]
        files = api.get(f"{base}/content/{copy_id}/child/attachment").json()["results"]
        assert bool(labels) is bool(props) is bool(files) is flag
    assert api.get(f"{base}/content/{copied[True]}").json()["version"]["number"] == 1
