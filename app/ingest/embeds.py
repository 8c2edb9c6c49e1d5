"""Third-party media recognised by URL: which provider serves it, and the page URL to embed."""

from urllib.parse import parse_qs, urlsplit

# Host (without "www." / "m.") -> provider name, as the embed block's `provider` names it.
PROVIDERS = {
    "youtube.com": "YouTube",
    "youtu.be": "YouTube",
    "youtube-nocookie.com": "YouTube",
    "vimeo.com": "Vimeo",
    "player.vimeo.com": "Vimeo",
    "twitter.com": "Twitter",
    "x.com": "Twitter",
    "instagram.com": "Instagram",
    "facebook.com": "Facebook",
    "tiktok.com": "TikTok",
    "soundcloud.com": "SoundCloud",
    "w.soundcloud.com": "SoundCloud",
    "open.spotify.com": "Spotify",
    "dailymotion.com": "Dailymotion",
    "flickr.com": "Flickr",
    "slideshare.net": "SlideShare",
    "speakerdeck.com": "Speaker Deck",
    "gist.github.com": "GitHub Gist",
    "codepen.io": "CodePen",
    "reddit.com": "Reddit",
    "ted.com": "TED",
    "embed.ted.com": "TED",
    "google.com": "Google Maps",
    "scribd.com": "Scribd",
    "giphy.com": "Giphy",
    "mixcloud.com": "Mixcloud",
    "bsky.app": "Bluesky",
}


def provider_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    if host == "google.com" and not parts.path.startswith("/maps"):
        return None
    return PROVIDERS.get(host)


def page_url(url: str) -> str:
    """A player URL turned into the page a reader would open: `youtube.com/embed/ID` → `watch?v=ID`."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    if host in ("youtube.com", "youtube-nocookie.com") and parts.path.startswith("/embed/"):
        video = parts.path.removeprefix("/embed/").split("/")[0]
        if video:
            return f"https://www.youtube.com/watch?v={video}"
    if host == "player.vimeo.com" and parts.path.startswith("/video/"):
        video = parts.path.removeprefix("/video/").split("/")[0]
        if video.isdigit():
            return f"https://vimeo.com/{video}"
    if host == "youtube.com" and parts.path == "/watch":
        video = parse_qs(parts.query).get("v", [""])[0]
        if video:
            return f"https://www.youtube.com/watch?v={video}"
    return url
