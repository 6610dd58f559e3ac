"""A whole storage body → one Markdown document."""

from __future__ import annotations

from lxml import etree

from confluence_sync.convert.canonical import parse_storage
from confluence_sync.reverse.blocks import BLOCK_RULES, footnotes, is_footnote_block
from confluence_sync.reverse.flow import Item, content_nodes, flow_items, list_family, render_item
from confluence_sync.reverse.inlines import INLINE_RULES
from confluence_sync.reverse.link_map import LinkMap, ReverseResult
from confluence_sync.reverse.names import macro_name, parameters
from confluence_sync.reverse.normalise import normalise
from confluence_sync.reverse.reverse_context import ReverseContext, ReverseState
from confluence_sync.reverse.untrusted import check_depth, drop_refused_macros, neutralise_markers


def storage_to_markdown(
    storage: str,
    *,
    links: LinkMap | None = None,
    source: str = "<storage>",
    toc_in_front_matter: bool = False,
    tight_lists: bool = False,
    attachment_folder: str = "",
) -> ReverseResult:
    """The Markdown the forward converter turns back into ``storage`` (up to editor noise).

    ``links`` places page links and attachments in the repository (without it, every page link
    keeps only its text and every attachment counts as new). ``toc_in_front_matter``: the page's
    front matter says ``toc: true``, so the table of contents the converter put first is not
    written into the body again. ``tight_lists``: list items holding one paragraph each are
    written as a tight list (the Cloud editor stores every item as ``<li><p>``, which would
    otherwise read as a loose list); a loose list of the repository then comes back tight.
    ``attachment_folder``: where an attachment the repository lacks will be saved, relative to
    the page's folder. ``source`` names the page in warnings. The page is untrusted
    (``untrusted.py``): raises ``TooDeep`` for a tree nested too deep to walk; what may not
    reach the repository is left out or kept as text and listed in ``refusals``.
    """
    root = parse_storage(storage)
    check_depth(root)
    normalise(root)
    state = ReverseState(source, links, tight_lists, attachment_folder)
    ctx = ReverseContext(BLOCK_RULES, INLINE_RULES, state)
    ctx.state.refusals.extend(drop_refused_macros(root))
    items = flow_items(content_nodes(root))
    if toc_in_front_matter and items and _is_plain_toc(items[0]):
        items = items[1:]
    blocks = _render_root(items, ctx)
    if blocks and blocks[0] == "---":  # would open a front matter block
        blocks[0] = "***"
    markdown, markers = neutralise_markers("\n\n".join(blocks))
    if markers:
        ctx.warn(f"{markers} include marker(s) from the wiki made inert (--8<--, :::, {{% or {{*)")
    return ReverseResult(
        markdown + "\n" if markdown else "",
        tuple(ctx.state.new_attachments.values()),
        tuple(ctx.state.warnings),
        tuple(ctx.state.refusals),
    )


def _is_plain_toc(item: Item) -> bool:
    return not isinstance(item, list) and macro_name(item) == "toc" and not parameters(item)


def _render_root(items: list[Item], ctx: ReverseContext) -> list[str]:
    """Like ``flow.render_items``, and the converter's footnote section (``<hr/><ol>``) becomes
    footnote definitions."""
    blocks = []
    previous: str | None = None
    index = 0
    while index < len(items):
        item = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        notes = following if isinstance(following, etree._Element) else None
        ctx.state.previous_list = previous
        if notes is not None and not isinstance(item, list) and is_footnote_block(item, notes):
            blocks.append(footnotes(notes, ctx))
            index += 2
            previous = None
            continue
        block = render_item(item, ctx)
        if block:
            blocks.append(block)
            previous = list_family(item)
        index += 1
    return blocks
