"""Markdown → Confluence storage format."""

from confluence_sync.convert.model import Attachment, LinkResolver, PageTarget, StorageDoc

__all__ = ["Attachment", "LinkResolver", "PageTarget", "StorageDoc"]
