"""The page-properties report (``detailssummary``): a table of ``details`` macros of the pages
its CQL finds, which is how Confluence lists postmortems on an index page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree

from confluence_sync.localwiki.api_error import ApiError
from confluence_sync.localwiki.html.storage_xml import ac, macro_params, text_of
from confluence_sync.localwiki.store.database import ContentRow
from confluence_sync.localwiki.store.storage_format import parse_storage


@dataclass(frozen=True)
class ReportRow:
    """One page's details: its title, link and the cells keyed by heading."""

    page: ContentRow
    url: str
    cells: dict[str, etree._Element]

    def text(self, heading: str) -> str:
        cell = self.cells.get(heading)
        return "" if cell is None else " ".join(text_of(cell).split())


def page_details(storage: str, wanted_id: str | None) -> dict[str, etree._Element] | None:
    """Key -> value cell of the first matching ``details`` macro, or None without one."""
    try:
        root = parse_storage(storage)
    except ApiError:
        return None
    for macro in root.iter(ac("structured-macro")):
        if macro.get(ac("name")) != "details":
            continue
        if wanted_id and macro_params(macro).get("id", "") != wanted_id:
            continue
        return _table_pairs(macro)
    return None


def _table_pairs(macro: etree._Element) -> dict[str, etree._Element]:
    pairs: dict[str, etree._Element] = {}
    for row in macro.iter("tr"):
        cells = [c for c in row if c.tag in ("th", "td")]
        if len(cells) >= 2:
            key = " ".join(text_of(cells[0]).split())
            if key:
                pairs[key] = cells[1]
    return pairs


def report_query(macro: etree._Element) -> str:
    """The macro's CQL; older pages name a label instead."""
    params = macro_params(macro)
    if params.get("cql"):
        return params["cql"]
    if params.get("label"):
        return f'label = "{params["label"]}"'
    return ""


def build_table(
    macro: etree._Element,
    rows: Sequence[ReportRow],
    render_cell: Callable[[etree._Element, etree._Element], None],
) -> etree._Element:
    """Columns: the first (page title) then ``headings`` or every key seen, in order."""
    params = macro_params(macro)
    headings = [h.strip() for h in params.get("headings", "").split(",") if h.strip()]
    if not headings:
        for row in rows:
            headings += [k for k in row.cells if k not in headings]
    ordered = _sorted(rows, params)
    table = etree.Element("table", {"class": "report"})
    head = etree.SubElement(etree.SubElement(table, "thead"), "tr")
    for title in [params.get("firstcolumn") or "Title", *headings]:
        etree.SubElement(head, "th").text = title
    body = etree.SubElement(table, "tbody")
    for row in ordered:
        line = etree.SubElement(body, "tr")
        etree.SubElement(etree.SubElement(line, "td"), "a", {"href": row.url}).text = row.page.title
        for heading in headings:
            cell = etree.SubElement(line, "td")
            if heading in row.cells:
                render_cell(row.cells[heading], cell)
    if not ordered:
        empty = etree.SubElement(
            etree.SubElement(body, "tr"), "td", {"colspan": str(len(headings) + 1)}
        )
        empty.text = "No pages match this report."
    return table


def _sorted(rows: Sequence[ReportRow], params: dict[str, str]) -> list[ReportRow]:
    sort_by = params.get("sortBy", "").strip()
    reverse = params.get("reverseSort", "false").lower() == "true"
    if sort_by and sort_by.lower() != "title":
        keyed = sorted(rows, key=lambda r: r.text(sort_by).lower())
    elif sort_by:
        keyed = sorted(rows, key=lambda r: r.page.title.lower())
    else:
        keyed = sorted(rows, key=lambda r: (r.page.created_at, int(r.page.id)), reverse=True)
    return list(reversed(keyed)) if reverse else keyed


def report_error(message: str) -> etree._Element:
    box = etree.Element("div", {"class": "panel panel-warning"})
    etree.SubElement(box, "div", {"class": "panel-title"}).text = "Page properties report"
    etree.SubElement(box, "p").text = message
    return box
