"""LaTeX math drawn to a PNG with matplotlib's mathtext (the optional extra
``confluence-sync[diagrams]``), for sites without a Confluence math app.

mathtext covers the TeX math most guides use (fractions, sums, roots, Greek, sub/superscripts)
without a TeX installation; a formula it cannot parse is an error carrying its message. The file
is named from a hash of the formula and matplotlib's version, so an unchanged formula is never
drawn or uploaded again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
from functools import cache
from pathlib import Path

INSTALL = "math images need matplotlib: pip install 'confluence-sync[diagrams]'"
DPI = 144  # twice the screen default: sharp on high-density displays, small files


class MathRefused(Exception):
    """mathtext could not parse the formula; the message is its own."""


def missing() -> str | None:
    """What to install to draw math, or None."""
    return None if importlib.util.find_spec("matplotlib") is not None else INSTALL


@cache
def version() -> str:
    import matplotlib

    return f"matplotlib {matplotlib.__version__}"


def attachment_name(latex: str) -> str:
    digest = hashlib.sha256(f"math\0{version()}\0{latex}".encode()).hexdigest()[:20]
    return f"math-{digest}.png"


def draw(latex: str) -> bytes:
    """The PNG of one formula (as written between the dollars)."""
    from matplotlib import mathtext

    buffer = io.BytesIO()
    try:
        mathtext.math_to_image(f"${latex}$", buffer, dpi=DPI, format="png")
    except ValueError as exc:
        raise MathRefused(" ".join(str(exc).split())) from None
    return buffer.getvalue()


def render_math(latex: str, cache_dir: Path) -> Path:
    """The image file of ``latex`` in ``cache_dir``, drawn now unless drawn before."""
    target = cache_dir / attachment_name(latex)
    if not target.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(draw(latex))
        partial.replace(target)
    return target
