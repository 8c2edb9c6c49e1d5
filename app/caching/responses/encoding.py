"""Content-coding: brotli, zstd or gzip, whichever the client prefers, for bodies worth it."""

import gzip
import hashlib
from functools import lru_cache

import brotli
import zstandard

# Below this, compression saves less than it costs.
MIN_COMPRESSED_BYTES = 1024
# Our preference when the client rates several equally.
SUPPORTED = ("br", "zstd", "gzip")
COMPRESSIBLE_TYPES = (b"application/json", b"application/problem+json", b"text/", b"application/xml")


def compressible(content_type: bytes, size: int) -> bool:
    return size >= MIN_COMPRESSED_BYTES and content_type.startswith(COMPRESSIBLE_TYPES)


def compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return bytes(brotli.compress(body, quality=5))
    if encoding == "zstd":
        return zstandard.ZstdCompressor(level=3).compress(body)
    # mtime=0: the same body always gives the same bytes, and the same ETag.
    return gzip.compress(body, compresslevel=6, mtime=0)


# Clients send few distinct values; parsing one per request would cost more than the lookup.
@lru_cache(maxsize=256)
def negotiate(accept_encoding: bytes) -> str:
    """The supported coding the client rates highest (RFC 9110 §12.5.3), else identity."""
    ratings: dict[str, float] = {}
    for part in accept_encoding.decode("latin-1").lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        ratings[name.strip()] = quality
    wildcard = ratings.get("*", 0.0)
    best, best_rating = "identity", 0.0
    for encoding in SUPPORTED:
        rating = ratings.get(encoding, wildcard)
        if rating > best_rating:
            best, best_rating = encoding, rating
    return best


def strong_etag(body: bytes) -> str:
    """A strong ETag for these exact bytes."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def encoded_etag(etag: str, encoding: str) -> str:
    # Each content-coding is its own representation, with its own strong tag.
    return etag if encoding == "identity" else etag[:-1] + f'-{encoding}"'


def uncoded_etag(etag: str) -> str:
    """The tag of the representation a compressed answer carried: a client's If-Match or
    If-None-Match names the same content whatever coding it came in."""
    for encoding in SUPPORTED:
        if etag.endswith(f'-{encoding}"'):
            return etag[: -len(encoding) - 2] + '"'
    return etag
