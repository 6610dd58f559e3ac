"""Task lists (``- [ ] item``) → Confluence's native tasks (``ac:task-list``).

markdown-it-py's ``tasklists`` option marks each item with ``meta["checked"]``; its
``tasklists`` plugin is avoided because it injects raw HTML checkboxes. A list whose every item
has a box becomes a task list; a lone box in an otherwise plain list stays a visible ☐ / ☑.
"""

from __future__ import annotations

from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import blocks, macros
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.render_context import RenderContext


def _is_task_list(node: SyntaxTreeNode) -> bool:
    return bool(node.children) and all("checked" in item.meta for item in node.children)


def bullet_list(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    if _is_task_list(node):
        return _tasks(node, ctx)
    return blocks.bullet_list(node, ctx)


def ordered_list(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    if _is_task_list(node):
        return _tasks(node, ctx)
    return blocks.ordered_list(node, ctx)


def _tasks(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """Every item has a checkbox: Confluence's native tasks (see ``macros.task_list``)."""
    return macros.task_list([(bool(i.meta["checked"]), _task_body(i, ctx)) for i in node.children])


def _task_body(item: SyntaxTreeNode, ctx: RenderContext) -> str:
    """Task bodies hold inline content in Confluence: paragraphs lose ``<p>`` and are joined by
    line breaks, even in a loose list; nested lists follow."""
    texts: list[str] = []
    blocks_after: list[str] = []
    for child in item.children:
        if child.type == "paragraph" and not blocks_after:
            texts.append(ctx.children(child))
        else:
            blocks_after.append(ctx.render(child))
    return "<br/>".join(texts) + "".join(blocks_after)


def list_item(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """A list item; a lone checkbox item in an otherwise plain list keeps a visible box."""
    box = ""
    if "checked" in node.meta:
        box = "\u2611 " if node.meta["checked"] else "\u2610 "
    return f"<li>{box}{ctx.children(node)}</li>"


EXTENSION = Extension(
    "tasks",
    options=MappingProxyType({"tasklists": True}),
    rules=MappingProxyType(
        {"bullet_list": bullet_list, "ordered_list": ordered_list, "list_item": list_item}
    ),
)
