"""Most read under load: view beacons from many readers against `byline serve --workers 2`, then
SIGTERM, then every accepted view looked for in the table; and most-read reads, answered from the
workers' short-lived copies.

    .venv/bin/python -m bench.views --size 1000 --seconds 10
    .venv/bin/python -m bench.views --database-url postgresql://...   # an empty database

Prints a table and writes it, with the machine's description, to bench/results/.

Each beacon comes from a new address (through X-Forwarded-For, as behind a proxy) with a browser's
User-Agent, so none is a repeat, a bot or rate-limited, and each must be counted once. scripts/bench.sh
installs wrk.
"""

import argparse
import json
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime

import httpx
from sqlalchemy import text

from app.db.engines import build_engine
from app.wiring import upgrade_database
from bench.newsroom import load
from bench.suite import RESULTS, SECRET, Measured, Scenario, Server, machine, wrk

# Each thread writes its beacons before the run, each from an address of its own: formatting them
# as they are sent cost wrk about as much as Byline's answer, on the cores the two share.
BEACON_SCRIPT = """
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
articles = {%(articles)s}
init = function()
  beacons = {}
  for count = 1, %(per_thread)d do
    local address = string.format("10.%%d.%%d.%%d", id, math.floor(count / 250) %% 250, count %% 250 + 1)
    if count >= 62500 then
      address = string.format("fd00::%%x:%%x", id, count)
    end
    local headers = {["X-Forwarded-For"] = address, ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"}
    beacons[count] = wrk.format("POST", articles[math.random(#articles)], headers)
  end
  sent = 0
end
request = function()
  -- Past the last one, beacons come again: their repeats are answered but not counted.
  sent = sent %% #beacons + 1
  return beacons[sent]
end
"""
# Beacons written ahead for each of wrk's two threads: more than either sends in a run.
PER_THREAD = 200_000


class Beacons(Scenario):
    def script(self) -> str | None:
        return BEACON_SCRIPT % {"articles": ", ".join(f'"{path}"' for path in self.paths), "per_thread": PER_THREAD}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000, help="Articles in the newsroom.")
    parser.add_argument("--seconds", type=int, default=10, help="Length of each wrk run.")
    parser.add_argument("--database-url", help="An empty PostgreSQL database; a fresh SQLite file otherwise.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/byline.db"
        upgrade_database(url)
        load(url, args.size, related=False)
        env = {
            "BYLINE_DATABASE_URL": url,
            "BYLINE_SECRET_KEY": SECRET,
            "BYLINE_LOG_LEVEL": "warning",
            "BYLINE_SEMANTIC": "false",
            "BYLINE_TRUSTED_PROXIES": '["127.0.0.1"]',
        }
        server = Server(env)
        try:
            with httpx.Client(base_url=server.base, timeout=60) as client:
                slugs = [a["slug"] for a in client.get("/api/v1/articles?limit=100").json()["data"]]
            beacons = Beacons("view beacons", [f"/api/v1/articles/{slug}/views" for slug in slugs])
            measured = wrk(server.base, beacons, args.seconds)
            most_read = server.measure(Scenario("most read, 24h", ["/api/v1/most-read"]), args.seconds)
            section_list = server.measure(Scenario("article list", ["/api/v1/articles?limit=20"]), args.seconds)
        finally:
            server.stop()
        engine = build_engine(url)
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT coalesce(sum(views), 0) FROM article_views")).scalar_one()
        engine.dispose()
    results = {
        "machine": machine(),
        "database": "postgresql" if args.database_url else "sqlite",
        "beacons": asdict(measured),
        # wrk counts the answers it read; a beacon still in flight when it stops may be counted too.
        "views_stored_after_sigterm": int(stored),
        "most_read": asdict(most_read),
        "article_list": asdict(section_list),
    }
    path = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}-views-{results['database']}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {path}")
    _table(measured, most_read, section_list, int(stored))


def _table(beacons: Measured, most_read: Measured, listing: Measured, stored: int) -> None:
    for name, m in (("view beacons", beacons), ("most read", most_read), ("article list (cached)", listing)):
        print(f"{name:24} {m.requests_per_second:>10,.0f} req/s   p50 {m.p50_ms:6.2f} ms   p99 {m.p99_ms:6.2f} ms")
    print(f"beacons answered 202: {beacons.requests - beacons.errors:,}; views in the table after SIGTERM: {stored:,}")


if __name__ == "__main__":
    main()
