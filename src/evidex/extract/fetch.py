"""Fetching http(s) URLs: timeout, size cap, a clear user agent, a saved snapshot."""

from __future__ import annotations

import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import FetchError


@dataclass(frozen=True)
class Fetched:
    url: str  # final URL after redirects
    data: bytes
    content_type: str
    retrieved_at: str


def user_agent() -> str:
    from .. import __version__

    return f"evidex/{__version__} (citation indexer; fetches single pages on a user's request)"


def fetch(url: str, timeout: float, max_bytes: int) -> Fetched:
    request = urllib.request.Request(url, headers={"User-Agent": user_agent(), "Accept": "text/html,application/pdf,text/plain;q=0.9,*/*;q=0.5"})
    retrieved_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(url, f"too large ({int(length):,} bytes; the limit is {max_bytes:,})", "Raise it with --max-bytes")
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise FetchError(url, f"too large (over {max_bytes:,} bytes)", "Raise it with --max-bytes")
            content_type = response.headers.get_content_type() or ""
            return Fetched(response.geturl(), data, content_type, retrieved_at)
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(url, f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FetchError(url, f"timed out after {timeout:g}s") from exc
        if isinstance(reason, ConnectionRefusedError):
            raise FetchError(url, "connection refused") from exc
        if isinstance(reason, socket.gaierror):
            raise FetchError(url, "host not found") from exc
        if isinstance(reason, ssl.SSLError):
            raise FetchError(url, f"TLS error ({reason})") from exc
        raise FetchError(url, f"cannot fetch ({reason})") from exc
    except (socket.timeout, TimeoutError) as exc:
        raise FetchError(url, f"timed out after {timeout:g}s") from exc
    except (ConnectionError, OSError) as exc:
        raise FetchError(url, f"cannot fetch ({exc})") from exc
