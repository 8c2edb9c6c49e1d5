vcl 4.1;
# Varnish in front of Byline: written for Varnish 7.1 (Debian 12's), with the xkey and var vmods of
# varnish-modules.
#
# - Anonymous GET and HEAD are cached as Byline's Cache-Control says (max-age), keyed on the URL,
#   the Host and what Byline's Vary names: Authorization, and Accept-Encoding, folded here to br,
#   gzip or nothing, so that each of the three is kept once and sent as Byline compressed it. Run
#   varnishd with `-p http_gzip_support=off` (scripts/varnish.sh does): with it on, Varnish asks
#   Byline for gzip only, and unzips it again for every reader who does not take gzip.
# - Requests with Authorization, X-API-Key or a Cookie, and every other method, go to Byline
#   untouched: Byline answers them privately.
# - Each answer is indexed under its Surrogate-Key; `PURGE /` with an `xkey` header from an address
#   in `purgers` removes every answer that names any of its keys at once (a hard purge: nothing
#   stale of it is ever sent again). `byline worker` sends these (BYLINE_PURGE_VARNISH_URL).
# - Stale answers: within stale-while-revalidate one is sent while a fresh copy is fetched behind
#   it; past that, only while Byline is down or failing (stale-if-error), else the reader waits for
#   a fresh one.
# - Answers carry `X-Cache: HIT`, `MISS` or `PASS`, and Varnish's `Age`. Surrogate-Key and Cache-Tag
#   stay on them, for a CDN in front of this Varnish to purge by; uncomment the lines in vcl_deliver
#   to hide them when readers reach Varnish directly.
#
# scripts/varnish.sh runs it with the backend's port in place of 8000.

import std;
import var;
import xkey;

backend byline {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    # Down after two failed checks of three, so stale answers go out while it is.
    .probe = {
        .url = "/healthz";
        .interval = 1s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

# Who may purge: the machines `byline worker` runs on.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # A fetch under way began before the write this purge is for: what it brings must not be
        # kept (see vcl_backend_response).
        var.global_set("purged-at", "" + std.time2real(now, 0.0));
        if (req.http.xkey) {
            set req.http.x-purged = xkey.purge(req.http.xkey);
        } elsif (req.http.xkey-softpurge) {
            # Expire, keeping them for stale-if-error; Byline itself sends only hard purges.
            set req.http.x-purged = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (synth(400, "A purge names its keys in an xkey header"));
        }
        return (synth(200, "Purged " + req.http.x-purged));
    }
    if (req.restarts == 0) {
        # Set only by this VCL, on a restart: never taken from a client.
        unset req.http.x-byline-refresh;
        unset req.http.x-byline-stale-if-error;
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization || req.http.X-API-Key || req.http.Cookie) {
        return (pass);
    }
    if (req.http.Accept-Encoding ~ "\bbr\b") {
        set req.http.Accept-Encoding = "br";
    } elsif (req.http.Accept-Encoding ~ "\bgzip\b") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }
    if (req.http.x-byline-stale-if-error) {
        # The fresh fetch failed: any stale copy within its grace will do (req.grace outlives a restart).
        set req.grace = 3650d;
    } elsif (req.http.x-byline-refresh) {
        # A stale copy too old to send while Byline answers: fetch a fresh one.
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_hit {
    if (obj.ttl >= 0s) {
        return (deliver);
    }
    # Stale: sent (while a background fetch refreshes it) within stale-while-revalidate, or while
    # Byline is down or just failed.
    if (obj.ttl + std.duration(regsub(obj.http.Cache-Control, "^.*stale-while-revalidate=([0-9]+).*$", "\1s"), 0s) > 0s) {
        return (deliver);
    }
    if (req.http.x-byline-stale-if-error || !std.healthy(req.backend_hint)) {
        return (deliver);
    }
    set req.http.x-byline-refresh = "1";
    return (restart);
}

sub vcl_backend_fetch {
    set bereq.http.x-byline-fetch-began = "" + std.time2real(now, 0.0);
}

sub vcl_backend_response {
    if (std.real(bereq.http.x-byline-fetch-began, 0.0) <= std.real(var.global_get("purged-at"), 0.0)) {
        # Begun before the latest purge, it may hold what that purge removed: sent to the readers
        # waiting for it, never kept (a purge only reaches objects already in the cache).
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.keep = 0s;
        return (deliver);
    }
    if (beresp.status >= 500) {
        # A failure never replaces the stale copy a reader can still be sent.
        if (bereq.is_bgfetch || bereq.http.x-byline-refresh) {
            return (abandon);
        }
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    if (beresp.http.Surrogate-Key) {
        # xkey indexes objects under the keys of this header.
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # Kept as long as either stale directive allows; vcl_hit decides when a stale one may go out.
    set beresp.grace = std.duration(regsub(beresp.http.Cache-Control, "^.*stale-while-revalidate=([0-9]+).*$", "\1s"), 0s);
    if (std.duration(regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s) > beresp.grace) {
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s);
    }
    # On to the built-in rules: private, no-store, Set-Cookie and Vary: * are not cached.
}

sub vcl_backend_error {
    # Byline could not be reached: keep the stale copy for the restart to send.
    if (bereq.is_bgfetch || bereq.http.x-byline-refresh) {
        return (abandon);
    }
}

sub vcl_deliver {
    if (resp.status >= 500 && req.http.x-byline-refresh && !req.http.x-byline-stale-if-error) {
        # The fresh fetch failed: send the stale copy after all.
        set req.http.x-byline-stale-if-error = "1";
        return (restart);
    }
    unset resp.http.xkey;
    # unset resp.http.Surrogate-Key;
    # unset resp.http.Cache-Tag;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

sub vcl_synth {
    if (resp.status >= 500 && req.http.x-byline-refresh && !req.http.x-byline-stale-if-error) {
        set req.http.x-byline-stale-if-error = "1";
        return (restart);
    }
}
