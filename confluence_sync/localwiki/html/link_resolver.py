"""Answers the storage renderer's questions about one page: where links, images and child pages
lead in this wiki, and what a page-properties report lists."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from confluence_sync.localwiki.api.rest_json import Shaper
from confluence_sync.localwiki.api_error import ApiError
from confluence_sync.localwiki.html.properties_report import (
    ReportRow,
    build_table,
    page_details,
    report_error,
    report_query,
)
from confluence_sync.localwiki.html.storage_to_html import Renderer
from confluence_sync.localwiki.html.storage_xml import macro_params
from confluence_sync.localwiki.store.cql import run_cql
from confluence_sync.localwiki.store.database import ContentRow, Store
from confluence_sync.localwiki.wiki_urls import webui_path

if TYPE_CHECKING:
    from confluence_sync.localwiki.app import WikiState


class PageResolver:
    """Answers the renderer's questions about links, images and child pages of one page."""

    def __init__(self, state: WikiState, page: ContentRow | None, space_key: str) -> None:
        assert state.site is not None
        self.state = state
        self.store: Store = state.store
        self.page = page
        self.space_key = space_key
        self.context = state.site.context
        self.shaper = Shaper(state.store, state.site)

    def url(self, row: ContentRow) -> str:
        return self.context + webui_path(row.space_key, row.id, row.title)

    def page_url(self, title: str, space_key: str | None) -> str | None:
        row = self.store.find_title(space_key or self.space_key, title, "page")
        return self.url(row) if row else None

    def attachment_url(self, filename: str, page_title: str | None) -> str | None:
        owner = self.page
        if page_title:
            owner = self.store.find_title(self.space_key, page_title, "page")
        if owner is None:
            return None
        for attachment in self.store.children(owner.id, "attachment"):
            if attachment.title == filename:
                return self.context + self.shaper.download_path(attachment)
        return None

    def child_links(self) -> list[tuple[str, str]]:
        if self.page is None:
            return []
        return [(c.title, self.url(c)) for c in self.store.children(self.page.id)]

    def report(self, macro: etree._Element) -> etree._Element:
        try:
            found = run_cql(self.store, report_query(macro), self.space_key)
        except ApiError as error:
            return report_error(error.message)
        wanted = macro_params(macro).get("id") or None
        rows = []
        for row in found:
            if row.type != "page" or (self.page is not None and row.id == self.page.id):
                continue
            cells = page_details(row.body, wanted)
            if cells is not None:
                rows.append(ReportRow(row, self.url(row), cells))

        def cell(src: etree._Element, dst: etree._Element) -> None:
            Renderer(PageResolver(self.state, None, self.space_key)).children(src, dst)

        return build_table(macro, rows, cell)
