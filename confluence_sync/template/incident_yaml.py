"""Writing fields read from an incident page into an incident YAML file, changing only what changed.

People keep incident files by hand, so a pull must not reformat them: a field whose value on the
page means the same as in the file (renders to the same storage) is left exactly as written, and
a changed field is replaced in place, top-level key by top-level key, so comments and blank lines
between keys, the key order and every untouched field stay byte for byte. Inside a changed list
of timeline entries or action items, each entry keeps its own keys where their values agree (an
action item's ``due`` left to the policy stays left out). Comments inside a changed field's value
are not kept: PyYAML, the only YAML library here, does not read them.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from yaml.nodes import MappingNode

from confluence_sync.convert.canonical import same_content
from confluence_sync.template.incident_model import ActionItem, Incident, TimelineEntry
from confluence_sync.template.load import IncidentLoader
from confluence_sync.template.postmortem_template import (
    SECTION_FIELDS,
    PostmortemTemplate,
    SectionKind,
)
from confluence_sync.template.render import SECTION_RENDERERS

REMOVE = object()
"""An update that deletes the key from the file (the page shows the field empty)."""
FIELD_ORDER: tuple[str, ...] = tuple(Incident.model_fields)
PROSE_WIDTH = 96


class _Dumper(yaml.SafeDumper):
    """Output in the style of the hand-written files: timestamps as the text people type (no
    quotes), lists indented under their key, double quotes where quotes are needed, prose folded
    at 100 columns, other long lines left long (a timeline event stays on its line)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        style = str(super().choose_scalar_style())
        return '"' if style == "'" else style

    def write_folded(self, text: str) -> None:
        """Folded prose is wrapped, as people write it; other scalars are not."""
        saved, self.best_width = self.best_width, PROSE_WIDTH
        try:
            super().write_folded(text)
        finally:
            self.best_width = saved


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


class Prose(str):
    """The text of a text section (``summary``, ``impact.text`` …): written folded, like the
    hand-written ``summary: >-``, when it is paragraphs longer than a line."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _prose(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """One paragraph folded; several as a literal block, each paragraph wrapped where a line
    break means the same in Markdown (a soft break), one blank line between them."""
    text = str(value)
    paragraphs = text.split("\n\n")
    if not all(p and "\n" not in p and p[0] != " " for p in paragraphs):
        return _str(dumper, text)
    if len(paragraphs) == 1:
        style = ">" if len(text) > PROSE_WIDTH - 20 else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)
    wrapped = "\n\n".join(wrap_prose(p) for p in paragraphs)
    return dumper.represent_scalar("tag:yaml.org,2002:str", wrapped, style="|")


_BLOCK_START = re.compile(r"^(?:[-+*>#=|~`<:]|\d+[.)]|\[[^\]]*\]:)")


def wrap_prose(paragraph: str) -> str:
    """Lines of at most ``PROSE_WIDTH``, unless a line would then start like a Markdown block (a
    list item, a quote, a heading, a definition) or end in a hard break: then the paragraph
    stays one line."""
    lines = textwrap.wrap(paragraph, PROSE_WIDTH, break_long_words=False, break_on_hyphens=False)
    safe = all(not _BLOCK_START.match(line) for line in lines[1:])
    safe = safe and not any(line.endswith("\\") for line in lines)
    return "\n".join(lines) if safe and lines else paragraph


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Prose, _prose)


def styled(field: str, value: Any) -> Any:
    """``value`` with its prose marked, so it is written the way people write it."""
    kind = SECTION_FIELDS.get(field)
    if kind is SectionKind.TEXT and isinstance(value, str):
        return Prose(value)
    if kind is SectionKind.IMPACT and isinstance(value, dict) and "text" in value:
        return {**value, "text": Prose(value["text"])}
    return value


def dump_fields(fields: Mapping[str, Any]) -> str:
    """``key: value`` blocks in the incident model's field order, empty values left out."""
    ordered = {
        k: styled(k, fields[k]) for k in FIELD_ORDER if k in fields and not _empty(fields[k])
    }
    return _dump(ordered)


def _dump(data: Mapping[str, Any]) -> str:
    if not data:
        return ""
    text = yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10**6)
    return str(text)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _valid(annotation: Any, value: Any, template: PostmortemTemplate) -> Any:
    try:
        return TypeAdapter(annotation).validate_python(value, context={"template": template})
    except ValidationError:
        return _Invalid(value)


class _Invalid:
    """A page value the field cannot hold: never equal to the file's, so it is written and the
    validation that follows names it."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _same(field: str, old: Any, new: Any, template: PostmortemTemplate) -> bool:
    """Sections compare by what they render to, other fields by value."""
    if isinstance(new, _Invalid):
        return False
    if field in SECTION_FIELDS:
        render = SECTION_RENDERERS[SECTION_FIELDS[field]]
        before, after = render(old), render(new)
        return before == after or (
            before is not None and after is not None and same_content(before, after)
        )
    return bool(old == new)


def changed_fields(
    template: PostmortemTemplate, old: Incident, raw: Mapping[str, Any], page: Mapping[str, Any]
) -> dict[str, Any]:
    """Field → the new raw YAML value (or :data:`REMOVE`) for each page field that differs from
    the file (``old`` is the file validated, ``raw`` the file as written)."""
    updates: dict[str, Any] = {}
    for field, value in page.items():
        annotation = Incident.model_fields[field].annotation
        new = _valid(annotation, value, template)
        if _same(field, getattr(old, field), new, template):
            continue
        if _empty(value):
            updates[field] = REMOVE
        elif field in ("timeline", "action_items") and isinstance(raw.get(field), list):
            updates[field] = _merge_entries(field, raw[field], value, getattr(old, field), template)
        else:
            updates[field] = styled(field, value)
    return updates


def _merge_entries(
    field: str,
    raw: Sequence[Any],
    page: Sequence[Mapping[str, Any]],
    old: Sequence[BaseModel],
    template: PostmortemTemplate,
) -> list[Any]:
    """Entry by entry: keys whose value agrees keep the file's text (or stay left out)."""
    model: type[BaseModel] = TimelineEntry if field == "timeline" else ActionItem
    merged: list[Any] = []
    for i, entry in enumerate(page):
        before = raw[i] if i < len(raw) and isinstance(raw[i], dict) else None
        if before is None or i >= len(old):
            merged.append(dict(entry))
            continue
        out = dict(before)
        for key in set(out) - set(entry):
            del out[key]
        for key, value in entry.items():
            annotation = model.model_fields[key].annotation
            if getattr(old[i], key) != _valid(annotation, value, template):
                out[key] = value
        merged.append(out)
    return merged


def rewrite_yaml(text: str, updates: Mapping[str, Any]) -> str:
    """``text`` with each updated top-level key's block replaced (or removed, or added after the
    key that precedes it in the model's order); everything else is kept as written."""
    node = yaml.compose(text, Loader=IncidentLoader)
    if not isinstance(node, MappingNode):
        return dump_fields({k: v for k, v in updates.items() if v is not REMOVE})
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    spans = {str(k.value): _span(lines, k, v) for k, v in node.value}
    out: dict[int, str] = {}  # line index → replacement for the span starting there
    dropped: set[int] = set()
    added: dict[int, str] = {}
    for key, value in updates.items():
        block = "" if value is REMOVE else _dump({key: value})
        if key in spans:
            start, end = spans[key]
            while value is REMOVE and end < len(lines) and not lines[end].strip():
                end += 1  # a removed entry takes its blank separator line with it
            out[start] = block
            dropped.update(range(start, end))
        elif block:
            at = _insert_at(key, spans, len(lines))
            added[at] = added.get(at, "") + block
    return _join(lines, out, dropped, added)


def _span(lines: Sequence[str], key: yaml.Node, value: yaml.Node) -> tuple[int, int]:
    """Lines of one top-level entry, without the blank lines and comments that follow it."""
    start = int(key.start_mark.line)
    end = int(value.end_mark.line) + (1 if value.end_mark.column > 0 else 0)
    end = max(end, start + 1)
    while end > start + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    return start, min(end, len(lines))


def _insert_at(key: str, spans: Mapping[str, tuple[int, int]], total: int) -> int:
    position = FIELD_ORDER.index(key)
    before = [spans[k][1] for k in FIELD_ORDER[:position] if k in spans]
    return max(before) if before else total


def _join(
    lines: Sequence[str], out: Mapping[int, str], dropped: set[int], added: Mapping[int, str]
) -> str:
    parts: list[str] = []
    for i in range(len(lines) + 1):
        parts.append(added.get(i, ""))
        if i == len(lines):
            break
        if i in out:
            parts.append(out[i])
        elif i not in dropped:
            parts.append(lines[i])
    return "".join(parts)
