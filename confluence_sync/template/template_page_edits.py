"""The blank template page, edited in the wiki, read back into edits of the template file.

Only what the template file can say is read: each section's heading and guidance panel (matched
by position), and the names in the page-properties table. Everything else on the page is
generated (placeholders, the ticket rule, the checklist), so an edit there has no place in the
file and is reported as a :class:`Problem` naming the section, never guessed at.

The reading is checked by rendering: the template with the edits applied must render to what the
wiki holds (up to editor noise). A part that still differs is an edit that does not map; that
check is also what lets the next ``sync`` find the page in sync and only restamp it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from lxml import etree
from pydantic import ValidationError

from confluence_sync.convert import markdown_to_storage
from confluence_sync.convert.canonical import NAMESPACES, parse_storage, same_content
from confluence_sync.errors import Problem
from confluence_sync.reverse import storage_to_markdown
from confluence_sync.template.page_reader import top_blocks
from confluence_sync.template.page_sections import fragment, inner
from confluence_sync.template.postmortem_template import (
    KNOWN_PROPERTIES,
    PostmortemTemplate,
    Section,
)
from confluence_sync.template.records import plain_text
from confluence_sync.template.render import (
    CHECKLIST_HEADING,
    placeholder_properties,
    render_template_page,
)

AC = NAMESPACES["ac"]
_MACRO = f"{{{AC}}}structured-macro"
_NAME = f"{{{AC}}}name"
_RICH_BODY = f"{{{AC}}}rich-text-body"


@dataclass(frozen=True)
class SectionEdit:
    """New values for the section at ``index`` of ``sections`` (None: unchanged)."""

    index: int
    heading: str | None = None
    guidance: str | None = None


@dataclass(frozen=True)
class TemplateEdits:
    """What the wiki changed that the file can hold, and what it changed that it cannot."""

    sections: tuple[SectionEdit, ...] = ()
    properties: tuple[str, ...] | None = None  # the new list, when it changed
    problems: tuple[Problem, ...] = ()
    template: PostmortemTemplate | None = None  # the template with the edits applied

    @property
    def changed(self) -> bool:
        return bool(self.sections) or self.properties is not None


@dataclass
class _Page:
    """A template page split at its ``<h1>``/``<h2>`` headings."""

    preamble: list[etree._Element]
    sections: list[tuple[str, list[etree._Element]]] = field(default_factory=list)

    @classmethod
    def of(cls, storage: str) -> _Page:
        page = cls([])
        for block in top_blocks(parse_storage(storage)):
            if block.tag in ("h1", "h2"):
                page.sections.append((_text(block), []))
            elif page.sections:
                page.sections[-1][1].append(block)
            else:
                page.preamble.append(block)
        return page

    def split_checklist(
        self, template: PostmortemTemplate
    ) -> list[tuple[str, list[etree._Element]]]:
        """The trailing Checklist section, taken off the list (empty when there is none)."""
        last = self.sections[-1:] if template.checklist else []
        if last and _fold(last[0][0]) == _fold(CHECKLIST_HEADING):
            self.sections.pop()
            return last
        return []


def _text(element: etree._Element) -> str:
    return " ".join(plain_text(element).split())


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_template_edits(template: PostmortemTemplate, storage: str, *, where: str) -> TemplateEdits:
    """Edits made to the template page (``storage`` as the wiki has it now) that map onto the
    template file ``where``, or the problems naming each edit that does not."""
    page = _Page.of(storage)
    checklist = page.split_checklist(template)
    problems = _structure(template, page, where)
    if problems:
        return TemplateEdits(problems=tuple(problems))
    properties, problems = _properties(template, page.preamble, where)
    sections = tuple(
        e for e in _section_edits(template, page) if e.heading or e.guidance is not None
    )
    edited = _apply(template, sections, properties, where, problems)
    if edited is not None:
        problems += _rendered_differences(edited, page, checklist, where)
    return TemplateEdits(sections, properties, tuple(problems), edited if not problems else None)


def _structure(template: PostmortemTemplate, page: _Page, where: str) -> list[Problem]:
    """Sections added, removed or reordered in the wiki: the file's list cannot follow."""
    wiki = [heading for heading, _ in page.sections]
    ours = [s.heading for s in template.sections]
    folded = {_fold(h) for h in ours}
    seen = {_fold(h) for h in wiki}
    problems = [
        Problem(where, f"section {h!r} was removed in the wiki")
        for h in ours
        if _fold(h) not in seen and len(wiki) < len(ours)
    ]
    problems += [
        Problem(where, f"section {h!r} was added in the wiki")
        for h in wiki
        if _fold(h) not in folded and len(wiki) > len(ours)
    ]
    if len(wiki) != len(ours) and not problems:
        problems.append(Problem(where, f"the page has {len(wiki)} sections, the file {len(ours)}"))
    pairs = zip(wiki, ours, strict=False)
    moved = [w for w, o in pairs if _fold(w) != _fold(o) and _fold(w) in folded]
    if len(wiki) == len(ours) and moved:
        names = ", ".join(repr(h) for h in moved)
        problems.append(Problem(where, f"sections were reordered in the wiki ({names})"))
    return problems


def _properties(
    template: PostmortemTemplate, preamble: Sequence[etree._Element], where: str
) -> tuple[tuple[str, ...] | None, list[Problem]]:
    """The property names as the wiki lists them; a filled-in value does not map."""
    rows = _property_rows(preamble)
    shown = {k: _plain(v) for k, v in placeholder_properties(template).items()}
    problems: list[Problem] = []
    for key, value in rows:
        if key not in KNOWN_PROPERTIES:
            known = ", ".join(KNOWN_PROPERTIES)
            problems.append(
                Problem(where, f"property {key!r} is not one incident pages can fill ({known})")
            )
        elif value != shown[key]:
            problems.append(
                Problem(
                    where,
                    f"property {key!r} has the value {value!r} on the template page "
                    f"(it shows {shown[key]!r}; values belong on incident pages)",
                )
            )
    names = tuple(key for key, _ in rows)
    return (None if names == template.properties else names), problems


def _property_rows(preamble: Sequence[etree._Element]) -> list[tuple[str, str]]:
    for block in preamble:
        if block.tag == _MACRO and block.get(_NAME) == "details":
            rows = [[c for c in tr if c.tag in ("th", "td")] for tr in block.iter("tr")]
            return [(_text(r[0]), _text(r[1])) for r in rows if len(r) >= 2 and _text(r[0])]
    return []


def _plain(storage: str) -> str:
    return " ".join(plain_text(parse_storage(storage)).split())


def _section_edits(template: PostmortemTemplate, page: _Page) -> list[SectionEdit]:
    edits = []
    pairs = zip(template.sections, page.sections, strict=True)
    for i, (section, (heading, blocks)) in enumerate(pairs):
        guidance = _guidance(section, _guidance_panel(blocks))
        renamed = heading if heading != section.heading else None
        edits.append(SectionEdit(i, renamed, guidance))
    return edits


def _guidance_panel(blocks: Sequence[etree._Element]) -> etree._Element | None:
    """The info panel that opens a section: where the template's guidance is shown."""
    first = blocks[0] if blocks else None
    if first is not None and first.tag == _MACRO and first.get(_NAME) == "info":
        return first
    return None


def _panel_body(panel: etree._Element) -> str:
    body = panel.find(_RICH_BODY)
    return inner(body) if body is not None else ""


def _guidance(section: Section, panel: etree._Element | None) -> str | None:
    """The new guidance as Markdown, or None when the panel says what the file says."""
    if panel is None:
        return "" if section.guidance else None
    body = _panel_body(panel)
    if section.guidance and same_content(markdown_to_storage(section.guidance), body):
        return None
    return storage_to_markdown(body).markdown.strip()


def _apply(
    template: PostmortemTemplate,
    sections: Sequence[SectionEdit],
    properties: tuple[str, ...] | None,
    where: str,
    problems: list[Problem],
) -> PostmortemTemplate | None:
    """The template with the edits applied, validated as the file would be."""
    data = template.model_dump(mode="json")
    for edit in sections:
        if edit.heading is not None:
            data["sections"][edit.index]["heading"] = edit.heading
        if edit.guidance is not None:
            data["sections"][edit.index]["guidance"] = edit.guidance
    if properties is not None:
        data["properties"] = list(properties)
    try:
        return PostmortemTemplate.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            path = ".".join(str(p) for p in error["loc"])
            problems.append(Problem(where, f"the edit makes {path} invalid: {error['msg']}"))
        return None


def _rendered_differences(
    edited: PostmortemTemplate,
    page: _Page,
    checklist: Sequence[tuple[str, list[etree._Element]]],
    where: str,
) -> list[Problem]:
    """Each part of the page that the edited template does not render as the wiki has it."""
    want = _Page.of(render_template_page(edited))
    want_checklist = want.split_checklist(edited)
    problems = []
    if not _same(want.preamble, page.preamble):
        problems.append(Problem(where, "text above the first section was edited in the wiki"))
    for (heading, blocks), (_, wanted) in zip(page.sections, want.sections, strict=True):
        problems += _section_differences(heading, blocks, wanted, where)
    if not _same(_blocks_of(want_checklist), _blocks_of(checklist)):
        problems.append(
            Problem(
                where,
                f"the {CHECKLIST_HEADING!r} section was edited in the wiki "
                "(its items come from checklist:)",
            )
        )
    return problems


def _section_differences(
    heading: str, blocks: list[etree._Element], wanted: list[etree._Element], where: str
) -> list[Problem]:
    got_panel, want_panel = _guidance_panel(blocks), _guidance_panel(wanted)
    problems = []
    if (got_panel is None) != (want_panel is None) or (
        got_panel is not None
        and want_panel is not None
        and not same_content(_panel_body(got_panel), _panel_body(want_panel))
    ):
        problems.append(
            Problem(
                where,
                f"section {heading!r}: the guidance panel has content the file "
                "cannot hold as Markdown",
            )
        )
    rest = [b for b in blocks if b is not got_panel]
    if not _same([b for b in wanted if b is not want_panel], rest):
        problems.append(
            Problem(
                where,
                f"section {heading!r} was edited outside its guidance panel "
                "(placeholders and tables come from the section's kind and placeholder)",
            )
        )
    return problems


def _blocks_of(sections: Sequence[tuple[str, list[etree._Element]]]) -> list[etree._Element]:
    return [block for _, blocks in sections for block in blocks]


def _same(want: Sequence[etree._Element], got: Sequence[etree._Element]) -> bool:
    a, b = fragment(want), fragment(got)
    return a == b or same_content(a, b)
