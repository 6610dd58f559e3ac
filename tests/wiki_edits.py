"""Pages edited in the local wiki the way people do: read the storage through REST, change it as
the Confluence editor would, and save a new version as another user. Shared by the pull tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import requests
from lxml import etree

from confluence_sync.convert.canonical import NAMESPACES


class EditableWiki(Protocol):
    base_url: str

    def edit_page(self, page_id: str, body: str, *, by: str, message: str = "") -> Any: ...


def wiki_page(wiki: EditableWiki, title: str) -> dict[str, Any]:
    """The page titled ``title`` in space DEV, with its storage body and version."""
    found = requests.get(
        f"{wiki.base_url}/rest/api/content",
        params={"spaceKey": "DEV", "title": title, "expand": "body.storage,version"},
        auth=("admin", "admin"),
        timeout=10,
    ).json()["results"]
    return dict(found[0])


def edit_as_a_person(
    wiki: EditableWiki, title: str, change: Callable[[etree._Element], None]
) -> str:
    """Apply ``change`` to the page's storage (wrapped in a root declaring ``ac:``/``ri:``) and
    save it as jane.doe; returns the new storage."""
    current = wiki_page(wiki, title)
    wrapped = (
        f'<root xmlns:ac="{NAMESPACES["ac"]}" xmlns:ri="{NAMESPACES["ri"]}">'
        f"{current['body']['storage']['value']}</root>"
    )
    root = etree.fromstring(wrapped.encode())
    change(root)
    body = "".join(etree.tostring(child, encoding="unicode") for child in root)
    for prefix in ("ac", "ri"):
        body = body.replace(f' xmlns:{prefix}="{NAMESPACES[prefix]}"', "")
    wiki.edit_page(current["id"], body, by="jane.doe", message="")
    return body
