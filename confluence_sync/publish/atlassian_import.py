"""atlassian-python-api's Confluence client, imported without the clients of every other product.

``import atlassian`` runs the package's ``__init__``, which imports the Jira, Bitbucket, Bamboo,
Service Desk, Xray, Tempo, Assets… clients and what they need: a third of a ``sync`` process's
imports (about 4 MB of its peak memory and 60 ms on a 5,000-page site), none of it used here.
``atlassian.confluence`` itself only needs sibling modules (``rest_client``, ``errors``,
``utils``…), which it imports by name.

So, when nothing has imported the package yet, its module is created from its own spec without
running ``__init__`` (a shell: its ``__path__`` is the real one, so submodules import as usual)
and ``atlassian.confluence`` is imported under it. The shell becomes the whole package the moment
anyone asks it for a name it lacks that is not a submodule (``atlassian.Jira``,
``from atlassian import Jira``, ``__all__``): the real ``__init__`` then runs in it, reusing the
submodules already loaded, so another user of the library in the same process sees the package
exactly as usual. If a future layout of the library breaks the lean import, the package is
imported the ordinary way.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
from typing import Any

log = logging.getLogger(__name__)

PACKAGE = "atlassian"


def confluence_class() -> Any:
    """The library's ``Confluence`` class (``atlassian.confluence.Confluence``)."""
    if PACKAGE not in sys.modules:
        _install_shell()
    try:
        from atlassian.confluence import Confluence
    except ImportError as exc:  # the library moved things: take the ordinary road
        log.debug("lean import of atlassian.confluence failed (%s); importing atlassian", exc)
        return importlib.import_module(PACKAGE).Confluence
    return Confluence


def _install_shell() -> None:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return  # not a package we know how to open lean; the import reports what is wrong
    loader = spec.loader
    shell = importlib.util.module_from_spec(spec)

    def complete(name: str) -> Any:
        """Module ``__getattr__`` (PEP 562): only called for names the shell lacks."""
        if not name.startswith("__") and importlib.util.find_spec(f"{PACKAGE}.{name}"):
            raise AttributeError(name)  # a submodule: the import system loads it itself
        del shell.__dict__["__getattr__"]
        loader.exec_module(shell)  # the real __init__, in the module everyone already holds
        return getattr(shell, name)

    shell.__dict__["__getattr__"] = complete
    sys.modules[PACKAGE] = shell
