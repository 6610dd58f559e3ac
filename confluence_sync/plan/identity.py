"""The one rule that decides which wiki page is ours, used by ``plan``, ``sync``, ``diff`` and
``incident new`` alike, so that what ``plan`` shows is what ``sync`` does.

A page is ours by its stamp (the source it was written from), checked rather than believed:
the stamp must have been written for this page id (a copy carries it under another id), and a
version is *written by us* only when its author is the account the tool writes as and the stamp
claims it (:func:`written_by_us`). Version messages and the property are hints, never proof.
Two pages claiming one source leave that source disputed: neither is written nor pruned.

A desired page with no stamped
page finds the page holding its title in the space, if any: our own page whose source is gone
(the file was moved: it is the same page), a page someone wrote by hand (taken over only when
the user asks, with ``--adopt``), or a page another source of ours holds (a conflict).
Confluence titles are unique per space regardless of case, so titles are compared casefolded.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from confluence_sync.pages import INCIDENT_PREFIX, DesiredPage, PageId, PageKey, RemotePage


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
    """Each desired page's match, and the stamped pages nothing claimed (orphans).
    ``disputed``: pages whose source another page claims too (damaged stamps)."""

    matches: Mapping[PageKey, Match]
    leftovers: tuple[RemotePage, ...]
    disputed: frozenset[PageId] = frozenset()


def checked(page: RemotePage) -> RemotePage:
    """The page with its stamp as far as the stamp can be believed. A stamp written for
    another page id was copied with the page (Confluence's *Copy* takes content properties
    along): the copy is a person's page, so the stamp is dropped. A stamp without a page id
    (written in a v1 create request, before the id existed) claiming a version this page has
    not reached, or its first version, on a page someone else wrote is such a copy too: a copy
    starts at version 1, written by whoever copied, and our creates are our own account's."""
    stamp = page.stamp
    if stamp is None:
        return page
    copied = bool(stamp.page_id) and stamp.page_id != page.id
    if not stamp.page_id and not page.by_us and page.version == 1 <= stamp.version:
        copied = True
    return replace(page, stamp=None) if copied else page


def written_by_us(page: RemotePage) -> bool:
    """The one rule for "written by us": the current version's author is the account the tool
    writes as, and the stamp claims that very version of this very page."""
    stamp = page.stamp
    return (
        stamp is not None
        and page.by_us
        and page.version == stamp.version
        and stamp.page_id in ("", page.id)
    )


def edited_since_stamp(page: RemotePage) -> bool:
    """A version the stamp does not prove ours is on top: the page moved past its stamp, or
    the version the stamp claims was written by someone else (a hand-edited property)."""
    stamp = page.stamp
    if stamp is None:
        return False
    return page.version > stamp.version or (page.version == stamp.version and not page.by_us)


def stamp_ahead(page: RemotePage) -> bool:
    """The stamp claims a version the page never had (past the page's, or below its first):
    it was edited by hand, and proves nothing."""
    stamp = page.stamp
    return stamp is not None and not 1 <= stamp.version <= page.version


def title_key(title: str) -> str:
    return title.casefold()


def belongs(page: RemotePage, site: str) -> bool:
    """A page stamped for this site, or before sites existed (claimed by the first site that
    syncs it). Pages of other sites are never ours, whatever their source says."""
    return page.stamp is not None and page.stamp.site in ("", site)


def by_source(remote: Iterable[RemotePage]) -> tuple[dict[PageKey, RemotePage], list[RemotePage]]:
    """Index stamped pages by source (stamps checked first, see :func:`checked`). Two pages
    claiming the same source cannot both be right and nothing says which is: both are
    returned as disputed, and the source is matched to neither."""
    claims: dict[PageKey, list[RemotePage]] = {}
    for page in map(checked, remote):
        if page.stamp is not None:  # else labelled by hand, or a copy: not ours
            claims.setdefault(PageKey(page.stamp.source), []).append(page)
    matched = {key: pages[0] for key, pages in claims.items() if len(pages) == 1}
    disputed = [page for pages in claims.values() if len(pages) > 1 for page in pages]
    return matched, disputed


def disputed_reason(pages: Sequence[RemotePage]) -> str:
    ids = " and ".join(f"id {p.id} ('{p.title}')" for p in pages)
    return (
        f"stamp damaged: pages {ids} both claim this source; neither is written or pruned "
        "(delete the confluence-sync property of the one that is not ours)"
    )


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
    managed = [checked(p) for p in managed]
    stamped, disputed = by_source(p for p in managed if belongs(p, site))
    wanted = {page.key for page in desired}
    holders = {title_key(p.title): p for p in map(checked, titled)}
    for remote in (*stamped.values(), *managed):
        holders.setdefault(title_key(remote.title), remote)
    matches: dict[PageKey, Match] = {}
    claimed: set[str] = {p.id for p in disputed}
    for page in desired:
        rivals = [p for p in disputed if p.source == page.key]
        if rivals:
            matches[page.key] = Match(Claim.TAKEN, None, disputed_reason(rivals))
        elif page.key in stamped:
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
    leftovers = [p for p in stamped.values() if p.id not in claimed]
    unwanted = [p for p in disputed if PageKey(p.source) not in wanted]
    return Identity(matches, (*leftovers, *unwanted), frozenset(p.id for p in disputed))


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
