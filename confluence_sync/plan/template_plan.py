"""The postmortem template as a space content template: a managed item like a page.

Confluence's Create menu offers a space's content templates; the validated postmortem template
is published there too, so people (and incident tools that start from a native template) begin
from the same body ``incident new`` writes. Templates have no versions and no content
properties, so our stamp lives in the template's description: the digest of the name and
canonical body we sent. That one field tells the three cases apart without a second read: the
template as the wiki holds it hashes to the stamp (untouched since our write), the stamp equals
what we would send now (nothing to do), or neither (someone edited it in the wiki: a conflict,
like a page's, overwritten only with ``--force``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from confluence_sync.convert.canonical import canonical_xhtml
from confluence_sync.pages import DesiredPage, PageKey
from confluence_sync.plan.actions import ActionKind, PageAction

STAMP_PREFIX = "confluence-sync"
DESCRIPTION_MAX = 100  # ContentTemplateUpdate.description maxLength (the tighter of the two)
DIGEST_LENGTH = 32


@dataclass(frozen=True)
class RemoteTemplate:
    """A space template as the wiki answers it (``GET /template/page?expand=body``)."""

    id: str
    name: str
    description: str
    body: str


@dataclass(frozen=True)
class DesiredTemplate:
    """What we publish: the template page's name and body, stamped with their digest."""

    name: str
    body: str
    source: str
    labels: tuple[str, ...]

    @property
    def digest(self) -> str:
        return template_digest(self.name, self.body)

    @property
    def description(self) -> str:
        """Our stamp, within the 100 characters an update may carry."""
        text = f"{STAMP_PREFIX} {self.digest} {self.source}"
        return text[:DESCRIPTION_MAX]


@dataclass(frozen=True)
class TemplateAction:
    """The decision for the template, with the page-shaped action the report prints."""

    action: PageAction
    desired: DesiredTemplate
    remote: RemoteTemplate | None


def template_digest(name: str, body: str) -> str:
    """Digest of what a person sees: the name and the body as Confluence would save it."""
    raw = f"{name}\n{canonical_xhtml(body)}".encode()
    return hashlib.sha256(raw).hexdigest()[:DIGEST_LENGTH]


def stamp_of(description: str) -> tuple[str, str] | None:
    """(digest, source) of our stamp, or None for a template we did not write."""
    parts = description.split(" ", 2)
    if len(parts) < 2 or parts[0] != STAMP_PREFIX or len(parts[1]) != DIGEST_LENGTH:
        return None
    return parts[1], parts[2] if len(parts) == 3 else ""


def desired_template(page: DesiredPage) -> DesiredTemplate:
    """The space template for the published template page (same name, same body)."""
    return DesiredTemplate(page.title, page.body, str(page.key), page.labels)


def find_ours(desired: DesiredTemplate, remote: Sequence[RemoteTemplate]) -> RemoteTemplate | None:
    """Our template: stamped from the same source (even renamed), else one with the name."""
    stamped = [
        r for r in remote if (s := stamp_of(r.description)) and desired.source.startswith(s[1])
    ]
    if stamped:
        return next((r for r in stamped if r.name == desired.name), stamped[0])
    return next((r for r in remote if r.name == desired.name), None)


def plan_template(
    desired: DesiredTemplate, remote: Sequence[RemoteTemplate], *, force: bool
) -> TemplateAction:
    """create | skip | update | conflict for the space template."""
    ours = find_ours(desired, remote)
    title = f"{desired.name} (space template)"

    def act(kind: ActionKind, reason: str) -> TemplateAction:
        return TemplateAction(PageAction(kind, title, desired.source, reason), desired, ours)

    if ours is None:
        return act(ActionKind.CREATE, "new space template")
    stamp = stamp_of(ours.description)
    if stamp is None:
        if force:
            return act(ActionKind.UPDATE, "template written by someone else, taken over (--force)")
        return act(
            ActionKind.CONFLICT,
            "a template of this name exists that we did not write (--force takes it over)",
        )
    now = template_digest(ours.name, ours.body)
    if now == desired.digest and stamp[0] != desired.digest:
        # the wiki's edit came into the repo (pull): same content, the stamp catches up
        return act(ActionKind.UPDATE, "the wiki's edit is in the repo now; stamp refreshed")
    edited = now != stamp[0]
    if edited and not force:
        return act(
            ActionKind.CONFLICT,
            "template edited in the wiki since our last write (--force overwrites it)",
        )
    if edited:
        return act(ActionKind.UPDATE, "template edited in the wiki, overwritten (--force)")
    if stamp[0] == desired.digest:
        return act(ActionKind.SKIP, "template unchanged")
    return act(ActionKind.UPDATE, "template changed in the repo")


def template_source(pages: Sequence[DesiredPage], template_file: str) -> DesiredPage | None:
    """The template page among the desired pages (keyed by the template file), if any."""
    key = PageKey(template_file)
    return next((p for p in pages if p.key == key), None)
