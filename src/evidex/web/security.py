"""What keeps `evidex serve` safe by default: a host check, an access token, CSRF cookies,
a request size cap and security headers, as one ASGI middleware around the app."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

TOKEN_COOKIE = "evidex_token"  # the cookie names end in the server's port: see cookie_names
CSRF_COOKIE = "evidex_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"

# Pages may run only our own script and style files: no inline script, no inline handlers.
APP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# A saved web page is shown as a document with no script at all, in an origin of its own.
SANDBOX_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def normal_host(host: str) -> str:
    """A host name as the host check compares it: no brackets, lower case, an IP address in its
    usual form (0:0:0:0:0:0:0:1 is ::1)."""
    host = host.strip().strip("[]").lower()
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        return host


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the server reachable from this machine only."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_token(host: str, token: str | None) -> str | None:
    """The token requests must carry: the one given, or for a non-loopback address a new one."""
    if token:
        return token
    if not is_loopback(host):
        return secrets.token_urlsafe(24)
    return None


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def _cookies(scope) -> dict[str, str]:
    jar = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is ignored, not fatal
                continue
    return {key: morsel.value for key, morsel in jar.items()}


def _header(scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return None


def _host_name(host_header: str | None) -> str:
    """The name in a Host header, normalised; "" when the header is not a plain host[:port]
    (user info, a path, a port that is not a number: none of these passes the host check)."""
    if not host_header or any(c in host_header for c in "@/?#\\ \t"):
        return ""
    try:
        parts = urlsplit("//" + host_header)
        parts.port  # noqa: B018 -- raises ValueError when the port is not a number (or out of range)
    except ValueError:
        return ""
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return ""
    return normal_host(parts.hostname)


def _port(scope) -> str:
    """The port this server listens on (or else the one the Host header names), "" when unknown."""
    server = scope.get("server")
    if server and len(server) > 1 and server[1]:
        return str(server[1])
    host = _header(scope, b"host") or ""
    try:
        port = urlsplit("//" + host).port
    except ValueError:
        port = None
    return str(port) if port else ""


def cookie_names(scope) -> tuple[str, str]:
    """The token and CSRF cookie names for this server. Browsers keep cookies per host name, not
    per port: two servers on one machine must not overwrite each other's cookies."""
    port = _port(scope)
    suffix = f"_{port}" if port else ""
    return TOKEN_COOKIE + suffix, CSRF_COOKIE + suffix


class Guard:
    """ASGI middleware: every request passes the host check and the token check (when a token
    is set), bodies are capped, and every response gets the security headers and, when the
    browser has none yet, a CSRF cookie (its value is in scope["state"]["csrf"] for templates)."""

    def __init__(self, app, *, token: str | None, allowed_hosts: tuple[str, ...] | None, max_body: int,
                 max_upload: int, upload_paths: tuple[str, ...] = ("/upload",)):
        self.app = app
        self.token = token
        self.allowed_hosts = allowed_hosts
        self.max_body = max_body
        self.max_upload = max_upload
        self.upload_paths = upload_paths

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":  # no websockets here: refuse the handshake (the server answers 403)
            await receive()
            return await send({"type": "websocket.close", "code": 1008})
        if scope["type"] != "http":
            raise RuntimeError(f"evidex serve does not answer {scope['type']!r} connections")
        if self.allowed_hosts is not None and _host_name(_header(scope, b"host")) not in self.allowed_hosts:
            return await _plain(send, 421, "This server answers only to localhost addresses.")
        cookies = _cookies(scope)
        token_cookie, csrf_cookie = cookie_names(scope)
        set_cookies: list[str] = []
        if self.token is not None:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            bearer = _header(scope, b"authorization") or ""
            given = bearer[7:] if bearer.lower().startswith("bearer ") else _header(scope, b"x-evidex-token")
            if same(query.get("token"), self.token) and scope["method"] in ("GET", "HEAD"):
                # The token in the address once, then a cookie: the address bar loses it.
                rest = urlencode([(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k != "token"])
                location = "/" + quote(scope["path"].lstrip("/")) + (f"?{rest}" if rest else "")  # never //host
                return await _redirect(send, location, [_cookie(token_cookie, self.token)])
            if not (same(cookies.get(token_cookie), self.token) or same(given, self.token)):
                return await _plain(send, 401, "This evidex server needs its access token: open the address that "
                                    "\"evidex serve\" printed (it ends in ?token=...), or send the header "
                                    "Authorization: Bearer TOKEN.")
        csrf = cookies.get(csrf_cookie)
        if not csrf or len(csrf) < 20:
            # Lax, not Strict: a Strict cookie is not sent when arriving from another site, so a new
            # token would replace it and the export form of a page already open would be refused.
            # The export still needs the token in its body (double submit), which no other site has.
            csrf = secrets.token_urlsafe(24)
            set_cookies.append(_cookie(csrf_cookie, csrf, same_site="Lax"))
        scope.setdefault("state", {})
        scope["state"]["csrf"] = csrf
        scope["state"]["csrf_cookie"] = cookies.get(csrf_cookie)

        limit = self.max_upload if scope["path"] in self.upload_paths else self.max_body
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return await _plain(send, 413, f"Request too large (the limit is {limit} bytes).")
        received = 0

        async def capped_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge()
            return message

        started = False

        async def guarded_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in _security_headers():
                    if name not in present:
                        headers.append((name, value))
                for cookie in set_cookies:
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except TooLarge:
            if not started:
                await _plain(send, 413, f"Request too large (the limit is {limit} bytes).")


class TooLarge(Exception):
    pass


def _security_headers() -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", APP_CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]


def _cookie(name: str, value: str, same_site: str = "Lax") -> str:
    return f"{name}={value}; Path=/; HttpOnly; SameSite={same_site}"


async def _plain(send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
        *_security_headers()]})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send, location: str, cookies: list[str]) -> None:
    await send({"type": "http.response.start", "status": 303, "headers": [
        (b"location", location.encode("latin-1")), (b"content-length", b"0"),
        *[(b"set-cookie", c.encode("latin-1")) for c in cookies], *_security_headers()]})
    await send({"type": "http.response.body", "body": b""})


def check_csrf(scope_state: dict, submitted: str | None) -> bool:
    """A state-changing request must echo the CSRF cookie it was given (double submit)."""
    return same(scope_state.get("csrf_cookie"), submitted)
