"""A Confluence-compatible local wiki: REST v1 subset over real HTTP, SQLite, HTML view.

It is the test double for everything that publishes and the embedded default target when no
``CONFLUENCE_URL`` is set. Layout, by role:

- ``server`` (:class:`LocalWiki`, start/stop in a thread), ``foreground`` (``wiki serve``),
  ``app`` (the WSGI application: faults, request log, dispatch), ``access`` (the Host check
  and credentials), ``faults``,
  ``api_error`` (Confluence's error envelope), ``wiki_urls`` (base URL and page paths);
- ``api/``: the REST handlers, one module per resource, and ``rest_json`` (the JSON shapes);
- ``store/``: SQLite and Confluence's rules (pages, labels, properties, attachments, CQL,
  storage-format checks);
- ``html/``: the browser view (routing, layout, storage rendered as HTML, macro handlers).
"""

from confluence_sync.localwiki.faults import FailRule, Faults, LoggedRequest
from confluence_sync.localwiki.server import LocalWiki

__all__ = ["FailRule", "Faults", "LocalWiki", "LoggedRequest"]
