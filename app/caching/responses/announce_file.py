"""The environment variable in which `byline serve` names the file its workers share content versions in."""

ANNOUNCE_FILE = "BYLINE_ANNOUNCE_FILE"
