"""Loaded once by `byline serve`'s fork server before it forks the workers (app.server.supervisor):
the app, and what its start loads, with the cycle collector paused as it loads, and out of its way after."""

import gc

import anyio

from app.core.startup import collection_paused
from app.related.semantic import model

with collection_paused():
    import app.main  # noqa: F401 - loaded for every worker

    # anyio loads its event-loop backend, with its sockets and streams, the first time it is used,
    # which was in each worker as it started. Used once here, it is loaded once for all of them.
    anyio.run(anyio.sleep, 0)

    # The semantic index each worker's app opens as it starts stands on numpy, when the extra is
    # installed: loaded here once (0.2-0.3 s of CPU), not by each worker and replacement again.
    if model.available():
        import numpy  # noqa: F401

# Frozen objects are never visited by the collector, so the workers' copies of their pages stay shared.
gc.freeze()
