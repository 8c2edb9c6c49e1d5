"""Related articles: term vectors, scoring with reasons, and editors' pins."""
