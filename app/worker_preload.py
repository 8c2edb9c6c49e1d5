"""Loaded once by `byline serve`'s fork server before it forks the workers (app.server.supervisor):
the app, with the cycle collector paused as it loads, and out of its way after."""

import gc

from app.core.startup import collection_paused

with collection_paused():
    import app.main  # noqa: F401 - loaded for every worker

# Frozen objects are never visited by the collector, so the workers' copies of their pages stay shared.
gc.freeze()
