"""Authors: the people in bylines."""
