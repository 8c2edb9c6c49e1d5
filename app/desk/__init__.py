"""The desk: the newsroom's web app for writing and publishing, built on the public API."""
