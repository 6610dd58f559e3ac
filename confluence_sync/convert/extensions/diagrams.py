"""Diagram fences (```` ```mermaid ````, ```` ```plantuml ```` and other diagram languages) and
draw.io embeds: what the converter does with them today, said out loud.

A reader expects a picture where the author wrote a diagram. Until the renderers are wired into
publishing, such a fence publishes as a code block, the same as before, but with a warning
naming the file, the line and the language, so ``check`` no longer says "ok" over a page whose
diagrams will show as source text. The languages are the fence names the common diagram tools
and their MkDocs/markdown-it plugins use.

A draw.io file shown as an image is warned by the core's image targets (``targets.py``), as raw
HTML ``<img>`` reaches it too.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from markdown_it.tree import SyntaxTreeNode

from confluence_sync.convert import blocks, macros
from confluence_sync.convert.extension import Extension
from confluence_sync.convert.render_context import RenderContext
from confluence_sync.convert.storage_doc import DiagramResolver

# Fence names of diagram languages → the tool a reader would need to see them drawn.
DIAGRAM_LANGUAGES = MappingProxyType(
    {
        "mermaid": "Mermaid",
        "plantuml": "PlantUML",
        "puml": "PlantUML",
        "uml": "PlantUML",
        "dot": "Graphviz",
        "graphviz": "Graphviz",
        "ditaa": "ditaa",
        "d2": "D2",
        "vega": "Vega",
        "vega-lite": "Vega-Lite",
        "wavedrom": "WaveDrom",
        "bpmn": "BPMN",
        "nomnoml": "nomnoml",
        "svgbob": "Svgbob",
        "blockdiag": "blockdiag",
        "seqdiag": "seqdiag",
        "excalidraw": "Excalidraw",
        "drawio": "draw.io",
    }
)


def fence_language(node: SyntaxTreeNode) -> str:
    words = node.info.strip().split()
    return words[0].strip("{}.").lower() if words and "=" not in words[0] else ""


# The languages drawn to images with ``diagrams = "image"`` (``renderers/diagrams.py``).
DRAWN = MappingProxyType({"mermaid": "mermaid", "plantuml": "plantuml", "puml": "plantuml"})


def fence(node: SyntaxTreeNode, ctx: RenderContext) -> str:
    """A Mermaid/PlantUML fence drawn to an image attachment when the site draws diagrams;
    otherwise (or another diagram language) the code block ``blocks.fence`` makes, warned."""
    language = fence_language(node)
    tool = DIAGRAM_LANGUAGES.get(language)
    if tool is None:
        return blocks.fence(node, ctx)
    resolver = ctx.state.resolver
    kind = DRAWN.get(language)
    if kind and ctx.state.diagrams == "image" and isinstance(resolver, DiagramResolver):
        found = resolver.resolve_diagram(kind, node.content)
        if isinstance(found, str):
            ctx.problem(node, found)
            return blocks.fence(node, ctx)
        return _drawn(ctx, found, tool, node.content)
    ctx.warn(node, f"{tool} diagram ({language}) is published as its source in a code block")
    return blocks.fence(node, ctx)


def _drawn(ctx: RenderContext, image: Path, tool: str, source: str) -> str:
    """The image, with the diagram's source as its title (newlines as character references,
    which XML keeps in an attribute), so ``pull`` can give the fence back
    (``reverse/diagram_fences.py``) and a reader hovering the image sees what it was drawn
    from."""
    attachment = ctx.state.attachments.add(image)
    title = macros.attr(source.rstrip("\n")).replace("\n", "&#10;").replace("\t", "&#9;")
    resource = f'<ri:attachment ri:filename="{macros.attr(attachment.filename)}"/>'
    return f'<p><ac:image ac:alt="{tool} diagram" ac:title="{title}">{resource}</ac:image></p>'


EXTENSION = Extension(
    "diagrams",
    rules=MappingProxyType({"fence": fence}),
)
