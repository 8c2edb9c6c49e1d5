"""The demo newsroom that `make run` serves out of the box."""
