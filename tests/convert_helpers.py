"""Shared assertions for the converter tests."""

from __future__ import annotations

import re

from lxml import etree

WRAP = (
    '<ac:confluence xmlns:ac="http://www.atlassian.com/schema/confluence/4/ac/"'
    ' xmlns:ri="http://www.atlassian.com/schema/confluence/4/ri/">{}</ac:confluence>'
)
NAMED_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)")
CDATA = re.compile(r"<!\[CDATA\[.*?\]\]>", re.DOTALL)


def assert_storage_xml(xhtml: str) -> None:
    """Strict XML parse (no recovery) and no entity beyond XML's five or numeric references."""
    etree.fromstring(WRAP.format(xhtml).encode("utf-8"), etree.XMLParser(recover=False))
    assert not NAMED_ENTITY.search(CDATA.sub("", xhtml)), xhtml
