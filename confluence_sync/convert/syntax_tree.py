"""Build markdown-it's ``SyntaxTreeNode`` tree in one pass over the tokens.

``SyntaxTreeNode(tokens)`` copies the token slice of every container into a new list before
recursing into it, so its cost grows with nesting depth; on a typical page it took half of the
rendering time. ``syntax_tree`` builds the same tree (same ``type`` / ``token`` /
``nester_tokens`` / ``parent`` / ``children``) with one stack, and refuses the same unbalanced
streams with ``ValueError``.

Its nodes are ``TreeNode``: a ``SyntaxTreeNode`` (every property and method the rules use is
markdown-it's own) whose ``type``, ``children`` and ``parent`` are plain slots filled when the
node is made. The rules ask a node's type about a hundred thousand times per 300 pages; the base
class recomputes it through two properties on every call.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import NamedTuple

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

logger = logging.getLogger(__name__)


class NesterTokens(NamedTuple):
    """A container's opening and closing token (the shape of markdown-it's own pair)."""

    opening: Token
    closing: Token


class TreeNode(SyntaxTreeNode):
    """A node of a tree ``syntax_tree`` built; its type is fixed once the tree exists (nothing
    renames a token while rendering)."""

    __slots__ = ("children", "nester_tokens", "parent", "token", "type")

    type: str  # slots where the base class has properties
    children: list[TreeNode]
    parent: TreeNode | None
    nester_tokens: NesterTokens | None  # type: ignore[assignment]

    def __init__(
        self,
        node_type: str = "root",
        token: Token | None = None,
        nester_tokens: NesterTokens | None = None,
        parent: TreeNode | None = None,
    ) -> None:
        """Not the base constructor: the fields are given, not worked out from tokens."""
        self.type = node_type
        self.token = token
        self.nester_tokens = nester_tokens
        self.parent = parent
        self.children = []


def syntax_tree(tokens: Sequence[Token]) -> TreeNode:
    """Equivalent to ``SyntaxTreeNode(tokens)``; raises ``ValueError`` where it would."""
    root = TreeNode()
    _fill(root, tokens)
    return root


def _fill(parent: TreeNode, tokens: Sequence[Token]) -> None:
    """The nodes for a flat token stream, pairing openers and closers by nesting alone.

    A container's node is made when its opener is seen and becomes the parent of what follows
    until its closer, so every node gets its parent and its place at once.
    """
    children = parent.children
    stack: list[tuple[TreeNode, Token]] = []
    for token in tokens:
        nesting = token.nesting
        if nesting == 0:
            leaf = TreeNode(token.type, token, None, parent)
            if token.children:
                _fill(leaf, token.children)
            children.append(leaf)
        elif nesting == 1:
            stack.append((parent, token))
            parent = TreeNode(token.type.removesuffix("_open"), None, None, parent)
            children.append(parent)
            children = parent.children
        elif not stack:
            raise ValueError("Invalid token nesting")
        else:
            outer, opening = stack.pop()
            parent.nester_tokens = NesterTokens(opening, token)
            parent = outer
            children = parent.children
    if stack:
        raise ValueError(f"unclosed tokens starting {stack[0][1]}")


def release(root: SyntaxTreeNode) -> None:
    """Empty every node's children once a tree is rendered.

    Parent links make each tree a web of reference cycles that only Python's cyclic collector
    could free; with the downward links cut, reference counting frees the tree at once, so
    converting a site leaves no cyclic garbage behind (see ``convert.collector_paused``).
    """
    stack = [root]
    while stack:
        node = stack.pop()
        if node.children:
            stack.extend(node.children)
            node.children = []


def balanced(tokens: Sequence[Token]) -> list[Token]:
    """Drop closing tokens that close nothing, and close what was left open.

    Plugins can emit an unbalanced stream for pathological input (a footnote definition nested
    in another one loses its opening tokens); ``SyntaxTreeNode`` would refuse it outright.
    """
    result: list[Token] = []
    stack: list[Token] = []
    for token in tokens:
        if token.nesting == 1:
            stack.append(token)
        elif token.nesting == -1:
            if not stack or stack[-1].type.removesuffix("_open") != token.type.removesuffix(
                "_close"
            ):
                logger.debug("dropping unbalanced %s", token.type)
                continue
            stack.pop()
        result.append(token)
    for opener in reversed(stack):
        closer = Token(opener.type.removesuffix("_open") + "_close", opener.tag, -1)
        result.append(closer)
    return result
