"""The repo side: discover pages, read front matter, build the page tree, convert the site."""

from confluence_sync.source.site import POSTMORTEMS_KEY, Site, build_site

__all__ = ["POSTMORTEMS_KEY", "Site", "build_site"]
