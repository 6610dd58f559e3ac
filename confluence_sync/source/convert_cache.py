"""The conversion cache: a page whose inputs did not change is not parsed or rendered again.

An entry is found by the page's *fingerprint* (its Markdown, where it sits, how it is rendered,
and the code that renders it) and then *checked* against the rest of the site: every question
the page asked the resolver while it was rendered ("what is at ../guide.md?", "is there a file
at images/a.png?") is asked again, and each file it attaches is hashed again; an entry whose
answers differ (a linked page renamed, a heading gone, an image changed) is rendered afresh.
So the cache can only make a run faster, never different.

Entries are a JSON document followed by the page's XHTML packed (``PackedText``, which is how
the run keeps it in memory too), each behind its own SHA-256, all in one file (``cache_pack``):
a truncated, edited or foreign entry or file is ignored (and rewritten by the run), never
half-trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from confluence_sync import __version__
from confluence_sync.convert.storage_doc import Attachment
from confluence_sync.errors import Problem
from confluence_sync.pages import PackedText
from confluence_sync.source.cache_pack import TEMP_PREFIX, PackReader, PackWriter
from confluence_sync.source.packed_doc import PackedDoc

log = logging.getLogger(__name__)

FORMAT = 2  # 2: the XHTML follows the JSON document, packed
STRAY_SECONDS = 3600  # a new cache file this old was left by a run that crashed
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "pymdown-extensions", "lxml")
_CODE_DIRS = ("convert", "source", "template")


Query = list[Any]  # ["page", href, answer] | ["file", href, answer, sha256]


@dataclass(frozen=True)
class Entry:
    """One page's cached output and the questions its rendering asked."""

    fingerprint: str
    anchors: dict[str, str]
    doc: PackedDoc
    queries: Iterable[Query]  # a tuple when rendered, ``QueryText`` when read from the cache


def code_fingerprint() -> str:
    """What renders a page besides its input: this tool's version and converter source, and
    the versions of the parsing libraries (a development checkout changes code without
    changing its version)."""
    digest = hashlib.sha256(f"{FORMAT} {__version__}".encode())
    package = Path(__file__).resolve().parent.parent
    for folder in _CODE_DIRS:
        for path in sorted((package / folder).rglob("*.py")):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=-".encode())
    return digest.hexdigest()


def page_fingerprint(code: str, parts: Iterable[str]) -> str:
    digest = hashlib.sha256(code.encode())
    for part in parts:
        digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class ConversionCache:
    """Entries by page key, all in one file ``folder/conversion-<code>.pack`` (``cache_pack``):
    a run reads one entry at a time (memory stays at one page's size, not the site's) and
    writes a new file only when an entry was rendered afresh or a page is gone."""

    def __init__(self, folder: Path, code: str) -> None:
        self.root = folder
        self.path = folder / f"conversion-{code[:24]}.pack"
        self.code = code
        self._old: PackReader | None = None
        self._new: PackWriter | None = None
        self._carried: list[str] = []  # entries kept as they are, before anything was rewritten
        self._kept: set[str] = set()
        self._writable = True

    @staticmethod
    def _name(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def get(self, key: str, fingerprint: str) -> Entry | None:
        raw, packed = self._load(self._name(key))
        if raw is None or raw.get("key") != key or raw.get("fingerprint") != fingerprint:
            return None
        try:
            return _entry(raw, PackedText(packed))
        except (KeyError, IndexError, TypeError, ValueError, zlib.error):
            log.debug("conversion cache: unreadable entry for %s ignored", key)
            return None

    def keep(self, key: str, entry: Entry, *, fresh: bool) -> None:
        """Keep ``key``'s entry; ``fresh``: it was just rendered, so (re)write it."""
        name = self._name(key)
        self._kept.add(name)
        if fresh:
            self._write(name, {"key": key, **_raw(entry)}, entry.doc.packed.data)
        else:
            self._carry(name)

    def text(self, key: str, source: bytes, compute: Callable[[], str]) -> str:
        """A generated page's body (the template page) by the bytes it is made from."""
        fingerprint = hashlib.sha256(self.code.encode() + b"\0" + source).hexdigest()
        name = self._name(key)
        self._kept.add(name)
        raw, _ = self._load(name)
        if raw is not None and raw.get("key") == key and raw.get("fingerprint") == fingerprint:
            cached = raw.get("text")
            if isinstance(cached, str):
                self._carry(name)
                return cached
        value = compute()
        self._write(name, {"key": key, "fingerprint": fingerprint, "text": value})
        return value

    def save(self) -> None:
        """Put the new file in place (without the entries of pages that are gone) and remove
        caches of other tool versions."""
        old = self._reader()
        if self._new is None and self._kept != set(old.index):
            self._start()
        old.close()
        self._old = None
        if self._new is not None:
            try:
                self._new.finish()
            except OSError as exc:
                log.info("conversion cache not saved: %s", exc)
                self._new.abandon()
            self._new = None
        self._tidy()

    def _reader(self) -> PackReader:
        if self._old is None:
            self._old = PackReader(self.path)
        return self._old

    def _load(self, name: str) -> tuple[dict[str, Any] | None, bytes]:
        """The entry's JSON document (None: missing or damaged) and the packed bytes after it.
        The JSON holds no raw newline, so the first newline ends it."""
        payload = self._reader().payload(name)
        if payload is None:
            return None, b""
        text, _, packed = payload.partition(b"\n")
        try:
            document = json.loads(text)
        except ValueError:
            return None, b""
        return (document if isinstance(document, dict) else None), packed

    def _write(self, name: str, document: dict[str, Any], packed: bytes = b"") -> None:
        if self._new is None and not self._start():
            return
        payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        self._add(name, payload + b"\n" + packed)

    def _carry(self, name: str) -> None:
        """An entry that holds: copied as it is once a new file is being written."""
        if self._new is None:
            self._carried.append(name)
            return
        payload = self._reader().payload(name)
        if payload is not None:
            self._add(name, payload)

    def _start(self) -> bool:
        """Begin the new file with the entries kept so far; a read-only checkout only loses
        the speed-up."""
        if not self._writable:
            return False
        try:
            self._new = PackWriter(self.path)
        except OSError as exc:
            log.info("conversion cache not saved: %s", exc)
            self._writable = False
            return False
        for name in self._carried:
            self._carry(name)
        return self._new is not None

    def _add(self, name: str, payload: bytes) -> None:
        if self._new is None:
            return
        try:
            self._new.add(name, payload)
        except OSError as exc:
            log.info("conversion cache not saved: %s", exc)
            self._new.abandon()
            self._new, self._writable = None, False

    def _tidy(self) -> None:
        """Caches of other tool versions go, and so do new files a crashed run left behind
        (old enough that no run still writes them)."""
        try:
            for other in self.root.glob("conversion-*"):
                if other == self.path:
                    continue
                if other.is_dir():
                    shutil.rmtree(other, ignore_errors=True)
                else:
                    other.unlink()
            for stray in self.root.glob(f"{TEMP_PREFIX}*"):
                if stray.stat().st_mtime < time.time() - STRAY_SECONDS:
                    stray.unlink(missing_ok=True)
        except OSError as exc:
            log.info("conversion cache not tidied: %s", exc)


def _raw(entry: Entry) -> dict[str, Any]:
    doc = entry.doc
    return {
        "fingerprint": entry.fingerprint,
        "anchors": entry.anchors,
        "queries": QueryText.of(entry.queries).text,
        "attachments": [[a.filename, str(a.path), a.sha256] for a in doc.attachments],
        "problems": [_problem_raw(p) for p in doc.problems],
        "warnings": [_problem_raw(p) for p in doc.warnings],
        "links": list(doc.external_links),
    }


def _entry(raw: Mapping[str, Any], xhtml: PackedText) -> Entry:
    """The entry behind a valid checksum, or ValueError (or zlib.error: the XHTML does not
    unpack) when its shape is wrong."""
    xhtml.text()
    doc = PackedDoc(
        packed=xhtml,
        attachments=tuple(
            Attachment(_text(name), Path(_text(path)), _text(sha))
            for name, path, sha in raw["attachments"]
        ),
        problems=tuple(_problem(p) for p in raw["problems"]),
        external_links=tuple(_text(link) for link in raw["links"]),
        warnings=tuple(_problem(p) for p in raw["warnings"]),
    )
    # an anchor is mostly its own slug: one string for both halves
    anchors = {_text(k): (k if v == k else _text(v)) for k, v in dict(raw["anchors"]).items()}
    return Entry(_text(raw["fingerprint"]), anchors, doc, QueryText(_text(raw["queries"])))


class QueryText:
    """A cached page's questions, kept as the JSON text they are stored as until the entry is
    checked (once, after every page's anchors are known): a large site then does not hold
    thousands of small lists meanwhile. Text that is not a list of questions reads as one
    question no resolver answers, so the entry does not hold and the page is rendered again."""

    def __init__(self, text: str) -> None:
        self.text = text

    @classmethod
    def of(cls, queries: Iterable[Query]) -> QueryText:
        if isinstance(queries, QueryText):
            return queries
        return cls(json.dumps(list(queries), ensure_ascii=False, separators=(",", ":")))

    def __iter__(self) -> Iterator[Query]:
        try:
            value = json.loads(self.text)
        except ValueError:
            value = None
        if not isinstance(value, list) or not all(map(_is_query, value)):
            value = [["unreadable", ""]]
        return iter(value)


def _is_query(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) >= 2
        and isinstance(value[0], str)
        and isinstance(value[1], str)
    )


def _problem_raw(problem: Problem) -> list[Any]:
    return [problem.path, problem.message, problem.line, problem.level]


def _problem(raw: list[Any]) -> Problem:
    path, message, line, level = raw
    if level not in ("error", "warning") or not (line is None or isinstance(line, int)):
        raise ValueError("bad problem")
    return Problem(_text(path), _text(message), line, level)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value
