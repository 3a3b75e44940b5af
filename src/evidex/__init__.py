"""evidex: find what published reports and articles say about a theme, and cite it exactly."""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Settings  # noqa: E402
from .errors import EvidexError  # noqa: E402
from .library import IngestReport, Library  # noqa: E402
from .models import Document, DocumentRecord, Hit, Page, Passage  # noqa: E402
from .query import parse as parse_query  # noqa: E402

__all__ = [
    "Document",
    "DocumentRecord",
    "EvidexError",
    "Hit",
    "IngestReport",
    "Library",
    "Page",
    "Passage",
    "Settings",
    "parse_query",
    "__version__",
]
