"""Large blocks go back to the operating system as soon as they are freed (glibc only).

glibc serves a request above its *mmap threshold* with a mapping of its own, unmapped when it is
freed; smaller ones come from its heaps, where freed space stays with the process (and each
worker thread writing pages has a heap of its own). The threshold starts at 128 KB, but glibc
raises it to the size of every mapped block freed, up to 32 MB: once a large page's text or
storage has been freed, blocks that size come from the heaps. A first sync of a 10 MB page
peaked at 240 MB that way while its Python objects never took 100 MB. Setting the threshold
fixes it (glibc stops adjusting it), and the same sync peaks at about 165 MB; for ordinary
pages nothing changes, as they never need blocks this large.
"""

from __future__ import annotations

import ctypes
import sys

M_MMAP_THRESHOLD = -3  # mallopt(3)
LARGE_BLOCK = 1 << 20


def map_large_blocks() -> None:
    """Ask glibc to map every block of ``LARGE_BLOCK`` bytes or more; elsewhere, nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK)
