"""The one rule that decides which wiki page is ours, used by ``plan``, ``sync``, ``diff`` and
``incident new`` alike, so that what ``plan`` shows is what ``sync`` does.

A page is ours by its stamp (the source it was written from). A desired page with no stamped
page finds the page holding its title in the space, if any: our own page whose source is gone
(the file was moved: it is the same page), a page someone wrote by hand (taken over only when
the user asks, with ``--adopt``), or a page another source of ours holds (a conflict).
Confluence titles are unique per space regardless of case, so titles are compared casefolded.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from confluence_sync.pages import INCIDENT_PREFIX, DesiredPage, PageKey, RemotePage


class Claim(str, Enum):
    NEW = "new"  # no page holds the title: create it
    OURS = "ours"  # stamped with this source (or moved here from a source that is gone)
    ADOPT = "adopt"  # an unstamped page with this title, taken over because --adopt was given
    TAKEN = "taken"  # the title belongs to a page we may not write


@dataclass(frozen=True)
class Match:
    claim: Claim
    remote: RemotePage | None = None
    reason: str = ""


@dataclass(frozen=True)
class Identity:
    """Each desired page's match, and the stamped pages nothing claimed (orphans)."""

    matches: Mapping[PageKey, Match]
    leftovers: tuple[RemotePage, ...]


def title_key(title: str) -> str:
    return title.casefold()


def belongs(page: RemotePage, site: str) -> bool:
    """A page stamped for this site, or before sites existed (claimed by the first site that
    syncs it). Pages of other sites are never ours, whatever their source says."""
    return page.stamp is not None and page.stamp.site in ("", site)


def by_source(remote: Iterable[RemotePage]) -> tuple[dict[PageKey, RemotePage], list[RemotePage]]:
    """Index stamped pages by source. Should two pages claim the same source (two writers that
    raced), the most recently written one wins and the other is left over as an orphan."""
    matched: dict[PageKey, RemotePage] = {}
    extra: list[RemotePage] = []
    for page in remote:
        if page.stamp is None:
            continue  # labelled by hand, not ours
        key = PageKey(page.stamp.source)
        current = matched.get(key)
        if current is None or page.version > current.version:
            if current is not None:
                extra.append(current)
            matched[key] = page
        else:
            extra.append(page)
    return matched, extra


def identify(
    desired: Sequence[DesiredPage],
    managed: Iterable[RemotePage],
    titled: Iterable[RemotePage] = (),
    *,
    adopt: bool = False,
    site: str = "",
    unfinished: Collection[str] = frozenset(),
) -> Identity:
    """Match every desired page. ``managed`` are the pages the state query found (stamped or
    labelled); ``titled`` the pages found by title for desired pages without a stamped match.
    Only pages of ``site`` can be ours; another site's pages only hold titles. ``unfinished``
    are unstamped pages known to be our own interrupted creates (taken over, as with --adopt)."""
    managed = list(managed)
    stamped, extra = by_source(p for p in managed if belongs(p, site))
    wanted = {page.key for page in desired}
    holders = {title_key(p.title): p for p in titled}
    for remote in (*stamped.values(), *managed):
        holders.setdefault(title_key(remote.title), remote)
    matches: dict[PageKey, Match] = {}
    claimed: set[str] = set()
    for page in desired:
        if page.key in stamped:
            matches[page.key] = Match(Claim.OURS, stamped[page.key])
            claimed.add(stamped[page.key].id)
    for page in desired:
        if page.key in matches:
            continue
        holder = holders.get(title_key(page.title))
        mine = adopt or (holder is not None and holder.id in unfinished)
        match = _by_title(page, holder, wanted, claimed, adopt=mine, site=site)
        if mine and not adopt and match.claim is Claim.ADOPT:
            match = replace(match, reason="finishes an interrupted create (it has no stamp yet)")
        if match.remote is not None and match.claim is not Claim.TAKEN:
            claimed.add(match.remote.id)
        matches[page.key] = match
    leftovers = [p for p in stamped.values() if p.id not in claimed] + extra
    return Identity(matches, tuple(p for p in leftovers if p.id not in claimed))


def _by_title(
    page: DesiredPage,
    holder: RemotePage | None,
    wanted: set[PageKey],
    claimed: set[str],
    *,
    adopt: bool,
    site: str,
) -> Match:
    if holder is None:
        return Match(Claim.NEW)
    if holder.id in claimed:
        owner = holder.source or "another page"
        return Match(Claim.TAKEN, holder, f"title '{holder.title}' is used by {owner}")
    stamp = holder.stamp
    if stamp is not None and not belongs(holder, site):
        return Match(
            Claim.TAKEN,
            holder,
            f"title '{holder.title}' is used by site {stamp.site} ({stamp.source}); left alone",
        )
    if stamp is not None:
        if stamp.source == page.key:
            return Match(Claim.OURS, holder)
        if PageKey(stamp.source) not in wanted and not stamp.source.startswith(INCIDENT_PREFIX):
            return Match(Claim.OURS, holder, f"source moved from {stamp.source}")
        return Match(Claim.TAKEN, holder, f"title '{holder.title}' is used by {stamp.source}")
    if adopt:
        return Match(Claim.ADOPT, holder, f"adopts the existing page {describe_holder(holder)}")
    return Match(
        Claim.TAKEN,
        holder,
        f"a page titled '{holder.title}' exists and was not written by confluence-sync "
        f"({describe_holder(holder)}); left alone. Run with --adopt to take it over",
    )


def describe_holder(page: RemotePage) -> str:
    """Where a page is and who last touched it: what a person needs to decide to adopt it."""
    parts = [f"id {page.id}"]
    if page.url:
        parts.append(page.url)
    who = page.last_editor or "someone"
    when = f" at {page.last_edited}" if page.last_edited else ""
    parts.append(f"last edited by {who}{when}")
    return ", ".join(parts)
