"""Pydantic models of the postmortem template file and of an incident (postmortem) file.

Both are user-written YAML, so they are validated strictly (``extra="forbid"``: a misspelt key is
an error, not silently ignored). Rules that span several fields raise :class:`FieldIssues`, which
carries field paths relative to the validated value, so the loader can point at the exact line.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

Loc = tuple[str | int, ...]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Label = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")]
Ticket = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^([A-Z][A-Z0-9_]+-[1-9][0-9]*|https?://\S+)$"
    ),
]


class FieldIssues(ValueError):
    """Several rule violations found by one validator, each with its own field path.

    Pydantic keeps the raised exception in the error's context, so the loader can expand one
    model-level failure into precise ``file:line: field.path: message`` problems.
    """

    def __init__(self, issues: Sequence[tuple[Loc, str]]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(f"{_dotted(loc)}: {msg}" if loc else msg for loc, msg in issues))


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _raise_if(issues: list[tuple[Loc, str]]) -> None:
    if issues:
        raise FieldIssues(issues)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SectionKind(str, Enum):
    TEXT = "text"
    LIST = "list"
    TIMELINE = "timeline"
    ACTION_ITEMS = "action_items"
    IMPACT = "impact"


class IncidentStatus(str, Enum):
    DRAFT = "Draft"
    IN_REVIEW = "In Review"
    REVIEWED = "Reviewed"
    CLOSED = "Closed"

    @property
    def rank(self) -> int:
        """Position in the lifecycle; gates apply from a status onwards."""
        return list(IncidentStatus).index(self)


class ActionType(str, Enum):
    PREVENT = "prevent"
    DETECT = "detect"
    MITIGATE = "mitigate"
    PROCESS = "process"
    OTHER = "other"


class Priority(str, Enum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"


class ActionStatus(str, Enum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WONT_DO = "wont_do"

    @property
    def is_open(self) -> bool:
        return self in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


SECTION_FIELDS: Mapping[str, SectionKind] = {
    "summary": SectionKind.TEXT,
    "impact": SectionKind.IMPACT,
    "timeline": SectionKind.TIMELINE,
    "contributing_factors": SectionKind.LIST,
    "trigger": SectionKind.TEXT,
    "resolution": SectionKind.TEXT,
    "went_well": SectionKind.LIST,
    "went_wrong": SectionKind.LIST,
    "got_lucky": SectionKind.LIST,
    "action_items": SectionKind.ACTION_ITEMS,
    "links": SectionKind.LIST,
}
"""Incident fields that a template section can show, with the only kind each can have."""

PROPERTY_NAMES: tuple[str, ...] = (
    "Date",
    "Severity",
    "Status",
    "Owner",
    "Incident Commander",
    "Services",
    "Time to Detect",
    "Time to Acknowledge",
    "Time to Mitigate",
    "Time to Resolve",
    "Meeting Deadline",
)
"""The default page-properties keys, in order (the shared contract for incident pages).
"Duration" is not among them: it is start to resolution, the same number as Time to Resolve."""
KNOWN_PROPERTIES: tuple[str, ...] = (*PROPERTY_NAMES, "Responders", "Duration")
"""Keys the renderer knows how to fill; a template may list any of them, in any order."""

MILESTONES: tuple[str, ...] = (
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
)
COMPUTED_FIELDS = frozenset(
    {"duration", "time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve"}
)


class Section(_Strict):
    """One heading of the postmortem page; ``field`` says which incident field fills it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    heading: Name
    kind: SectionKind
    guidance: Text = ""
    required: bool = False
    placeholder: Text = ""

    @model_validator(mode="after")
    def _field_matches_kind(self) -> Section:
        if self.field not in SECTION_FIELDS:
            known = ", ".join(SECTION_FIELDS)
            msg = f"unknown incident field {self.field!r}; expected one of {known}"
            raise FieldIssues([(("field",), msg)])
        expected = SECTION_FIELDS[self.field]
        if self.kind is not expected:
            msg = f"field {self.field} is shown as kind {expected.value!r}, not {self.kind.value!r}"
            raise FieldIssues([(("kind",), msg)])
        return self


def _section(field: str, heading: str, required: bool = False) -> Section:
    return Section(field=field, heading=heading, kind=SECTION_FIELDS[field], required=required)


DEFAULT_SECTIONS: tuple[Section, ...] = (
    _section("summary", "Summary", True),
    _section("impact", "Impact", True),
    _section("timeline", "Timeline", True),
    _section("contributing_factors", "Contributing Factors", True),
    _section("trigger", "Trigger"),
    _section("resolution", "Resolution", True),
    _section("went_well", "What Went Well"),
    _section("went_wrong", "What Went Wrong"),
    _section("got_lucky", "Where We Got Lucky"),
    _section("action_items", "Action Items", True),
    _section("links", "Links"),
)


class SeverityLevel(_Strict):
    """One level of the severity scale. The guide's severity table is checked against these, so
    the definitions are written once, here, and a plain name (``- SEV-1``) is still accepted."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    definition: Text = ""
    examples: tuple[Name, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _name_shorthand(cls, data: Any) -> Any:
        return {"name": data} if isinstance(data, str) else data


DEFAULT_SEVERITIES = tuple(SeverityLevel(name=f"SEV-{n}") for n in range(1, 6))


class ChecklistPhase(_Strict):
    """A group of checklist tasks. ``incident new`` puts every item on the new page as a native
    Confluence task; the guide's Checklist page lists the same items as a reference."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phase: Name
    items: tuple[Name, ...] = Field(min_length=1)


class TemplatePage(_Strict):
    """Where the blank template page is published; its label keeps it out of the index report."""

    title: Name = "Template YYYY-MM-DD Incident Title"
    parent: Name = "resources/index.md"
    labels: tuple[Label, ...] = ("postmortem-template",)


class IndexSettings(_Strict):
    """The postmortems page: which page-properties columns its report shows."""

    headings: tuple[str, ...] = (
        "Date",
        "Severity",
        "Status",
        "Owner",
        "Services",
        "Time to Acknowledge",
        "Time to Resolve",
    )
    first_column: Name = "Incident"
    intro: Text = ""


class Policy(_Strict):
    """Team policy. Every deadline counts from the day the incident ended. The meeting deadline
    is per severity, action-item due dates per priority; both maps accept a ``default`` key."""

    required_for: tuple[str, ...] = ("SEV-1", "SEV-2")
    triggers: tuple[Name, ...] = ()
    meeting_deadline_days: dict[str, NonNegativeInt] = Field(default_factory=lambda: {"default": 7})
    action_item_due_days: dict[str, NonNegativeInt] = Field(
        default_factory=lambda: {"P0": 7, "P1": 14, "P2": 30, "P3": 60}
    )
    summary_sentences: tuple[PositiveInt, PositiveInt] = (3, 5)
    share_when: IncidentStatus = IncidentStatus.CLOSED
    ticket_label: Label = "postmortem-action-item"

    def meeting_days(self, severity: str) -> int:
        return _per_severity(self.meeting_deadline_days, severity, 7)

    def due_days(self, priority: str) -> int:
        return _per_severity(self.action_item_due_days, priority, 30)


def _per_severity(table: Mapping[str, int], severity: str, fallback: int) -> int:
    return table.get(severity, table.get("default", fallback))


class PostmortemTemplate(_Strict):
    """The postmortem template file (``content/template/postmortem.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title_pattern: Name = "{date} {title}"
    template_page: TemplatePage = Field(default_factory=TemplatePage)
    properties: tuple[str, ...] = PROPERTY_NAMES
    sections: tuple[Section, ...] = DEFAULT_SECTIONS
    labels: tuple[Label, ...] = Field(default=("postmortem",), min_length=1)
    severities: tuple[SeverityLevel, ...] = Field(default=DEFAULT_SEVERITIES, min_length=1)
    policy: Policy = Field(default_factory=Policy)
    index: IndexSettings = Field(default_factory=IndexSettings)
    checklist: tuple[ChecklistPhase, ...] = ()

    @property
    def scale(self) -> tuple[str, ...]:
        """The severity names, most severe first."""
        return tuple(level.name for level in self.severities)

    @field_validator("title_pattern")
    @classmethod
    def _pattern_fields(cls, value: str) -> str:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        if "title" not in names or not names <= {"date", "title"}:
            raise ValueError("must contain {title} and may contain {date}, nothing else in braces")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> PostmortemTemplate:
        issues = _unknown(("properties",), self.properties, KNOWN_PROPERTIES, "property")
        issues += _unknown(("index", "headings"), self.index.headings, self.properties, "property")
        scale = self.scale
        issues += _duplicates(("severities",), scale, "name")
        issues += _unknown(("policy", "required_for"), self.policy.required_for, scale, "severity")
        meeting = self.policy.meeting_deadline_days
        issues += _unknown(("policy", "meeting_deadline_days"), meeting, (*scale, "default"), "key")
        priorities = (*(p.value for p in Priority), "default")
        due = self.policy.action_item_due_days
        issues += _unknown(("policy", "action_item_due_days"), due, priorities, "priority")
        low, high = self.policy.summary_sentences
        if low > high:
            issues.append((("policy", "summary_sentences"), f"{low} is more than {high}"))
        issues += _duplicates(("sections",), [s.field for s in self.sections], "field")
        if self.labels[0] in self.template_page.labels:
            msg = f"must not include {self.labels[0]!r}: the index report would list the template"
            issues.append((("template_page", "labels"), msg))
        _raise_if(issues)
        return self


def _unknown(
    loc: Loc, values: Iterable[str], allowed: Sequence[str], what: str
) -> list[tuple[Loc, str]]:
    """Values outside ``allowed``; a mapping is located by key, a sequence by index."""
    pairs: list[tuple[str | int, str]] = (
        [(k, k) for k in values] if isinstance(values, Mapping) else list(enumerate(values))
    )
    return [
        ((*loc, where), f"unknown {what} {v!r}; expected one of {', '.join(allowed)}")
        for where, v in pairs
        if v not in allowed
    ]


def _duplicates(loc: Loc, values: Sequence[str], sub: str | None = None) -> list[tuple[Loc, str]]:
    seen: set[str] = set()
    issues: list[tuple[Loc, str]] = []
    for i, value in enumerate(values):
        if value in seen:
            issues.append(((*loc, i, sub) if sub else (*loc, i), f"{value!r} appears twice"))
        seen.add(value)
    return issues


def template_from(info: ValidationInfo) -> PostmortemTemplate:
    """The template an incident is validated against: passed as context, else the defaults."""
    context = info.context if isinstance(info.context, Mapping) else {}
    found = context.get("template")
    return found if isinstance(found, PostmortemTemplate) else PostmortemTemplate()


def as_utc(value: datetime | None) -> datetime | None:
    return value.astimezone(timezone.utc) if value is not None else None


def between(start: datetime | None, end: datetime | None) -> timedelta | None:
    return end - start if start is not None and end is not None else None


def check_scale(value: str, scale: Sequence[str]) -> str:
    if value not in scale:
        raise ValueError(f"unknown severity {value!r}; the scale is {', '.join(scale)}")
    return value
