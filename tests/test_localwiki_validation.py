"""The local wiki refuses what Confluence refuses on create and update, with Confluence's status
and message: page titles (required, at most 255 characters) and label names (no whitespace, none
of ``! # & ( ) * , . : ; < > ? @ [ ] ^``, at most 255 characters, stored lower-cased).

A publish test that sends such input therefore fails here the way it would on a real site.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
import requests
from atlassian import Confluence
from requests import HTTPError

from confluence_sync.localwiki import LocalWiki

_numbers = count(1)
TOO_LONG = "Title cannot be longer than 255 characters"
FORBIDDEN = "!#&()*,.:;<>?@[]^"


@pytest.fixture(scope="module", params=["cloud", "server"])
def wiki(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalWiki]:
    with LocalWiki(tmp_path_factory.mktemp(request.param), mode=request.param) as running:
        yield running


@pytest.fixture(scope="module")
def api() -> requests.Session:
    session = requests.Session()
    session.auth = ("admin", "admin")
    return session


def rest(wiki: LocalWiki, path: str) -> str:
    return f"{wiki.base_url}/rest/api{path}"


def create(api: requests.Session, wiki: LocalWiki, title: str, **extra: Any) -> requests.Response:
    payload = {
        "type": "page",
        "title": title,
        "space": {"key": "DEV"},
        "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
        **extra,
    }
    return api.post(rest(wiki, "/content"), json=payload)


def unique(length: int, char: str = "t") -> str:
    """A title of exactly ``length`` characters that no other test uses."""
    stem = f"{next(_numbers)}-"
    return stem + char * (length - len(stem))


def titled(api: requests.Session, wiki: LocalWiki, title: str) -> int:
    found = api.get(rest(wiki, "/content"), params={"spaceKey": "DEV", "title": title}).json()
    return int(found["size"])


# titles -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Content must have a title."),
        ("   ", "Content must have a title."),
        (unique(256), TOO_LONG),
        (unique(300), TOO_LONG),
        (unique(256, "é"), TOO_LONG),
    ],
    ids=["empty", "blank", "256-chars", "300-chars", "256-accented"],
)
def test_a_page_whose_title_confluence_refuses_is_400_and_not_created(
    wiki: LocalWiki, api: requests.Session, title: str, message: str
) -> None:
    answer = create(api, wiki, title)
    assert answer.status_code == 400
    assert answer.json()["message"] == message
    assert titled(api, wiki, title) == 0


@pytest.mark.parametrize(
    "title",
    [unique(255), unique(255, "é"), unique(255, "\U0001f525"), unique(1, "")],
    ids=["255-ascii", "255-accented", "255-astral", "short"],
)
def test_titles_up_to_255_characters_are_accepted(
    wiki: LocalWiki, api: requests.Session, title: str
) -> None:
    answer = create(api, wiki, title)
    assert answer.status_code == 200, answer.text
    assert answer.json()["title"] == title


def test_renaming_to_a_title_over_255_characters_is_400_and_keeps_the_page(
    wiki: LocalWiki, api: requests.Session
) -> None:
    page = create(api, wiki, unique(20)).json()
    rename = api.put(
        rest(wiki, f"/content/{page['id']}"),
        json={"type": "page", "title": unique(256), "version": {"number": 2}},
    )
    assert rename.status_code == 400 and rename.json()["message"] == TOO_LONG
    kept = api.get(rest(wiki, f"/content/{page['id']}")).json()
    assert kept["title"] == page["title"] and kept["version"]["number"] == 1


def test_the_client_library_sees_the_refusal_as_an_http_error(wiki: LocalWiki) -> None:
    client = Confluence(url=wiki.base_url, username="admin", password="admin", cloud=False)
    with pytest.raises(HTTPError, match="Title cannot be longer than 255 characters"):
        client.create_page("DEV", unique(256), "<p>x</p>")


# labels -------------------------------------------------------------------------------------
BAD_LABELS = ["two words", "tab\there", "line\nbreak", "x(y)", "", "a" * 256] + [
    f"bad{char}label" for char in FORBIDDEN
]


@pytest.mark.parametrize("name", BAD_LABELS, ids=repr)
def test_a_label_confluence_refuses_is_400_not_a_valid_label_name(
    wiki: LocalWiki, api: requests.Session, name: str
) -> None:
    page = create(api, wiki, unique(20)).json()
    url = rest(wiki, f"/content/{page['id']}/label")
    answer = api.post(url, json=[{"prefix": "global", "name": "fine"}, {"name": name}])
    assert answer.status_code == 400
    assert answer.json()["message"] == f"'{name.strip()}' is not a valid label name."
    assert api.get(url).json()["results"] == []  # the valid label in the request is not added


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("Sev-1", "sev-1"),
        ("POSTMORTEM", "postmortem"),
        ("störung_2026", "störung_2026"),
        ("a" * 255, "a" * 255),
        ("x/y+z=$%'\"~`|{}", "x/y+z=$%'\"~`|{}"),
    ],
    ids=["mixed-case", "upper", "unicode", "255-chars", "other-punctuation"],
)
def test_valid_labels_are_stored_in_lower_case(
    wiki: LocalWiki, api: requests.Session, name: str, stored: str
) -> None:
    page = create(api, wiki, unique(20)).json()
    url = rest(wiki, f"/content/{page['id']}/label")
    answer = api.post(url, json={"prefix": "global", "name": name})
    assert answer.status_code == 200, answer.text
    assert [label["name"] for label in api.get(url).json()["results"]] == [stored]


def test_an_invalid_label_at_creation_refuses_the_whole_page(
    wiki: LocalWiki, api: requests.Session
) -> None:
    title = unique(20)
    answer = create(api, wiki, title, metadata={"labels": [{"name": "has space"}]})
    assert answer.status_code == 400
    assert answer.json()["message"] == "'has space' is not a valid label name."
    assert titled(api, wiki, title) == 0
