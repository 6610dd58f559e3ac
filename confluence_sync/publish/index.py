"""Refresh the Postmortems index from the incident pages the wiki holds.

The metrics are computed from the wiki, not the repo, because incident pages live and change
there (status, tickets, action-item progress); reading them is the only way the index can be true.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from confluence_sync.config import Settings
from confluence_sync.publish.gateway import Gateway
from confluence_sync.source.site import POSTMORTEMS_KEY, Site
from confluence_sync.template import (
    IncidentRecord,
    load_template,
    read_incident_record,
    render_postmortems_page,
)

log = logging.getLogger(__name__)


def refresh_postmortems_index(
    settings: Settings, site: Site, gateway: Gateway, today: dt.date
) -> Site:
    """The site with its Postmortems page re-rendered from the incident pages in the space."""
    current = next((p for p in site.pages if p.key == POSTMORTEMS_KEY), None)
    if current is None or settings.template is None:
        return site
    template = load_template(settings.template)
    records = read_records(gateway, settings.space, template.labels[0])
    body = render_postmortems_page(template, records, today=today, space=settings.space)
    fresh = replace(current, body=body, digest="")  # an empty digest is recomputed
    return replace(site, pages=tuple(fresh if p is current else p for p in site.pages))


def read_records(gateway: Gateway, space: str, label: str) -> list[IncidentRecord]:
    """One CQL query for the incident pages, then one body read per incident."""
    records = []
    for page in gateway.managed_pages(space, label):
        record = read_incident_record(page.title, gateway.page_body(page.id))
        if record is None:
            log.info("skipping %s: no page-properties table with a date", page.title)
            continue
        records.append(record)
    return sorted(records, key=lambda r: (r.date, r.title), reverse=True)
