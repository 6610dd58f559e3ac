"""A Confluence-compatible local wiki: REST v1 subset over real HTTP, SQLite, HTML view.

It is the test double for everything that publishes and the embedded default target when no
``CONFLUENCE_URL`` is set.
"""

from confluence_sync.localwiki.faults import Faults, LoggedRequest
from confluence_sync.localwiki.server import LocalWiki

__all__ = ["Faults", "LocalWiki", "LoggedRequest"]
