"""uvicorn's worker supervisor, saying when it replaces a worker: uvicorn itself notes a dead or hung
worker only at INFO, which a production log level hides, though every connection of that worker was dropped."""

import logging

from uvicorn.supervisors import Multiprocess

log = logging.getLogger("byline.server")

# How long a worker may leave the supervisor's ping unanswered before it is killed and replaced. A
# worker busy on a loaded machine answers late, and killing it drops every request it holds.
HEALTHCHECK_SECONDS = 30


class Supervisor(Multiprocess):
    def keep_subprocess_alive(self) -> None:
        before = list(self.processes)
        super().keep_subprocess_alive()
        for old, new in zip(before, self.processes, strict=True):
            if new is not old:
                log.warning(
                    "worker %s died or left a health check unanswered for %s s (exit code %s); worker %s replaces it",
                    old.pid,
                    self.config.timeout_worker_healthcheck,
                    old.exitcode,
                    new.pid,
                )
