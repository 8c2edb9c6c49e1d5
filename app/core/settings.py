"""Typed configuration, read from BYLINE_* environment variables or a .env file."""

import json
import os
from datetime import timedelta
from ipaddress import ip_address
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core.outbound import Destinations

DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - public on purpose, refused beyond loopback
_WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # noqa: S104 - names of a wildcard bind, not one


def _is_loopback(host: str | None) -> bool:
    if host in (None, "localhost"):
        return True
    try:
        # URLs write IPv6 addresses in brackets.
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """Every setting, read from its BYLINE_* variable; each field's docstring is its description in the
    generated reference (docs/reference/settings.md)."""

    model_config = SettingsConfigDict(
        env_prefix="BYLINE_", env_file=".env", extra="ignore", use_attribute_docstrings=True
    )

    database_url: str = "sqlite:///./byline.db"
    """Where content is stored: `sqlite:///path` or `postgresql://user:pass@host:5432/db`."""
    database_replica_url: str | None = None
    """A read replica: GET routes read from it; writes always go to `BYLINE_DATABASE_URL`."""
    public_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    """The URL clients reach, in `links.next`, `Link` headers, problem `type` URIs, feeds, sitemaps and
    structured data. Unset or empty, it follows the host and port served: `http://<BYLINE_HOST>:<BYLINE_PORT>`
    (`127.0.0.1` for a wildcard bind such as `0.0.0.0`)."""
    site_name: str = Field("Byline", min_length=1, max_length=200)
    """The site's name in feeds."""
    site_language: str = Field("en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    """The site's language in feeds, as a language tag."""
    frontend_url: AnyHttpUrl | None = None
    """The newsroom's own site for readers (feeds' home link); the public URL when unset."""
    article_url: str | None = Field(None, pattern=r"^https?://.*\{slug\}")
    """A reader's URL of an article, e.g. `https://news.example/{section}/{slug}`; when unset, the example
    site's page while it is served (`BYLINE_SERVE_FRONTEND`), else the API's."""
    author_url: str | None = Field(None, pattern=r"^https?://.*\{slug\}")
    """A reader's URL of an author's page, e.g. `https://news.example/authors/{slug}`; when unset, as
    `BYLINE_ARTICLE_URL`."""
    publisher_logo_url: AnyHttpUrl | None = None
    """The publisher's logo in articles' structured data."""
    sitemap_page_size: int = Field(50_000, ge=1, le=50_000)
    """Article URLs per sitemap page; 50,000 is the sitemap protocol's limit."""
    serve_frontend: bool = True
    """Serve the example reader site (`examples/frontend`) at `/`."""
    serve_desk: bool = True
    """Serve the desk, the newsroom's web app for writing and publishing, at `/desk/`."""
    host: str = "127.0.0.1"
    """Where `byline serve` binds."""
    port: int = 8000
    """The port `byline serve` listens on."""
    cors_origins: list[str] = []
    """JSON list of browser origins that may send requests with an API key, e.g.
    `["https://desk.news.example"]`; requests without one are open to every origin."""
    database_pool_size: int = 10
    """PostgreSQL connections per worker (and as many again in overflow; stored-answer lookups keep up to
    4 more, and the content listener 1)."""
    database_pool_open_ahead: int = Field(10, ge=0)
    """Connections to the database each worker opens for reads before it takes requests (at most the
    pool's size), so the first requests after a start or a deploy find them open; 0 leaves them all
    to the first requests."""
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    """`FULL` makes SQLite commits survive power loss too, at the price of a disk flush per commit."""
    response_cache: bool = True
    """Answer anonymous reads of the public API from each worker's memory while content is unchanged."""
    response_cache_entries: int = Field(10_000, ge=1)
    """Most answers the response cache keeps, per worker."""
    response_cache_megabytes: int = Field(64, ge=1)
    """Most memory the response cache takes, per worker."""
    stored_answers: bool = True
    """Keep rendered article and list answers in the database for every worker and server to send."""
    cache_max_age: int = Field(30, ge=0)
    """Seconds CDNs and browsers may reuse an anonymous answer (`max-age`)."""
    cache_stale_while_revalidate: int = Field(30, ge=0)
    """Seconds they may keep serving it while revalidating (`stale-while-revalidate`)."""
    cache_stale_if_error: int = Field(86_400, ge=0)
    """Seconds they may serve it while this server is failing (`stale-if-error`); also bounds how old a
    cached answer the server itself sends while the database is down."""
    semantic: bool = True
    """Related articles by meaning too, where the `semantic` extra is installed; `false` ranks exactly as
    without it."""
    semantic_exact_limit: int = Field(20_000, ge=0)
    """Up to this many stored embeddings, neighbours are found by exact search; above it, through an HNSW
    graph built in the background."""
    log_level: str = "info"
    """Log level; at `info` every request is logged (method, path, status, time; never the query string or
    the client's address)."""
    log_format: Literal["json", "text"] = "json"
    """`json` (one object a line) or `text`."""
    metrics: Literal["off", "key", "public"] = "key"
    """`GET /metrics`: `key` needs an admin key, `public` is open (for a private port), `off` hides it."""
    secret_key: SecretStr = Field(SecretStr(DEVELOPMENT_SECRET), min_length=16)
    """Keys API keys' hashes and signs preview links and page cursors; required (16 characters or more)
    whenever the server binds beyond loopback or `BYLINE_PUBLIC_URL` is not a loopback address. Changing it
    revokes every key, preview link and cursor."""
    preview_token_minutes: int = Field(60 * 24, ge=1, le=60 * 24 * 30)
    """How long a preview link works."""
    trusted_proxies: list[str] = []
    """JSON list of proxies (addresses or networks) whose `X-Forwarded-For` is believed, so rate limits see
    the reader's address, e.g. `["127.0.0.1"]` behind a local nginx. None by default: anything that can
    reach the port could otherwise claim any address."""
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024)
    """Largest request body; larger ones get `413`."""
    body_timeout_seconds: float = Field(10, gt=0, le=300)
    """Longest wait for the next part of a request body; slower clients get `408` and lose the connection."""
    body_deadline_seconds: float = Field(30, gt=0, le=3600)
    """Longest a whole request body may take to arrive, however steadily it trickles in; then `408`."""
    header_timeout_seconds: float = Field(10, gt=0, le=300)
    """Longest a connection may take to send a request's headers, counted from opening or from its last
    answer; then it is closed."""
    max_connections: int = Field(1000, ge=10)
    """Connections and requests one worker serves at once; past it, new ones get a `503` problem at once."""
    ingest_max_records: int = Field(10_000, ge=1)
    """The largest batch `POST /api/v1/ingest` takes (more get `413`); larger archives go in several
    batches or through `byline ingest`."""
    ingest_max_bytes: int = Field(32 * 1024 * 1024, ge=1024)
    """Largest `POST /api/v1/ingest` body; larger ones get `413`."""
    comment_max_body_bytes: int = Field(64 * 1024, ge=1024)
    """Largest comment submission, and largest body of any request without a valid API key."""
    comment_max_length: int = Field(5000, ge=10, le=20000)
    """Longest comment, in characters."""
    comment_max_depth: int = Field(3, ge=1, le=20)
    """Replies deeper than this are shown at this depth."""
    comment_limit_per_network: int = Field(10, ge=1)
    """Comments one network may send per window."""
    comment_limit_per_email: int = Field(5, ge=1)
    """Comments one email address may send per window."""
    comment_limit_window_seconds: int = Field(600, ge=1)
    """The comments' rate-limit window."""
    comment_max_links: int = Field(2, ge=0)
    """More links than this hold a comment for moderation."""
    most_read_public_counts: bool = False
    """Most read shows view counts, not just the order."""
    most_read_flush_seconds: float = Field(5.0, gt=0, le=300)
    """How often each worker writes the views it counted (and at shutdown)."""
    most_read_repeat_seconds: int = Field(1800, ge=1)
    """One address's repeated views of an article within this count once."""
    most_read_views_per_minute: int = Field(120, ge=1)
    """View beacons one address may send per minute, then `429`."""
    most_read_ttl_seconds: int = Field(60, ge=1, le=3600)
    """How long each worker answers most read from its copy."""
    comment_blocklist: list[str] = []
    """JSON list of words or phrases that file a comment as spam."""
    # Off: avatars are identicons from a keyed hash, which nobody can match to a guessed address.
    comment_gravatar: bool = False
    """Show commenters' own Gravatar images (see the comments page for the privacy trade-off)."""
    comment_min_seconds: int = Field(3, ge=0)
    """Comments sent faster than this after their form token was issued are held."""
    serve_worker: bool = False
    """Also deliver webhooks and reply emails inside each `byline serve` process (otherwise run
    `byline worker`)."""
    delivery_timeout_seconds: float = Field(10, gt=0, le=120)
    """Longest a webhook POST (each of connecting, sending, waiting) or an SMTP conversation may take
    before the attempt counts as failed."""
    delivery_retry_hours: float = Field(24, gt=0)
    """How long failed deliveries are retried, with exponential backoff, before they are marked failed."""
    worker_lease_seconds: float = Field(60, gt=0)
    """A worker's hold on the deliveries it took: a worker that died loses them to another after this.
    More than 4 × the delivery timeout."""
    worker_poll_seconds: float = Field(1, gt=0, le=60)
    """How often an idle worker looks for work (purges are sent at every commit, without waiting for it)."""
    worker_concurrency: int = Field(8, ge=1, le=64)
    """Deliveries one worker process attempts at once."""
    allowed_internal_hosts: list[str] = []
    """Webhook receivers and remote feeds are reached only at public addresses; also these hosts,
    addresses and networks, a JSON list such as `["127.0.0.1", "10.0.0.0/8", "receiver.internal"]`."""
    media_storage: Literal["local", "s3"] = "local"
    """Where the media library keeps files: `local` (in `BYLINE_MEDIA_DIR`) or `s3` (an S3-compatible
    bucket, of which the media folder then keeps a cache of what this server sends)."""
    media_dir: str | None = None
    """The media folder; unset, a folder `media` beside an SQLite database, else `./media`."""
    media_s3_bucket: str | None = None
    """The bucket, with `BYLINE_MEDIA_STORAGE=s3`."""
    media_s3_endpoint_url: AnyHttpUrl | None = None
    """Unset for AWS itself; for MinIO, Ceph, R2 and others their endpoint, e.g. `https://minio.internal:9000`."""
    media_s3_region: str | None = None
    """The bucket's region."""
    media_s3_prefix: str = Field("", max_length=200, pattern=r"^([A-Za-z0-9._-]+/)*$")
    """A folder inside the bucket, ending in `/`."""
    media_s3_access_key: SecretStr | None = None
    """The bucket's access key; unset, boto3's own chain (`AWS_ACCESS_KEY_ID`..., instance roles)."""
    media_s3_secret_key: SecretStr | None = None
    """The secret of that access key."""
    media_url: AnyHttpUrl | None = None
    """Where readers fetch media (a CDN in front of this server's `/media`); unset, this server's `/media`."""
    media_max_bytes: int = Field(25 * 1024 * 1024, ge=1024)
    """Largest upload; larger files get `413` before any decoding."""
    media_max_pixels: int = Field(60_000_000, ge=1)
    """Most pixels a picture may have; more get `413`, judged by its header alone."""
    media_uploads_per_key: int = Field(120, ge=1)
    """Uploads one key may make in a window."""
    media_upload_window_seconds: int = Field(3600, ge=1)
    """The uploads' rate-limit window."""
    media_render_concurrency: int = Field(2, ge=1, le=32)
    """First renditions one worker makes at once; the rest wait, so memory stays bounded."""
    purge_varnish_url: Annotated[list[AnyHttpUrl], NoDecode] = []
    """Varnish servers running `deploy/varnish/byline.vcl` that the worker purges with each commit's
    surrogate keys: a URL each, space- or comma-separated."""
    purge_fastly_service_id: str | None = Field(None, pattern=r"^[A-Za-z0-9]+$")
    """The Fastly service to purge, set with `BYLINE_PURGE_FASTLY_TOKEN`."""
    purge_fastly_token: SecretStr | None = None
    """A Fastly API token with `purge_select`."""
    # Changes only for tests.
    purge_fastly_api: AnyHttpUrl = AnyHttpUrl("https://api.fastly.com")
    """Fastly's API."""
    purge_cloudflare_zone_id: str | None = Field(None, pattern=r"^[A-Za-z0-9]+$")
    """The Cloudflare zone to purge, set with `BYLINE_PURGE_CLOUDFLARE_TOKEN`."""
    purge_cloudflare_token: SecretStr | None = None
    """A Cloudflare API token with Cache Purge."""
    # Changes only for tests.
    purge_cloudflare_api: AnyHttpUrl = AnyHttpUrl("https://api.cloudflare.com/client/v4")
    """Cloudflare's API."""
    # RFC 9106's second recommendation by default.
    password_time_cost: int = Field(3, ge=1)
    """Argon2id passes of password hashes; a password hashed at another cost is rehashed at its next sign-in."""
    password_memory_kib: int = Field(64 * 1024, ge=8)
    """Argon2id memory of password hashes, in KiB (at least 8 × the parallelism)."""
    password_parallelism: int = Field(4, ge=1)
    """Argon2id lanes of password hashes."""
    session_hours: int = Field(12, ge=1, le=24 * 30)
    """How long a browser session lasts from sign-in."""
    session_idle_minutes: int = Field(30, ge=5, le=24 * 60)
    """How long a browser session may go unused before it ends."""
    sign_in_limit_per_account: int = Field(5, ge=1)
    """Failed sign-ins one account may make in a window before sign-in is refused."""
    sign_in_limit_per_network: int = Field(20, ge=1)
    """Failed sign-ins one network may make in a window before sign-in is refused."""
    sign_in_limit_window_seconds: int = Field(900, ge=1)
    """The sign-in rate-limit window (password reset requests are counted apart, under the same limits)."""
    invite_hours: int = Field(72, ge=1, le=24 * 30)
    """How long an invitation's link works."""
    # A reset's link signs in, so it lives as briefly as an out-of-band code (ASVS 2.7.2: ten minutes).
    password_reset_minutes: int = Field(10, ge=5, le=24 * 60)
    """How long a password reset's link works."""
    second_factor_roles: Annotated[list[Literal["contributor", "editor", "moderator", "admin"]], NoDecode] = []
    """Roles whose people must sign in with a second factor, comma- or space-separated (such as
    `editor,admin`): until they enrol one, their session may only enrol."""
    oidc_issuer: str | None = Field(None, pattern=r"^https?://[^?#]+$", max_length=500)
    """Single sign-on over OpenID Connect, off while unset: the issuer exactly as the provider writes it
    (its `/.well-known/openid-configuration` is read from there)."""
    oidc_client_id: str | None = Field(None, min_length=1, max_length=200)
    """The client registered at the provider."""
    oidc_client_secret: SecretStr | None = None
    """The client's secret; none for a public client, which PKCE alone protects."""
    oidc_scopes: str = Field("openid email profile", pattern=r"(^|.* )openid( .*|$)")
    """The scopes asked for; `openid` among them."""
    oidc_redirect_path: str = Field("/api/v1/session/oidc/callback", pattern=r"^/[^?#]*$")
    """Where the provider sends people back, on `BYLINE_PUBLIC_URL`: the callback route, unless a proxy
    maps another path to it. Register `{public_url}{this}` with the provider."""
    oidc_create_users: bool = False
    """People the provider vouches for who have no account yet get one with the default role; off, they are
    refused."""
    oidc_default_role: Literal["contributor", "editor", "moderator", "admin"] = "contributor"
    """The role of accounts single sign-on creates."""
    oidc_display_name: str = Field("Single sign-on", min_length=1, max_length=100)
    """The sign-in button's words, e.g. `Sign in with Google`."""
    smtp_url: SecretStr | None = None
    """`smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465`; unset, reply
    emails are not sent and wait in the outbox."""
    mail_from: str | None = Field(None, max_length=300)
    """The reply emails' sender, e.g. `The Daily Byline <comments@news.example>`; required with
    `BYLINE_SMTP_URL`."""

    @model_validator(mode="before")
    @classmethod
    def public_url_from_bind(cls, data: Any) -> Any:
        """Without BYLINE_PUBLIC_URL, links point where the server listens: another port moves them too."""
        # An empty BYLINE_PUBLIC_URL counts as unset.
        if not isinstance(data, dict) or data.get("public_url"):
            return data
        host = str(data.get("host") or cls.model_fields["host"].default)
        port = data.get("port") or cls.model_fields["port"].default
        # A wildcard bind is reachable from this machine at loopback; an IPv6 literal needs brackets.
        if host in _WILDCARD_HOSTS:
            host = "127.0.0.1"
        elif ":" in host:
            host = f"[{host}]"
        return data | {"public_url": f"http://{host}:{port}"}

    @property
    def destinations(self) -> Destinations:
        return Destinations.allowing(self.allowed_internal_hosts)

    @field_validator("database_url", "database_replica_url")
    @classmethod
    def supported_database(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("sqlite:", "postgresql")):
            raise ValueError("BYLINE_DATABASE_URL must be an sqlite:/// or postgresql:// URL")
        return url

    @field_validator("purge_varnish_url", "second_factor_roles", mode="before")
    @classmethod
    def several_values(cls, value: Any) -> Any:
        # One value or several, as an operator writes them in an environment file; a JSON list also works.
        if isinstance(value, str):
            value = value.strip()
            return json.loads(value) if value.startswith("[") else value.replace(",", " ").split()
        return value

    @field_validator("smtp_url")
    @classmethod
    def supported_smtp(cls, url: SecretStr | None) -> SecretStr | None:
        if url is not None and not url.get_secret_value().startswith(("smtp://", "smtps://")):
            raise ValueError("BYLINE_SMTP_URL must be an smtp:// or smtps:// URL")
        return url

    @model_validator(mode="after")
    def argon2_memory_fits_its_lanes(self) -> "Settings":
        # Argon2 gives each lane at least 8 KiB; less fails every password hash.
        if self.password_memory_kib < 8 * self.password_parallelism:
            raise ValueError("BYLINE_PASSWORD_MEMORY_KIB must be at least 8 times BYLINE_PASSWORD_PARALLELISM")
        return self

    @model_validator(mode="after")
    def s3_needs_a_bucket(self) -> "Settings":
        if self.media_storage == "s3" and not self.media_s3_bucket:
            raise ValueError("BYLINE_MEDIA_S3_BUCKET must be set when BYLINE_MEDIA_STORAGE is s3")
        return self

    @property
    def media_directory(self) -> str:
        """media_dir, or a folder `media` beside the SQLite database file (./media otherwise)."""
        if self.media_dir:
            return self.media_dir
        path = self.database_url.removeprefix("sqlite:///") if self.database_url.startswith("sqlite:///") else ""
        if path and path != ":memory:":
            return os.path.join(os.path.dirname(path) or ".", "media")
        return "media"

    @property
    def media_base_url(self) -> str:
        return str(self.media_url).rstrip("/") if self.media_url else f"{self.base_url}/media"

    @model_validator(mode="after")
    def mail_needs_a_sender(self) -> "Settings":
        if self.smtp_url is not None and not self.mail_from:
            raise ValueError("BYLINE_MAIL_FROM must be set when BYLINE_SMTP_URL is")
        return self

    @model_validator(mode="after")
    def oidc_needs_a_client(self) -> "Settings":
        if self.oidc_issuer is not None and self.oidc_client_id is None:
            raise ValueError("BYLINE_OIDC_CLIENT_ID must be set when BYLINE_OIDC_ISSUER is")
        return self

    @model_validator(mode="after")
    def purge_credentials_in_pairs(self) -> "Settings":
        for cdn, named, token in (
            ("FASTLY", self.purge_fastly_service_id, self.purge_fastly_token),
            ("CLOUDFLARE", self.purge_cloudflare_zone_id, self.purge_cloudflare_token),
        ):
            if (named is None) != (token is None):
                what = "SERVICE_ID" if cdn == "FASTLY" else "ZONE_ID"
                raise ValueError(f"BYLINE_PURGE_{cdn}_{what} and BYLINE_PURGE_{cdn}_TOKEN must be set together")
        return self

    @model_validator(mode="after")
    def lease_outlasts_a_delivery(self) -> "Settings":
        # The timeout bounds each phase (connect, send, wait); a lease shorter than all of them would let a
        # second worker take a delivery that a slow receiver is still being sent.
        if self.worker_lease_seconds <= self.delivery_timeout_seconds * 4:
            raise ValueError("BYLINE_WORKER_LEASE_SECONDS must be more than 4 x BYLINE_DELIVERY_TIMEOUT_SECONDS")
        return self

    @model_validator(mode="after")
    def no_development_secret_in_public(self) -> "Settings":
        public = not (_is_loopback(self.host) and _is_loopback(self.public_url.host))
        if public and self.secret_key.get_secret_value() == DEVELOPMENT_SECRET:
            raise ValueError(
                "BYLINE_SECRET_KEY must be set to a long random value when serving beyond this machine "
                "(BYLINE_HOST or BYLINE_PUBLIC_URL is not a loopback address)"
            )
        return self

    @property
    def preview_token_lifetime(self) -> timedelta:
        return timedelta(minutes=self.preview_token_minutes)

    @property
    def shared_cache_control(self) -> str:
        """Cache-Control of anonymous answers, which any cache may share."""
        return (
            f"public, max-age={self.cache_max_age}, stale-while-revalidate={self.cache_stale_while_revalidate}, "
            f"stale-if-error={self.cache_stale_if_error}"
        )

    @property
    def site_url(self) -> str:
        return str(self.frontend_url) if self.frontend_url else self.base_url

    @property
    def base_url(self) -> str:
        return str(self.public_url).rstrip("/")
