"""Is an image file what its name says? A text file called ``logo.png`` would be uploaded as
``image/png`` and shown as a broken image, so the first bytes are compared with the signature of
the format its extension names."""

from __future__ import annotations

from pathlib import Path

_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "ico": (b"\x00\x00\x01\x00", b"\x00\x00\x02\x00"),
}
_HEAD = 64 * 1024  # an SVG's root element comes after at most a prolog and comments


def image_mismatch(path: Path) -> str | None:
    """Why the file is not an image of its extension's type, or None (also for files that are
    not images at all: they are uploaded as they are)."""
    kind = path.suffix.lower().lstrip(".")
    if kind not in (*_SIGNATURES, "webp", "svg"):
        return None
    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    if kind == "webp":
        ok = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    elif kind == "svg":
        ok = b"\x00" not in head and b"<svg" in head
    else:
        ok = head.startswith(_SIGNATURES[kind])
    return None if ok else f"the file is not a {kind.upper()} image (its bytes do not match)"
