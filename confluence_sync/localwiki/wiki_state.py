"""``WikiState``: everything a request may touch, in a module of its own.

The app (``app.py``) builds it and wires the routes; the route modules (``api/``, ``html/``)
only receive it. It lives apart from the app so that a route module naming its type imports
this module, not the app that imports the routes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from confluence_sync.localwiki.access import HostPolicy
from confluence_sync.localwiki.faults import FaultInjector, RequestLog
from confluence_sync.localwiki.store.attachment_rules import Attachments
from confluence_sync.localwiki.store.database import Store
from confluence_sync.localwiki.store.label_rules import Labels
from confluence_sync.localwiki.store.page_rules import Pages
from confluence_sync.localwiki.store.property_rules import Properties
from confluence_sync.localwiki.store.restriction_rules import Restrictions
from confluence_sync.localwiki.wiki_urls import Site


@dataclass
class WikiState:
    """Everything a request may touch; one per LocalWiki."""

    store: Store
    pages: Pages
    labels: Labels
    properties: Properties
    attachments: Attachments
    users: Mapping[str, str]  # username -> token
    cloud: bool
    injector: FaultInjector
    log: RequestLog
    hosts: HostPolicy
    site: Site | None = None
    readers: frozenset[str] = frozenset()  # users without permission to write in any space
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)  # group -> members

    @property
    def restrictions(self) -> Restrictions:
        """Page restrictions, decided against the wiki's users and groups."""
        return Restrictions(self.store, self.users, self.groups)
