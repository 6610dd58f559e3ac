"""LaTeX math: ``$…$`` inline and ``$$…$$`` blocks (also what pymdownx.arithmatex writes in its
dollar forms) → the ``mathinline`` / ``mathblock`` macros of Confluence math apps.

Parsing math as its own syntax is what keeps the inline extensions off it: before, ``^`` in
``$$e^{-x^2}$$`` was taken for a superscript and the formula mangled. The dollar rules are
Pandoc's (mdit-py-plugins' ``dollarmath`` with spaces and digits not allowed next to the
dollars), so prices such as "$5 and $10" stay text.

The macros take the LaTeX source as it was written: ``mathinline`` in its ``body`` parameter,
``mathblock`` as its plain-text body, which is how the math apps on the Atlassian Marketplace
store it. Rendering formulas to images for sites without such an app is not done yet.
"""

from __future__ import annotations

from functools import partial
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.dollarmath import dollarmath_plugin

from confluence_sync.convert import macros
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.render_context import RenderContext


def math_inline(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return macros.macro("mathinline", {"body": node.content.strip()})


def math_block(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    return macros.macro("mathblock", plain_body=node.content.strip("\n"))


EXTENSION = Extension(
    "math",
    plugins=(partial(dollarmath_plugin, allow_space=False, allow_digits=False),),
    rules=MappingProxyType(
        {
            "math_inline": math_inline,
            "math_inline_double": math_block,
            "math_block": math_block,
            "math_block_label": math_block,
        }
    ),
)
