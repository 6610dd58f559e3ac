"""Moves made in the wiki: the rule that tells a person's move from one the repo asks for.

Our stamp records the parent our last write placed the page under. A page under another parent
was moved in the wiki (by the move API, which keeps the version, or by saving a version with
another parent); if the repo still wants the page where we placed it, the person's choice
stands: ``sync`` leaves the page there (saying so) and only ``--force`` puts it back. When the
repo itself moves the page (its file went to another folder, so the wanted parent differs from
the one we placed it under), the repo's move is made. Stamps older than this record carry no
parent, and the repo's tree is restored as before.
"""

from __future__ import annotations

from confluence_sync.pages import PageId, RemotePage


def moved_away(remote: RemotePage) -> bool:
    """Under another parent than our last write placed it: someone moved it since."""
    stamp = remote.stamp
    return bool(stamp and stamp.parent and remote.parent_id and remote.parent_id != stamp.parent)


def moved_in_wiki(remote: RemotePage, wanted: PageId | None) -> bool:
    """The page hangs elsewhere than we placed it, and the repo did not move it since."""
    stamp = remote.stamp
    if stamp is None or not stamp.parent or remote.parent_id is None:
        return False
    return remote.parent_id != stamp.parent and wanted == stamp.parent


def parent_to_write(remote: RemotePage | None, wanted: PageId, *, force: bool) -> PageId | None:
    """The parent a write sends: None keeps where a person moved the page (unless
    ``--force``), else the repo's parent."""
    if remote is not None and not force and moved_in_wiki(remote, wanted):
        return None
    return wanted


def parent_to_stamp(remote: RemotePage | None, wanted: PageId, *, force: bool) -> str:
    """The placement a new stamp records: ours, kept while the person's move stands, so the
    move stays recognised as theirs on every later run."""
    if (
        remote is not None
        and remote.stamp is not None
        and parent_to_write(remote, wanted, force=force) is None
    ):
        return remote.stamp.parent
    return str(wanted)
