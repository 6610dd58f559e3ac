"""Shared pieces of the publishing tests: a small guide of desired pages and one sync round
through the real gateway, planner and applier against a local wiki over HTTP."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from confluence_sync.commands.state import read_state
from confluence_sync.localwiki import LocalWiki
from confluence_sync.pages import AttachmentFile, DesiredPage, PageKey, RemotePage
from confluence_sync.plan.build import PlanOptions, build_plan
from confluence_sync.publish.apply import ApplyOptions, Outcome, apply_plan
from confluence_sync.publish.atlassian import AtlassianGateway
from confluence_sync.publish.retry import FAST_POLICY

LABEL = "confluence-sync"
LINK_TO_A = '<p>See <ac:link><ri:page ri:content-title="Writing a postmortem"/></ac:link>.</p>'


def attachment(tmp_path: Path, name: str, data: bytes) -> AttachmentFile:
    path = tmp_path / name
    path.write_bytes(data)
    return AttachmentFile(name, path, hashlib.sha256(data).hexdigest())


def guide(tmp_path: Path, *, image: bytes = b"\x89PNG first") -> list[DesiredPage]:
    """Top page, two children (one with an image), a grandchild linking to a sibling."""
    top = PageKey("content/index.md")
    guides = PageKey("content/guides/")
    return [
        DesiredPage(top, "Postmortem guide", "<p>Welcome.</p>", None, ("postmortem-guide",)),
        DesiredPage(guides, "Guides", "<p>All guides.</p>", top),
        DesiredPage(
            PageKey("content/guides/writing.md"),
            "Writing a postmortem",
            '<p>Timeline first.</p><ac:image><ri:attachment ri:filename="t.png"/></ac:image>',
            guides,
            (),
            (attachment(tmp_path, "t.png", image),),
        ),
        DesiredPage(
            PageKey("content/guides/meeting.md"), "The postmortem meeting", LINK_TO_A, guides
        ),
    ]


@dataclass
class Round:
    outcomes: list[Outcome]
    writes: list[tuple[str, str]]
    requests: int

    def kinds(self) -> Counter[str]:
        return Counter(o.action.kind.value for o in self.outcomes if o.error is None)

    def by_title(self) -> dict[str, Outcome]:
        return {o.action.title: o for o in self.outcomes}


def gateway(wiki: LocalWiki) -> AtlassianGateway:
    return AtlassianGateway(wiki.base_url, user=wiki.user, token=wiki.token, policy=FAST_POLICY)


def sync_round(
    wiki: LocalWiki,
    pages: list[DesiredPage],
    *,
    force: bool = False,
    prune: bool = False,
    adopt: bool = False,
    jobs: int = 4,
) -> Round:
    """Exactly what ``sync`` does after building the site; the request log is per round."""
    wiki.clear_log()
    gw = gateway(wiki)
    try:
        root = gw.home_page("DEV")
        state = read_state(gw, "DEV", LABEL, pages, root, jobs=jobs, verify_attachments=force)
        plan = build_plan(pages, state, PlanOptions(force=force, prune=prune, adopt=adopt))
        options = ApplyOptions(
            space="DEV", labels=(LABEL,), force=force, adopt=adopt, jobs=jobs, commit="abc1234"
        )
        outcomes = apply_plan(plan, gw, options)
    finally:
        gw.close()
    log = wiki.requests
    writes = [(r.method, r.path) for r in log if r.method != "GET" and r.status < 300]
    return Round(outcomes, writes, len(log))


def managed(wiki: LocalWiki) -> list[RemotePage]:
    gw = gateway(wiki)
    try:
        return gw.managed_pages("DEV", LABEL)
    finally:
        gw.close()
