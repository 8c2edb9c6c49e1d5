"""Caches never show what a write changed, across servers: two cached servers on one PostgreSQL,
compared after random writes with a server that keeps nothing (tests/caching/test_never_stale.py)."""

import random

import pytest

from tests.caching.test_never_stale import run
from tests.conftest import BACKENDS


# Servers on several machines share only PostgreSQL.
@pytest.mark.parametrize("database_url", [backend for backend in BACKENDS if backend == "postgresql"], indirect=True)
def test_two_cached_servers_answer_as_an_uncached_one_after_random_writes(database_url, session, api_key):
    run(database_url, session, api_key, cached=2, seed=random.randrange(10**6))
