"""Most read: view beacons counted in memory per worker, written in batches, and ranked from rolling counts."""
