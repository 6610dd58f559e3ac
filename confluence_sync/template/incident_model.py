"""The incident (one postmortem) model, validated against a :class:`PostmortemTemplate`.

Pass the template as validation context (``Incident.model_validate(data, context={"template":
tpl})``) so the severity scale, the required sections and the due-date policy are the team's own;
without it the built-in defaults apply. Durations are properties, never fields: a typed duration
would drift from the timestamps it is supposed to summarise.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    Field,
    NonNegativeInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from confluence_sync.template.postmortem_template import (
    MILESTONES,
    ActionStatus,
    ActionType,
    FieldIssues,
    IncidentStatus,
    Loc,
    Name,
    PostmortemTemplate,
    Priority,
    Text,
    Ticket,
    _Strict,
    as_utc,
    between,
    check_scale,
    template_from,
)

Day = date  # the field ``Incident.date`` shadows the type inside the class body
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Confluence group names are lower case ("Group names must be lower case", Confluence's
# administrator guide, Confluence Groups for Administrators:
# https://confluence.atlassian.com/docm/latest/confluence-groups-for-administrators-990544236.html)
# and at most 255 characters (the user directory's name column).
GroupName = Annotated[str, StringConstraints(min_length=1, max_length=255)]


def group_name_problem(name: str) -> str | None:
    """Why Confluence could hold no group called ``name``, or None."""
    if not name or len(name) > 255:
        return f"group {name!r}: 1 to 255 characters"
    if name != name.strip() or any(ch < " " for ch in name):
        return f"group {name!r}: no surrounding spaces or control characters"
    if name != name.lower():
        return f"group {name!r}: Confluence group names are lower case"
    return None


class Impact(_Strict):
    """What users felt: prose plus the numbers reviewers ask for first."""

    text: Text = ""
    users: NonNegativeInt | None = None
    accounts: NonNegativeInt | None = None
    support_requests: NonNegativeInt | None = None
    minutes: dict[str, NonNegativeInt] = Field(default_factory=dict)  # per severity

    @model_validator(mode="before")
    @classmethod
    def _text_shorthand(cls, data: Any) -> Any:
        """Allow ``impact: "prose"`` for incidents without numbers yet."""
        return {"text": data} if isinstance(data, str) else data

    def is_empty(self) -> bool:
        numbers = (self.users, self.accounts, self.support_requests)
        return not self.text and all(n is None for n in numbers) and not self.minutes


class TimelineEntry(_Strict):
    at: AwareDatetime
    event: Name
    link: Text | None = None

    @field_validator("at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime | None:
        return as_utc(value)


class ActionItem(_Strict):
    title: Name
    owner: Name
    type: ActionType = ActionType.OTHER
    priority: Priority = Priority.P2
    due: date | None = None  # filled from the policy when left out
    ticket: Ticket | None = None
    status: ActionStatus = ActionStatus.OPEN


class Incident(_Strict):
    """One postmortem, as written in ``incidents/*.yaml`` or built from ``incident new`` flags."""

    title: Title
    date: date
    severity: Name
    status: IncidentStatus = IncidentStatus.DRAFT
    owner: Name
    incident_commander: Text | None = None
    responders: list[Name] = Field(default_factory=list)
    services: list[Name] = Field(default_factory=list)
    started_at: AwareDatetime | None = None
    detected_at: AwareDatetime | None = None
    acknowledged_at: AwareDatetime | None = None
    mitigated_at: AwareDatetime | None = None
    resolved_at: AwareDatetime | None = None
    summary: Text = ""
    impact: Impact | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    contributing_factors: list[Name] = Field(default_factory=list)
    trigger: Text = ""
    resolution: Text = ""
    went_well: list[Name] = Field(default_factory=list)
    went_wrong: list[Name] = Field(default_factory=list)
    got_lucky: list[Name] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    links: list[Name] = Field(default_factory=list)
    meeting_at: AwareDatetime | None = None
    # Groups that alone (with the publishing account) may view and edit the page: a security
    # postmortem stays out of the space until it is reviewed.
    restricted_groups: list[GroupName] = Field(default_factory=list)

    @field_validator("restricted_groups")
    @classmethod
    def _group_names(cls, value: list[str]) -> list[str]:
        """A group name Confluence could not hold would leave the page restricted to the
        publishing account alone, or fail half way; say so before anything is written."""
        for name in value:
            problem = group_name_problem(name)
            if problem is not None:
                raise ValueError(problem)
        if len(set(value)) != len(value):
            raise ValueError("a group is named twice")
        return value

    @field_validator(*MILESTONES, "meeting_at", mode="before")
    @classmethod
    def _iso_only(cls, value: Any) -> Any:
        """A number would be read as seconds since 1970 (a plausible-looking 2023 date), so
        only ISO 8601 text (or a YAML timestamp) is a moment here."""
        if value is not None and not isinstance(value, (str, datetime)):
            raise ValueError(
                "must be an ISO 8601 date and time with a time zone, "
                "e.g. 2026-11-27T14:03:00Z, not a number"
            )
        return value

    @field_validator(*MILESTONES, "meeting_at")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return as_utc(value)

    @field_validator("severity")
    @classmethod
    def _known_severity(cls, value: str, info: ValidationInfo) -> str:
        return check_scale(value, template_from(info).scale)

    @field_validator("timeline")
    @classmethod
    def _sorted(cls, entries: list[TimelineEntry]) -> list[TimelineEntry]:
        issues: list[tuple[Loc, str]] = []
        for i in range(1, len(entries)):
            before, here = entries[i - 1].at, entries[i].at
            if here < before:
                msg = (
                    f"{_utc(here)} is earlier than the entry before it "
                    f"(timeline[{i - 1}].at, {_utc(before)}); keep the timeline in time order"
                )
                issues.append(((i, "at"), msg))
        if issues:
            raise FieldIssues(issues)
        return entries

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Incident:
        template = template_from(info)
        issues = _milestone_order(self) + _near_date(self)
        issues += _impact_scale(self, template) + _gates(self, template)
        if issues:
            raise FieldIssues(issues)
        for item in self.action_items:
            if item.due is None:
                days = template.policy.due_days(item.priority.value)
                item.due = self.ended_on + timedelta(days=days)
        return self

    @property
    def duration(self) -> timedelta | None:
        """Start of the incident to its resolution (the same span as Time to Resolve)."""
        return between(self.started_at, self.resolved_at)

    @property
    def time_to_detect(self) -> timedelta | None:
        return between(self.started_at, self.detected_at)

    @property
    def time_to_acknowledge(self) -> timedelta | None:
        """Detection to the first human response: how long a page or report waited."""
        return between(self.detected_at, self.acknowledged_at)

    @property
    def time_to_mitigate(self) -> timedelta | None:
        return between(self.started_at, self.mitigated_at)

    @property
    def time_to_resolve(self) -> timedelta | None:
        return between(self.started_at, self.resolved_at)

    @property
    def ended_on(self) -> Day:
        """The day every policy deadline counts from: the day the incident was resolved, or the
        incident's date while no resolution time is recorded."""
        return self.resolved_at.date() if self.resolved_at is not None else self.date

    def meeting_deadline(self, template: PostmortemTemplate) -> Day:
        return self.ended_on + timedelta(days=template.policy.meeting_days(self.severity))


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _milestone_order(incident: Incident) -> list[tuple[Loc, str]]:
    """Each milestone present must not precede the one before it (started ≤ … ≤ resolved)."""
    issues: list[tuple[Loc, str]] = []
    previous: tuple[str, datetime] | None = None
    for name in MILESTONES:
        moment = getattr(incident, name)
        if moment is None:
            continue
        if previous is not None and moment < previous[1]:
            issues.append(
                ((name,), f"{_utc(moment)} is before {previous[0]} ({_utc(previous[1])})")
            )
        else:
            previous = (name, moment)
    return issues


def _near_date(incident: Incident) -> list[tuple[Loc, str]]:
    """``date`` is the day the incident started (UTC): a start more than a day away from it,
    or a later milestone before it, is a typo in one of the two."""
    issues: list[tuple[Loc, str]] = []
    start = incident.started_at
    if start is not None and abs((start.date() - incident.date).days) > 1:
        issues.append(
            (("started_at",), f"{_utc(start)} is not on the incident's date {incident.date}")
        )
    earliest = incident.date - timedelta(days=1)
    for name in MILESTONES[1:]:
        moment = getattr(incident, name)
        if moment is not None and moment.date() < earliest:
            issues.append(
                ((name,), f"{_utc(moment)} is before the incident's date {incident.date}")
            )
    return issues


def _impact_scale(incident: Incident, template: PostmortemTemplate) -> list[tuple[Loc, str]]:
    if incident.impact is None:
        return []
    scale = template.scale
    return [
        (("impact", "minutes", key), f"unknown severity {key!r}; the scale is {', '.join(scale)}")
        for key in incident.impact.minutes
        if key not in scale
    ]


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if hasattr(value, "is_empty"):
        return bool(value.is_empty())
    return not value


def _gates(incident: Incident, template: PostmortemTemplate) -> list[tuple[Loc, str]]:
    """Status gates: from In Review every required section is filled; Closed needs tickets."""
    issues: list[tuple[Loc, str]] = []
    if incident.status.rank >= IncidentStatus.IN_REVIEW.rank:
        missing = (
            f"required when status is {incident.status.value} (fill it in, or set status: Draft)"
        )
        for section in template.sections:
            if section.required and _is_empty(getattr(incident, section.field)):
                issues.append(((section.field,), missing))
    if incident.status is IncidentStatus.CLOSED:
        no_ticket = (
            "required when status is Closed: every action item needs a ticket "
            "(e.g. OPS-123 or a URL)"
        )
        for i, item in enumerate(incident.action_items):
            if item.ticket is None:
                issues.append((("action_items", i, "ticket"), no_ticket))
    return issues
