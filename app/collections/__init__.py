"""Collections: named, ordered lists of articles that editors curate (the home page, a section's picks)."""
