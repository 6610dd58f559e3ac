"""A search read page by page answers from one evaluation of its query, yet never from a stale
one: a write between two reads is seen by the next."""

from __future__ import annotations

from pathlib import Path

from publish_helpers import guide, sync_round

from confluence_sync.localwiki import LocalWiki
from confluence_sync.publish.atlassian import AtlassianGateway


def test_paged_state_query_sees_every_page_and_the_writes_in_between(
    local_wiki: LocalWiki, tmp_path: Path
) -> None:
    sync_round(local_wiki, guide(tmp_path))
    gw = AtlassianGateway(
        local_wiki.base_url, user=local_wiki.user, token=local_wiki.token, page_size=1
    )
    first = gw.managed_pages("DEV", "confluence-sync")
    assert len({p.id for p in first}) == 4
    again = gw.managed_pages("DEV", "confluence-sync")
    assert [p.id for p in again] == [p.id for p in first]
    gw.remove_labels(first[0].id, ["confluence-sync"])
    assert {p.id for p in gw.managed_pages("DEV", "confluence-sync")} == {p.id for p in first[1:]}
