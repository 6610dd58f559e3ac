"""The postmortem template and incidents: models, loading with located errors, page rendering,
and the postmortems index. Import from here; the submodules are an implementation detail."""

from __future__ import annotations

from confluence_sync.template.incident_model import ActionItem, Impact, Incident, TimelineEntry
from confluence_sync.template.index import render_postmortems_page
from confluence_sync.template.load import load_incident, load_template, new_incident
from confluence_sync.template.postmortem_template import (
    ActionStatus,
    ActionType,
    IncidentStatus,
    PostmortemTemplate,
    Priority,
    Section,
    SectionKind,
)
from confluence_sync.template.records import ActionRecord, IncidentRecord, read_incident_record
from confluence_sync.template.render import (
    incident_labels,
    incident_title,
    render_incident,
    render_template_page,
)

__all__ = [
    "ActionItem",
    "ActionRecord",
    "ActionStatus",
    "ActionType",
    "Impact",
    "Incident",
    "IncidentRecord",
    "IncidentStatus",
    "PostmortemTemplate",
    "Priority",
    "Section",
    "SectionKind",
    "TimelineEntry",
    "incident_labels",
    "incident_title",
    "load_incident",
    "load_template",
    "new_incident",
    "read_incident_record",
    "render_incident",
    "render_postmortems_page",
    "render_template_page",
]
