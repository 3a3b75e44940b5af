"""evidex's own exceptions. Each message says what went wrong and what to do."""

from __future__ import annotations


class EvidexError(Exception):
    """Base class: anything evidex reports to the user as a one-line error."""

    hint: str = ""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        message = super().__str__().rstrip(".")
        text = f"{message}. {self.hint}" if self.hint else message
        return text if text.endswith((".", "?", "!")) else text + "."


class SourceError(EvidexError):
    """A source (file or URL) could not be read. Carries the source name."""

    def __init__(self, source: str, cause: str, hint: str | None = None):
        self.source = source
        self.cause = cause
        super().__init__(f"{source}: {cause}", hint)


class UnsupportedSourceError(SourceError):
    hint = "evidex reads .pdf, .html/.htm (also gzipped), .txt/.md, .jsonl records and http(s) URLs"


class CorruptSourceError(SourceError):
    pass


class EncryptedPdfError(SourceError):
    hint = "Decrypt it first, e.g. qpdf --decrypt --password=PASSWORD in.pdf out.pdf"


class EmptySourceError(SourceError):
    pass


class NoTextError(SourceError):
    pass


class FetchError(SourceError):
    pass


class ExtractorMissingError(EvidexError):
    """An extractor the user asked for is not installed."""


class NoIndexError(EvidexError):
    def __init__(self, index_dir: str):
        super().__init__(f'No index at {index_dir}. Run "evidex ingest FILE" first')


class IndexBusyError(EvidexError):
    pass


class QuerySyntaxError(EvidexError):
    def __init__(self, query: str, position: int, problem: str):
        self.query = query
        self.position = position
        self.problem = problem
        super().__init__(f"Cannot parse query at column {position + 1}: {problem}")

    def pointer(self) -> str:
        return f"  {self.query}\n  {' ' * self.position}^"


class NotFoundError(EvidexError):
    pass


class TaxonomyError(EvidexError):
    pass
