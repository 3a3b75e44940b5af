"""`evidex serve`: a local web app over the library (Starlette, Jinja2, uvicorn: the `web` extra)."""

from .app import create_app
from .security import is_loopback, resolve_token

__all__ = ["create_app", "is_loopback", "resolve_token"]
