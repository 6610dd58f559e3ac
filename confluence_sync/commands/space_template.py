"""The space-template step of ``sync`` and ``plan``: read once, plan, write at most once.

Kept beside the page plan rather than inside it: a template is not a page (no id in the
content tree, no versions, no properties), but it is reported with the same verbs, so ``plan``,
``sync --json`` and the exit code treat it like one.
"""

from __future__ import annotations

from collections.abc import Sequence

from confluence_sync.config import Settings
from confluence_sync.errors import AuthError, RemoteError
from confluence_sync.pages import DesiredPage
from confluence_sync.plan.actions import ActionKind
from confluence_sync.plan.template_plan import (
    DesiredTemplate,
    RemoteTemplate,
    TemplateAction,
    desired_template,
    plan_template,
    template_source,
)
from confluence_sync.publish.apply import Outcome
from confluence_sync.publish.gateway import Gateway


def plan_space_template(
    gw: Gateway, settings: Settings, pages: Sequence[DesiredPage], *, force: bool
) -> TemplateAction | None:
    """The decision for the space template, or None when no postmortem template is
    configured (then there is nothing to publish and no request is spent)."""
    found = space_template_state(gw, settings, pages)
    return None if found is None else plan_template(*found, force=force)


def space_template_state(
    gw: Gateway, settings: Settings, pages: Sequence[DesiredPage]
) -> tuple[DesiredTemplate, list[RemoteTemplate]] | None:
    """What we would publish and the space's templates (one paged read), or None. The HTTP
    stack is imported here, once the site is built (see ``publish/target.py``)."""
    from confluence_sync.publish.atlassian import AtlassianGateway
    from confluence_sync.publish.content_templates import SpaceTemplates

    if settings.template is None or not isinstance(gw, AtlassianGateway):
        return None
    page = template_source(pages, settings.relative(settings.template))
    if page is None:
        return None
    return desired_template(page), SpaceTemplates(gw).in_space(settings.space)


def apply_space_template(gw: Gateway, settings: Settings, decision: TemplateAction) -> Outcome:
    """One POST or PUT for a create or update; nothing for a skip or a conflict. A refusal
    is this item's failure, not the run's (as for a page); a credential problem still stops."""
    from confluence_sync.publish.atlassian import AtlassianGateway
    from confluence_sync.publish.content_templates import SpaceTemplates

    action = decision.action
    if not action.writes:
        return Outcome(action)
    assert isinstance(gw, AtlassianGateway)  # plan_space_template only decides for one
    templates = SpaceTemplates(gw)
    labels = tuple(dict.fromkeys((*decision.desired.labels, settings.managed_label)))
    try:
        if action.kind is ActionKind.CREATE:
            templates.create(settings.space, decision.desired, labels)
        else:
            assert decision.remote is not None
            templates.update(settings.space, decision.remote.id, decision.desired, labels)
    except AuthError:
        raise
    except RemoteError as error:
        return Outcome(action, error=str(error))
    return Outcome(action)
