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
    model_config = SettingsConfigDict(env_prefix="BYLINE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./byline.db"
    # Reads may go to a replica; writes always use database_url.
    database_replica_url: str | None = None
    # Where clients reach the API, for every absolute URL it writes; http://<host>:<port> when unset.
    public_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    # How feeds name the site and link to its pages for readers.
    site_name: str = Field("Byline", min_length=1, max_length=200)
    site_language: str = Field("en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    # The newsroom's own site; the API's public URL when unset.
    frontend_url: AnyHttpUrl | None = None
    # A reader's URL of an article, e.g. https://news.example/{section}/{slug}; when unset, the example
    # site's page while it is served (serve_frontend), else the API's.
    article_url: str | None = Field(None, pattern=r"^https?://.*\{slug\}")
    # A reader's URL of an author's page, e.g. https://news.example/authors/{slug}; unset, as article_url.
    author_url: str | None = Field(None, pattern=r"^https?://.*\{slug\}")
    # The publisher's logo in articles' structured data.
    publisher_logo_url: AnyHttpUrl | None = None
    # Article URLs per sitemap page; 50,000 is the sitemap protocol's limit.
    sitemap_page_size: int = Field(50_000, ge=1, le=50_000)
    # The example reader site (examples/frontend) at `/`.
    serve_frontend: bool = True
    # The desk, the newsroom's web app for writing and publishing, at `/desk/`.
    serve_desk: bool = True
    host: str = "127.0.0.1"
    port: int = 8000
    # Browser origins that may send requests with an API key; anonymous ones are open to every origin.
    cors_origins: list[str] = []
    database_pool_size: int = 10
    # FULL survives power loss too, at the price of a disk flush per commit.
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    # Anonymous reads of the public API answered from memory while content is unchanged (per worker).
    response_cache: bool = True
    response_cache_entries: int = Field(10_000, ge=1)
    response_cache_megabytes: int = Field(64, ge=1)
    # Rendered article and list answers kept in the database for every worker and server to send.
    stored_answers: bool = True
    # What CDNs and browsers may do with anonymous answers: reuse for max-age seconds, keep serving
    # while revalidating, and while this server is failing.
    cache_max_age: int = Field(30, ge=0)
    cache_stale_while_revalidate: int = Field(30, ge=0)
    cache_stale_if_error: int = Field(86_400, ge=0)
    # Related articles by meaning too, where the `semantic` extra is installed; false turns the signal off.
    semantic: bool = True
    # Up to this many stored embeddings, neighbours are found by exact search; above it, through an HNSW graph.
    semantic_exact_limit: int = Field(20_000, ge=0)
    log_level: str = "info"
    log_format: Literal["json", "text"] = "json"
    # GET /metrics: "key" needs an admin key, "public" is open (a private port), "off" hides it.
    metrics: Literal["off", "key", "public"] = "key"
    # Keys API keys' hashes and signs preview tokens; changing it revokes every key and token.
    secret_key: SecretStr = Field(SecretStr(DEVELOPMENT_SECRET), min_length=16)
    preview_token_minutes: int = Field(60 * 24, ge=1, le=60 * 24 * 30)
    # Proxies (addresses or networks) whose X-Forwarded-For is believed, so rate limits see the reader's
    # address. None by default: anything that can reach the port could otherwise claim any address.
    trusted_proxies: list[str] = []
    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024)
    # Longest wait for the next part of a request body; slower clients get 408 and lose the connection.
    body_timeout_seconds: float = Field(10, gt=0, le=300)
    # Longest a whole request body may take to arrive, however steadily it trickles in.
    body_deadline_seconds: float = Field(30, gt=0, le=3600)
    # Longest a connection may take to send a request's headers, counted from opening or from its last answer.
    header_timeout_seconds: float = Field(10, gt=0, le=300)
    # Connections and requests one worker serves at once; past it new ones get 503 at once.
    max_connections: int = Field(1000, ge=10)
    # The largest batch POST /api/v1/ingest takes; larger archives go in several batches or through `byline ingest`.
    ingest_max_records: int = Field(10_000, ge=1)
    ingest_max_bytes: int = Field(32 * 1024 * 1024, ge=1024)
    comment_max_body_bytes: int = Field(64 * 1024, ge=1024)
    comment_max_length: int = Field(5000, ge=10, le=20000)
    comment_max_depth: int = Field(3, ge=1, le=20, description="Replies deeper than this are shown at this depth.")
    comment_limit_per_network: int = Field(10, ge=1)
    comment_limit_per_email: int = Field(5, ge=1)
    comment_limit_window_seconds: int = Field(600, ge=1)
    comment_max_links: int = Field(2, ge=0)
    # Most read: views are counted per worker and written every few seconds; readers get the order only.
    most_read_public_counts: bool = False
    most_read_flush_seconds: float = Field(5.0, gt=0, le=300)
    most_read_repeat_seconds: int = Field(
        1800, ge=1, description="One address's repeated views of an article count once."
    )
    most_read_views_per_minute: int = Field(120, ge=1, description="Beacons one address may send per minute.")
    most_read_ttl_seconds: int = Field(60, ge=1, le=3600)
    comment_blocklist: list[str] = []
    # Off: avatars are identicons from a keyed hash, which nobody can match to a guessed address.
    comment_gravatar: bool = Field(False, description="Show commenters' own Gravatar images.")
    comment_min_seconds: int = Field(
        3, ge=0, description="Faster submissions after the form token was issued are held."
    )
    # Webhooks and reply emails are delivered by `byline worker`, and also inside `byline serve` when this is on.
    serve_worker: bool = False
    # Longest a webhook POST or an SMTP conversation may take before the attempt counts as failed.
    delivery_timeout_seconds: float = Field(10, gt=0, le=120)
    # Failed deliveries are retried with exponential backoff for this long, then given up.
    delivery_retry_hours: float = Field(24, gt=0)
    # A worker's hold on the deliveries it took; a worker that died loses them to another after this.
    worker_lease_seconds: float = Field(60, gt=0)
    worker_poll_seconds: float = Field(1, gt=0, le=60)
    # Deliveries one worker process attempts at once.
    worker_concurrency: int = Field(8, ge=1, le=64)
    # Webhook receivers and remote feeds are reached only at public addresses; these hosts, addresses and
    # networks (a JSON list, e.g. ["127.0.0.1", "10.0.0.0/8", "receiver.internal"]) besides.
    allowed_internal_hosts: list[str] = []
    # The media library. Files go to media_dir on this machine ("local"; unset: a folder `media` beside an
    # SQLite database, else ./media), or to an S3-compatible bucket ("s3"), of which media_dir then keeps
    # a cache of what this server sends.
    media_storage: Literal["local", "s3"] = "local"
    media_dir: str | None = None
    media_s3_bucket: str | None = None
    # Unset for AWS itself; MinIO, Ceph, R2 and others: their endpoint, e.g. https://minio.internal:9000.
    media_s3_endpoint_url: AnyHttpUrl | None = None
    media_s3_region: str | None = None
    media_s3_prefix: str = Field("", max_length=200, pattern=r"^([A-Za-z0-9._-]+/)*$")
    # Unset: boto3's own chain (AWS_ACCESS_KEY_ID..., instance roles).
    media_s3_access_key: SecretStr | None = None
    media_s3_secret_key: SecretStr | None = None
    # Where readers fetch media (a CDN in front of this server's /media); unset: this server's /media.
    media_url: AnyHttpUrl | None = None
    # Refused before decoding: larger files (413), more pixels than this (413), by their header alone.
    media_max_bytes: int = Field(25 * 1024 * 1024, ge=1024)
    media_max_pixels: int = Field(60_000_000, ge=1)
    # Uploads one key may make in a window.
    media_uploads_per_key: int = Field(120, ge=1)
    media_upload_window_seconds: int = Field(3600, ge=1)
    # First renditions one worker makes at once; the rest wait, so memory stays bounded.
    media_render_concurrency: int = Field(2, ge=1, le=32)
    # Caches the worker purges with each commit's surrogate keys (the `cache.purge` outbox events):
    # Varnish servers running deploy/varnish/byline.vcl (a URL each, space- or comma-separated),
    # Fastly (a service id and an API token with purge_select), Cloudflare (a zone id and an API token
    # with Cache Purge). The API base URLs change only for tests.
    purge_varnish_url: Annotated[list[AnyHttpUrl], NoDecode] = []
    purge_fastly_service_id: str | None = Field(None, pattern=r"^[A-Za-z0-9]+$")
    purge_fastly_token: SecretStr | None = None
    purge_fastly_api: AnyHttpUrl = AnyHttpUrl("https://api.fastly.com")
    purge_cloudflare_zone_id: str | None = Field(None, pattern=r"^[A-Za-z0-9]+$")
    purge_cloudflare_token: SecretStr | None = None
    purge_cloudflare_api: AnyHttpUrl = AnyHttpUrl("https://api.cloudflare.com/client/v4")
    # Argon2id cost of password hashes (RFC 9106's second recommendation by default); raising them
    # rehashes each password at its next sign-in.
    password_time_cost: int = Field(3, ge=1)
    password_memory_kib: int = Field(64 * 1024, ge=8)
    password_parallelism: int = Field(4, ge=1)
    # How long a browser session lasts from sign-in, and how long it may go unused before that.
    session_hours: int = Field(12, ge=1, le=24 * 30)
    session_idle_minutes: int = Field(30, ge=5, le=24 * 60)
    # Failed sign-ins one account, and one network, may make in a window before sign-in is refused.
    sign_in_limit_per_account: int = Field(5, ge=1)
    sign_in_limit_per_network: int = Field(20, ge=1)
    sign_in_limit_window_seconds: int = Field(900, ge=1)
    # How long an invitation's link, and a password reset's, may wait to be used.
    invite_hours: int = Field(72, ge=1, le=24 * 30)
    # A reset's link signs in, so it lives as briefly as an out-of-band code (ASVS 2.7.2: ten minutes).
    password_reset_minutes: int = Field(10, ge=5, le=24 * 60)
    # Roles whose people must sign in with a second factor: until they enrol one, their session may
    # only enrol (comma- or space-separated, as roles are named: contributor, editor, moderator, admin).
    second_factor_roles: Annotated[list[Literal["contributor", "editor", "moderator", "admin"]], NoDecode] = []
    # Single sign-on over OpenID Connect, off while no issuer is set. The issuer exactly as the provider
    # writes it (its /.well-known/openid-configuration is read from there), the client registered there
    # (no secret for a public client, which PKCE alone protects), and the scopes asked for.
    oidc_issuer: str | None = Field(None, pattern=r"^https?://[^?#]+$", max_length=500)
    oidc_client_id: str | None = Field(None, min_length=1, max_length=200)
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = Field("openid email profile", pattern=r"(^|.* )openid( .*|$)")
    # Where the provider sends people back, on BYLINE_PUBLIC_URL: the callback route, unless a proxy maps
    # another path to it. Register {public_url}{this} with the provider.
    oidc_redirect_path: str = Field("/api/v1/session/oidc/callback", pattern=r"^/[^?#]*$")
    # People the provider vouches for who have no account yet get one with this role; off, they are refused.
    oidc_create_users: bool = False
    oidc_default_role: Literal["contributor", "editor", "moderator", "admin"] = "contributor"
    # The sign-in button's words, e.g. "Sign in with Google".
    oidc_display_name: str = Field("Single sign-on", min_length=1, max_length=100)
    # smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465; unset, no email is sent.
    smtp_url: SecretStr | None = None
    mail_from: str | None = Field(None, max_length=300)

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
