"""WordPress shortcodes that carry media, rewritten as the HTML WordPress would show for them.

Only core media shortcodes are understood. Others stay as their literal text, which is what a
WordPress site shows for a shortcode no plugin handles: nothing the author wrote disappears."""

import html
import re

_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s'"\]]+))""")
_CAPTION = re.compile(r"\[(?:wp_)?caption\b([^\]]*)\](.*?)\[/(?:wp_)?caption\]", re.DOTALL | re.IGNORECASE)
_CAPTION_IMAGE = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL | re.IGNORECASE)
_EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.DOTALL | re.IGNORECASE)
_MEDIA = re.compile(r"\[(video|audio)\b([^\]]*)\](?:(.*?)\[/\1\])?", re.DOTALL | re.IGNORECASE)
_PROVIDER = re.compile(r"\[(youtube|vimeo)[= ]\s*([^\]\s]+)[^\]]*\]", re.IGNORECASE)
# Their items are attachments, not part of the post.
_LISTS = re.compile(r"\[(gallery|playlist)\b[^\]]*\](?:\s*\[/\1\])?", re.IGNORECASE)
_MEDIA_SOURCES = ("src", "mp4", "m4v", "webm", "ogv", "ogg", "mp3", "m4a", "wav", "wmv", "flv")


def _attributes(text: str) -> dict[str, str]:
    return {m[1].lower(): next(v for v in m.groups()[1:] if v is not None) for m in _ATTRIBUTE.finditer(text)}


def _player(url: str) -> str:
    return f'<iframe src="{html.escape(url.strip())}"></iframe>'


def _caption(match: re.Match[str]) -> str:
    inner = _CAPTION_IMAGE.match(match[2])
    if inner is None:
        return match[2]
    # Before WordPress 3.4 the caption was an attribute; since then it follows the image.
    caption = inner[2].strip() or html.escape(_attributes(match[1]).get("caption", ""))
    return f"<figure>{inner[1]}<figcaption>{caption}</figcaption></figure>"


def _media(match: re.Match[str]) -> str:
    attributes = _attributes(match[2])
    url = next((attributes[k] for k in _MEDIA_SOURCES if attributes.get(k)), None)
    return _player(url) if url else ""


def expand_shortcodes(content: str) -> str:
    if "[" not in content:
        return content
    content = _CAPTION.sub(_caption, content)
    content = _EMBED.sub(lambda m: _player(m[1]), content)
    content = _MEDIA.sub(_media, content)
    content = _PROVIDER.sub(lambda m: _player(m[2]), content)
    return _LISTS.sub("", content)
