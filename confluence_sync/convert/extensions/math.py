"""LaTeX math: ``$…$`` inline and ``$$…$$`` blocks (also what pymdownx.arithmatex writes in its
dollar forms) → the ``mathinline`` / ``mathblock`` macros of Confluence math apps.

Parsing math as its own syntax is what keeps the inline extensions off it: before, ``^`` in
``$$e^{-x^2}$$`` was taken for a superscript and the formula mangled. The dollar rules are
Pandoc's (mdit-py-plugins' ``dollarmath`` with spaces and digits not allowed next to the
dollars), so prices such as "$5 and $10" stay text.

With ``math = "image"`` (the default for a site) each formula is an image drawn through the
site's resolver (``renderers/math_image.py``, matplotlib's mathtext). With ``math = "macro"``,
and when converting without a site, the formulas are macros holding the LaTeX source as it was
written: ``mathinline`` in its ``body`` parameter, ``mathblock`` as its plain-text body, which
is how the math apps on the Atlassian Marketplace store it.
"""

from __future__ import annotations

from functools import partial
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.dollarmath import dollarmath_plugin

from confluence_sync.convert import macros
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.render_context import RenderContext
from confluence_sync.convert.storage_doc import DiagramResolver


def math_inline(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    latex = node.content.strip()
    return _image(node, ctx, latex) or macros.macro("mathinline", {"body": latex})


def math_block(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    latex = node.content.strip("\n")
    image = _image(node, ctx, " ".join(latex.split()))
    if image is not None:
        return f"<p>{image}</p>"
    return macros.macro("mathblock", plain_body=latex)


def _image(node: SyntaxTreeNode, ctx: RenderContext, latex: str) -> str | None:
    """With ``math = "image"``, the formula drawn by the site's resolver (the LaTeX as its alt
    text, what a reader without images sees), else None for the macro. A formula that cannot be
    drawn is an error naming why."""
    resolver = ctx.state.resolver
    if ctx.state.math != "image" or not isinstance(resolver, DiagramResolver):
        return None
    found = resolver.resolve_diagram("math", latex)
    if isinstance(found, str):
        ctx.problem(node, found)
        return None
    attachment = ctx.state.attachments.add(found)
    return macros.attachment_image(attachment.filename, alt=latex)


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
