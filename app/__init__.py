"""Byline: a headless news-content API."""
