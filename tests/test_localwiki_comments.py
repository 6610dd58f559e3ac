"""The local wiki's inline comments, checked against Atlassian's schemas (vendored in
``fixtures/specs``): v2 ``POST /inline-comments`` (``CreateInlineCommentModel`` in,
``InlineCommentModel`` out), ``GET /pages/{id}/inline-comments`` (``PageInlineCommentModel``,
filtered by ``resolution-status``), v1 ``GET /content/{id}/child/comment`` (``ContentArray``);
the marker goes into the page's storage at the chosen occurrence, without a new version, and a
comment whose marker is gone from the page is ``dangling``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from test_localwiki_contract import OLD
from test_localwiki_contract import assert_valid as assert_v1_valid
from v2_schema import assert_collection, assert_valid

from confluence_sync.localwiki import LocalWiki

AUTH = ("admin", "admin")
BODY = (
    "<p>Impact first, then impact again.</p>"
    '<ac:structured-macro ac:name="code"><ac:parameter ac:name="title">impact</ac:parameter>'
    "<ac:plain-text-body><![CDATA[Impact]]></ac:plain-text-body></ac:structured-macro>"
)


@pytest.fixture
def wiki(local_wiki: LocalWiki) -> Iterator[LocalWiki]:
    yield local_wiki


def make_page(wiki: LocalWiki) -> str:
    created = requests.post(
        f"{wiki.base_url}/rest/api/content",
        json={
            "type": "page",
            "title": "Commented",
            "space": {"key": "DEV"},
            "body": {"storage": {"value": BODY, "representation": "storage"}},
        },
        auth=AUTH,
        timeout=10,
    )
    created.raise_for_status()
    return str(created.json()["id"])


def storage(wiki: LocalWiki, page_id: str) -> tuple[str, int]:
    page = requests.get(
        f"{wiki.base_url}/rest/api/content/{page_id}",
        params={"expand": "body.storage,version"},
        auth=AUTH,
        timeout=10,
    ).json()
    return page["body"]["storage"]["value"], page["version"]["number"]


def create_v2(wiki: LocalWiki, page_id: str, text: str, **more: int) -> requests.Response:
    request: dict[str, Any] = {
        "pageId": page_id,
        "body": {"representation": "storage", "value": "<p>Which impact?</p>"},
        "inlineCommentProperties": {"textSelection": text, **more},
    }
    assert_valid("CreateInlineCommentModel", request)
    return requests.post(
        f"{wiki.base_url}/api/v2/inline-comments", json=request, auth=AUTH, timeout=10
    )


def test_a_v2_comment_marks_the_chosen_occurrence_without_a_new_version(wiki: LocalWiki) -> None:
    page_id = make_page(wiki)
    created = create_v2(
        wiki, page_id, "impact", textSelectionMatchCount=1, textSelectionMatchIndex=0
    )
    assert created.status_code == 200, created.text
    comment = created.json()
    assert_valid("InlineCommentModel", comment)
    ref = comment["properties"]["inlineMarkerRef"]
    assert comment["resolutionStatus"] == "open" and comment["pageId"] == page_id
    body, version = storage(wiki, page_id)
    assert version == 1
    # only page text is selectable: not the code body, not the macro parameter
    assert (
        f'then <ac:inline-comment-marker ac:ref="{ref}">impact</ac:inline-comment-marker>' in body
    )
    assert '<ac:parameter ac:name="title">impact</ac:parameter>' in body

    listed = requests.get(
        f"{wiki.base_url}/api/v2/pages/{page_id}/inline-comments",
        params={"body-format": "storage"},
        auth=AUTH,
        timeout=10,
    ).json()
    assert_collection("PageInlineCommentModel", listed)
    only = listed["results"][0]
    assert only["properties"]["inlineOriginalSelection"] == "impact"
    assert only["body"]["storage"]["value"] == "<p>Which impact?</p>"
    by_id = requests.get(
        f"{wiki.base_url}/api/v2/inline-comments/{comment['id']}", auth=AUTH, timeout=10
    )
    assert_valid("InlineCommentModel", by_id.json())


def test_a_selection_the_page_lacks_or_miscounts_is_refused(wiki: LocalWiki) -> None:
    page_id = make_page(wiki)
    assert create_v2(wiki, page_id, "not on the page").status_code == 400
    assert create_v2(wiki, page_id, "Impact", textSelectionMatchCount=3).status_code == 400
    assert create_v2(wiki, page_id, "Impact", textSelectionMatchIndex=1).status_code == 400
    assert "inline-comment-marker" not in storage(wiki, page_id)[0]


def test_a_comment_whose_marker_is_gone_is_dangling(wiki: LocalWiki) -> None:
    page_id = make_page(wiki)
    kept = create_v2(wiki, page_id, "first").json()
    gone = create_v2(wiki, page_id, "again").json()
    body, _ = storage(wiki, page_id)
    ref = gone["properties"]["inlineMarkerRef"]
    body = body.replace(f'<ac:inline-comment-marker ac:ref="{ref}">again', "again", 1)
    wiki.edit_page(page_id, body.replace("again</ac:inline-comment-marker>", "again", 1))

    def statuses(**params: str) -> dict[str, str]:
        found = requests.get(
            f"{wiki.base_url}/api/v2/pages/{page_id}/inline-comments",
            params=params,
            auth=AUTH,
            timeout=10,
        ).json()["results"]
        return {c["id"]: c["resolutionStatus"] for c in found}

    assert statuses() == {kept["id"]: "open", gone["id"]: "dangling"}
    assert statuses(**{"resolution-status": "dangling"}) == {gone["id"]: "dangling"}


@pytest.mark.parametrize("mode", ["server", "cloud"])
def test_v1_creates_and_lists_inline_comments(tmp_path: Any, mode: str) -> None:
    with LocalWiki(tmp_path / mode, mode=mode) as wiki:  # type: ignore[arg-type]
        page_id = make_page(wiki)
        created = requests.post(
            f"{wiki.base_url}/rest/api/content",
            json={
                "type": "comment",
                "container": {"id": page_id, "type": "page"},
                "body": {"storage": {"value": "<p>Why?</p>", "representation": "storage"}},
                "extensions": {
                    "location": "inline",
                    "inlineProperties": {
                        "originalSelection": "impact",
                        "markerRef": "ref-1",
                        "matchIndex": 0,
                        "numMatches": 1,
                    },
                },
            },
            auth=AUTH,
            timeout=10,
        )
        assert created.status_code == 200, created.text
        assert_v1_valid(OLD, "Content", created.json())
        body, version = storage(wiki, page_id)
        assert version == 1 and 'ac:ref="ref-1">impact</ac:inline-comment-marker>' in body
        listed = requests.get(
            f"{wiki.base_url}/rest/api/content/{page_id}/child/comment",
            params={
                "location": "inline",
                "expand": "extensions.inlineProperties,extensions.resolution",
            },
            auth=AUTH,
            timeout=10,
        ).json()
        assert_v1_valid(OLD, "ContentArray", listed)
        [comment] = listed["results"]
        assert comment["type"] == "comment"
        assert comment["extensions"]["inlineProperties"] == {
            "markerRef": "ref-1",
            "originalSelection": "impact",
        }
        assert comment["extensions"]["resolution"]["status"] == "open"
