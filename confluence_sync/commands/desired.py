"""What the space should hold for this repository: one function every command starts from.

The guide's pages and the template page come from the repository; the Postmortems index is
rendered from the incident pages in the wiki, because incidents live and change there. ``sync``,
``plan``, ``diff`` and ``incident new`` all take the index from here, so none of them reports a
difference another one would not.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from confluence_sync.config import Settings
from confluence_sync.pages import DesiredPage
from confluence_sync.publish.gateway import Gateway
from confluence_sync.source.rules import normal_label
from confluence_sync.source.site import POSTMORTEMS_KEY
from confluence_sync.template import (
    IncidentRecord,
    PostmortemTemplate,
    load_template,
    read_incident_record,
    render_postmortems_page,
)
from confluence_sync.template.records import restricted_record
from confluence_sync.template.render import RESTRICTED_LABEL

log = logging.getLogger(__name__)


def today_utc() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def desired_pages(
    settings: Settings,
    site_pages: Sequence[DesiredPage],
    gateway: Gateway,
    *,
    today: dt.date,
) -> tuple[DesiredPage, ...]:
    """The site's pages with the Postmortems index rendered from the wiki's incident pages."""
    pages = tuple(site_pages)
    current = next((p for p in pages if p.key == POSTMORTEMS_KEY), None)
    if current is None or settings.template is None:
        return pages
    template = load_template(settings.template)
    records = read_records(gateway, settings.space, template)
    fresh = postmortems_page(settings, template, records, today=today)
    return tuple(fresh if p is current else p for p in pages)


def postmortems_page(
    settings: Settings,
    template: PostmortemTemplate,
    records: Sequence[IncidentRecord],
    *,
    today: dt.date,
) -> DesiredPage:
    """The index page exactly as the site model lays it out (under the root, the configured
    labels), with its body rendered from ``records``."""
    body = render_postmortems_page(template, list(records), today=today, space=settings.space)
    labels = tuple(dict.fromkeys(normal_label(label) for label in settings.labels))
    return DesiredPage(POSTMORTEMS_KEY, settings.postmortems_title, body, None, labels)


def read_records(
    gateway: Gateway, space: str, template: PostmortemTemplate
) -> list[IncidentRecord]:
    """One CQL query for the incident pages, then one body read per incident."""
    records = []
    for page in gateway.managed_pages(space, template.labels[0]):
        if RESTRICTED_LABEL in page.labels:  # its body stays out of the index: not even read
            record = restricted_record(page.title)
        else:
            record = read_incident_record(page.title, gateway.page_body(page.id))
        if record is None:
            log.info("skipping %s: no page-properties table with a date", page.title)
            continue
        records.append(record)
    return sort_records(records)


def sort_records(records: Sequence[IncidentRecord]) -> list[IncidentRecord]:
    return sorted(records, key=lambda r: (r.date, r.title), reverse=True)


def with_record(
    records: Sequence[IncidentRecord], record: IncidentRecord | None
) -> list[IncidentRecord]:
    """``records`` with ``record`` in place of any record of the same title."""
    if record is None:
        return list(records)
    return sort_records([*(r for r in records if r.title != record.title), record])
