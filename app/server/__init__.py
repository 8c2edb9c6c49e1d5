"""What `byline serve` runs: uvicorn's protocol with Byline's limits, and the worker supervisor."""
