"""Writing template-page edits into the template file as text, changing only the edited values.

The template file is written by hand and commented throughout, so a pull must not reformat it:
a section's ``heading`` or ``guidance`` value is replaced where it stands (from the YAML node's
start to its end), a missing ``guidance`` key is added under its section, and the ``properties``
list is replaced as one top-level block (as :mod:`incident_yaml` does for incident fields).
Comments, blank lines, key order and every other value stay byte for byte. The result is read
back and compared with the edited template, so a write that would not mean the edit is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from confluence_sync.errors import Problem
from confluence_sync.template.incident_yaml import rewrite_yaml, wrap_prose
from confluence_sync.template.load import IncidentLoader, load_template
from confluence_sync.template.postmortem_template import PostmortemTemplate
from confluence_sync.template.template_page_edits import (
    SectionEdit,
    TemplateEdits,
    read_template_edits,
)

INDENT = 2


class TemplateWriteError(ValueError):
    """The file's layout does not let the edit be written in place (e.g. sections in flow style)."""


def write_template_edits(text: str, edits: TemplateEdits) -> str:
    """``text`` (the template file) with ``edits`` written in; checked by reading it back."""
    out = _write_sections(text, edits.sections)
    if edits.properties is not None:
        out = _write_properties(out, list(edits.properties))
    if edits.template is not None and _read(out) != edits.template:
        raise TemplateWriteError("the file written back does not read as the edited template")
    return out


def _read(text: str) -> PostmortemTemplate | None:
    try:
        data = yaml.load(text, Loader=IncidentLoader)  # a SafeLoader subclass
        return PostmortemTemplate.model_validate(data or {})
    except (yaml.YAMLError, ValidationError):
        return None


def _top(node: Node | None, key: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    return next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == key), None)


def _write_properties(text: str, names: list[str]) -> str:
    """The top-level ``properties`` block replaced (or appended when the file has none)."""
    if _top(yaml.compose(text, Loader=IncidentLoader), "properties") is not None:
        return rewrite_yaml(text, {"properties": names})
    block = yaml.safe_dump({"properties": names}, sort_keys=False, allow_unicode=True)
    return text + ("" if text.endswith("\n") or not text else "\n") + block


def _write_sections(text: str, edits: Sequence[SectionEdit]) -> str:
    """Each edited value replaced in place, last first so earlier offsets stay valid."""
    if not edits:
        return text
    sections = _top(yaml.compose(text, Loader=IncidentLoader), "sections")
    if not isinstance(sections, SequenceNode) or sections.flow_style:
        raise TemplateWriteError("sections: not a block list in the file; edit it by hand")
    changes: list[tuple[int, int, str]] = []  # (start, end, replacement) in characters
    for edit in edits:
        item = sections.value[edit.index]
        if not isinstance(item, MappingNode) or item.flow_style:
            raise TemplateWriteError(f"sections[{edit.index}]: not a block mapping in the file")
        for key, value in (("heading", edit.heading), ("guidance", edit.guidance)):
            if value is not None:
                changes.append(_change(text, item, key, value))
    for start, end, replacement in sorted(changes, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _change(text: str, item: MappingNode, key: str, value: str) -> tuple[int, int, str]:
    """Where and what to write for one key of one section mapping."""
    indent = int(item.value[0][0].start_mark.column)
    node = next((v for k, v in item.value if isinstance(k, ScalarNode) and k.value == key), None)
    if node is None:  # a key the section does not have yet: a new line after its last value
        at = _line_end(text, int(item.value[-1][1].end_mark.index))
        line = " " * indent + f"{key}: " + _scalar(key, value, indent) + "\n"
        return at, at, line
    start, end = int(node.start_mark.index), int(node.end_mark.index)
    original = text[start:end]
    tail = original[len(original.rstrip()) :]  # the blank lines a block scalar swallows
    return start, end, _scalar(key, value, indent) + tail


def _line_end(text: str, index: int) -> int:
    """Start of the line after the value that ends at ``index``, before blank lines."""
    while index > 0 and text[index - 1] in " \n":
        index -= 1
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _scalar(key: str, value: str, indent: int) -> str:
    """``value`` as the file writes it: guidance as a literal block wrapped like prose, a
    heading as a plain scalar (quoted only where YAML needs it)."""
    if key == "guidance" and value:
        pad = " " * (indent + INDENT)
        paragraphs = [wrap_prose(p) if "\n" not in p else p for p in value.split("\n\n")]
        lines = "\n\n".join(paragraphs).split("\n")
        return "|\n" + "\n".join(pad + line if line else "" for line in lines)
    return _flow_scalar(value)


def _flow_scalar(value: Any) -> str:
    dumped = yaml.safe_dump(value, allow_unicode=True, width=10**6, default_flow_style=True)
    return str(dumped).removesuffix("\n...\n").strip()


@dataclass(frozen=True)
class TemplatePull:
    """The template file before and after a pull of its page (equal when nothing changed or
    when an edit does not map; ``problems`` then names each such edit)."""

    before: str
    after: str
    problems: tuple[Problem, ...] = ()


def pull_template_page(path: Path, shown: str, storage: str) -> TemplatePull:
    """The template file ``path`` (``shown`` as the repo path) with the template page's wiki
    edits (``storage``) written in, or unchanged with the reasons when some edit does not map."""
    text = path.read_text(encoding="utf-8")
    edits = read_template_edits(load_template(path), storage, where=shown)
    if edits.problems:
        return TemplatePull(text, text, edits.problems)
    try:
        return TemplatePull(text, write_template_edits(text, edits))
    except TemplateWriteError as exc:
        return TemplatePull(text, text, (Problem(shown, str(exc)),))
