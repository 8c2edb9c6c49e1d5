"""Text for XML documents (feeds, sitemaps). XML 1.0 cannot carry most control characters, lone
surrogates or U+FFFE/U+FFFF, which JSON, and so a headline or a name sent through the API, can."""

import re

_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """The text without the characters XML cannot hold; everything else, markup included, as it was."""
    return _NOT_IN_XML.sub("", text)
