"""The example reader-facing site (examples/frontend), served at `/` by `byline serve`."""
