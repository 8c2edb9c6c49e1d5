"""Sections and tags: how articles are grouped."""
