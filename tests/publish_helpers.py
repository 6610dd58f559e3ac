"""Shared pieces of the publishing tests: a small guide of desired pages, a local wiki that
knows which REST API its tests publish through, and one sync round through the real gateway,
planner and applier against it over HTTP."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confluence_sync.commands.state import read_state
from confluence_sync.localwiki import LocalWiki
from confluence_sync.pages import AttachmentFile, DesiredPage, PageKey, RemotePage
from confluence_sync.plan.build import PlanOptions, build_plan
from confluence_sync.publish.apply import ApplyOptions, Outcome, apply_plan
from confluence_sync.publish.atlassian import AtlassianGateway
from confluence_sync.publish.gateway_v2 import V2Gateway
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


API_TARGETS = ("v1-server", "v1-cloud", "v2-cloud")
"""The gateway x wiki-mode combinations the publishing tests run against (v2 is Cloud only)."""


class ApiWiki(LocalWiki):
    """A local wiki plus the API (``v1`` or ``v2``) the test publishes through."""

    def __init__(self, data_dir: Path, target: str, **kwargs: Any) -> None:
        api, mode = target.split("-")
        super().__init__(data_dir, mode=mode, **kwargs)  # type: ignore[arg-type]
        self.api = api

    def env(self, token: str = "admin", user: str = "admin") -> dict[str, str]:
        """The ``CONFLUENCE_*`` variables a command needs to publish here with this API."""
        return {
            "CONFLUENCE_URL": self.base_url,
            "CONFLUENCE_USER": user,
            "CONFLUENCE_TOKEN": token,
            "CONFLUENCE_API": self.api,
        }


def api_of(wiki: LocalWiki) -> str:
    return getattr(wiki, "api", "v1")


def gateway_class(wiki: LocalWiki) -> type[AtlassianGateway]:
    return V2Gateway if api_of(wiki) == "v2" else AtlassianGateway


def gateway(wiki: LocalWiki, **kwargs: Any) -> AtlassianGateway:
    cls = gateway_class(wiki)
    return cls(wiki.base_url, user=wiki.user, token=wiki.token, policy=FAST_POLICY, **kwargs)


def writes_to(wiki: LocalWiki) -> list[str]:
    """``METHOD path`` of every accepted request that may change the wiki. v2 looks people up
    with ``POST /users-bulk``, a read in a POST's clothing, so it does not count."""
    return [
        f"{r.method} {r.path}"
        for r in wiki.requests
        if r.method != "GET" and r.status < 400 and not r.path.endswith("/api/v2/users-bulk")
    ]


def page_requests(wiki: LocalWiki) -> list[str]:
    """``METHOD path`` of every logged request that created, read or changed a page through
    v1's content endpoints (search, labels, attachments and moves excepted)."""
    kept = []
    for r in wiki.requests:
        path = r.path.removeprefix("/wiki")
        if not path.startswith("/rest/api/content") or path.startswith("/rest/api/content/search"):
            continue
        if any(part in path for part in ("/label", "/child/attachment", "/move/")):
            continue
        kept.append(f"{r.method} {r.path}")
    return kept


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
    writes = [tuple(w.split(" ", 1)) for w in writes_to(wiki)]
    return Round(outcomes, writes, len(log))  # type: ignore[arg-type]


def managed(wiki: LocalWiki) -> list[RemotePage]:
    """The managed pages as the wiki lists them (the CQL query, v1 on both gateways)."""
    gw = gateway(wiki)
    try:
        return gw.managed_pages("DEV", LABEL)
    finally:
        gw.close()


def write_project(root: Path, extra_pages: int = 0) -> Path:
    (root / "content" / "guides").mkdir(parents=True)
    (root / "content" / "images").mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.confluence-sync]\nspace = "DEV"\ncontent_dir = "content"\n'
        'labels = ["postmortem-guide"]\n'
    )
    (root / "content" / "index.md").write_text("# Postmortem guide\n\nWelcome.\n")
    (root / "content" / "guides" / "writing.md").write_text(
        "# Writing a postmortem\n\nTimeline first.\n\n![timeline](../images/t.png)\n"
    )
    (root / "content" / "guides" / "meeting.md").write_text(
        "# The meeting\n\nSee [writing](writing.md).\n"
    )
    (root / "content" / "images" / "t.png").write_bytes(b"\x89PNG one")
    for n in range(extra_pages):
        (root / "content" / "guides" / f"extra-{n:03d}.md").write_text(
            f"# Extra page {n}\n\nBody {n}.\n"
        )
    return root
