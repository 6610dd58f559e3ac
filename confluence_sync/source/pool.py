"""Converting a large site on several processes, with the same output as one process.

Each worker owns a fixed share of the pages for the whole conversion: it parses its share and
sends back their anchors, receives every page's title and anchors (what links are checked
against), renders its share and sends back the documents. Parsed tokens never cross a process
boundary (pickling them would cost more than parsing), and a page is parsed once.

The pool knows how to run workers, not what converting is: it receives what a worker runs as a
``ShareWork`` of module-level functions (``conversion.py`` provides them), which a spawned
worker imports by name rather than the pool importing conversion back.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from confluence_sync.convert import PageTarget
from confluence_sync.pages import PageKey
from confluence_sync.source.convert_cache import Query
from confluence_sync.source.packed_doc import PackedDoc

if TYPE_CHECKING:  # multiprocessing is imported when a pool starts, not by every render
    from multiprocessing.connection import Connection

POOL_MIN_PAGES = 150  # below this, starting workers costs more than it saves
MAX_WORKERS = 8
BATCH = 50  # rendered pages per message back to the parent

# What a page's rendering hands back; from a worker, the document packed and the questions as
# text, so the parent holds a large site's results compactly until they are cached.
Rendered = tuple[PackedDoc, dict[str, str], Iterable[Query]]


def worker_count(pages: int) -> int:
    """How many processes are worth it for ``pages`` to convert on this machine (1: none)."""
    if pages < POOL_MIN_PAGES:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS, pages // (POOL_MIN_PAGES // 2)))


def _context() -> Any:
    """Fork where it is safe (no other thread whose locks a child could inherit), else spawn."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


Parsed = dict[PageKey, Any]  # what a share's parse keeps for rendering, by page
Anchors = dict[PageKey, dict[str, str]]


@dataclass(frozen=True)
class ShareWork:
    """What each worker runs, as module-level functions (a spawned worker unpickles them by
    name). ``parse(share)``: what to keep of each page's parse, and every page's anchors.
    ``render(parsed, jobs, targets, repo)``: each job's key and result, in order, one at a
    time, so a worker can send them back in batches."""

    parse: Callable[[list[Any]], tuple[Parsed, Anchors]]
    render: Callable[
        [Parsed, list[Any], dict[Path, PageTarget], Path], Iterator[tuple[PageKey, Rendered]]
    ]


SiteFor = Callable[[dict[PageKey, dict[str, str]]], tuple[dict[Path, PageTarget], Path, list[Any]]]


def convert_in_pool(
    shares: Sequence[Sequence[Any]], site_for: SiteFor, work: ShareWork
) -> tuple[dict[PageKey, dict[str, str]], dict[PageKey, Rendered]]:
    """``shares[i]``: the jobs worker i parses (running ``work``). ``site_for(anchors)``,
    called once every share is parsed, gives the resolver's targets, the repository, and the
    jobs each worker renders besides its share (cached pages whose entry no longer holds).
    Returns the anchors parsed and every page rendered."""
    context = _context()
    links: list[Connection] = []
    processes = []
    for share in shares:
        ours, theirs = context.Pipe()
        process = context.Process(target=_work, args=(theirs, list(share), work), daemon=True)
        process.start()
        theirs.close()
        links.append(ours)
        processes.append(process)
    try:
        anchors: dict[PageKey, dict[str, str]] = {}
        for link in links:
            anchors.update(_receive(link))
        targets, repo, extras = site_for(anchors)
        for index, link in enumerate(links):
            link.send((targets, repo, extras[index :: len(links)]))
        rendered = _collect(links, anchors)
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    return anchors, rendered


def _collect(
    links: list[Connection], anchors: dict[PageKey, dict[str, str]]
) -> dict[PageKey, Rendered]:
    """Small batches from whichever worker has one, until each says it is done: none waits on
    another."""
    from multiprocessing.connection import Connection, wait

    rendered: dict[PageKey, Rendered] = {}
    pending = list(links)
    while pending:
        for ready in wait(pending):
            assert isinstance(ready, Connection)
            batch = _receive(ready)
            if batch:
                rendered.update(_sharing_anchors(batch, anchors))
            else:
                pending.remove(ready)
    return rendered


def _sharing_anchors(
    batch: dict[PageKey, Rendered], parsed: dict[PageKey, dict[str, str]]
) -> dict[PageKey, Rendered]:
    """``batch`` with each page's anchors replaced by the equal dict its first pass sent, so a
    large site's anchors are held once, not twice, until the results are cached."""
    for key, (doc, page_anchors, queries) in batch.items():
        if parsed.get(key) == page_anchors:
            batch[key] = (doc, parsed[key], queries)
    return batch


def _receive(link: Connection) -> Any:
    try:
        answer = link.recv()
    except EOFError:
        raise RuntimeError("a conversion worker exited without an answer") from None
    if isinstance(answer, BaseException):
        raise answer
    return answer


def _work(link: Connection, share: list[Any], work: ShareWork) -> None:
    """A worker: parse ``share``, report anchors, wait for the site, render ``share`` and the
    extra jobs it is sent. An error travels back as the exception, raised in the parent."""
    try:
        parsed, anchors = work.parse(share)
        link.send(anchors)
        targets, repo, extra = link.recv()
        out: dict[PageKey, Rendered] = {}
        for key, result in work.render(parsed, [*share, *extra], targets, repo):
            out[key] = result
            if len(out) >= BATCH:
                link.send(out)
                out = {}
        link.send(out)
        if out:
            link.send({})  # an empty batch ends the answer
    except BaseException as exc:  # handed to the parent, which raises it
        link.send(exc)
    finally:
        link.close()
