"""The values that flow through evidex: source -> Document -> Passage -> Hit."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """One physical page of a document (or the whole text of a web page)."""

    index: int  # 1-based physical page number
    label: str | None  # printed page number ("iii", "7"); None on an unnumbered page or an unpaged source
    text: str  # the body: paragraphs separated by blank lines, numbered in reading order
    # Text of the page outside its body: a PDF page's footnotes, a web article's standfirst.
    # Searchable and cited by the page, but never counted as a paragraph nor joined into a body sentence.
    asides: tuple[str, ...] = ()
    extractor: str = ""  # what read this page's text ("pdfium", "pypdf", "ocr"); "" for non-PDF sources
    extractor_reason: str = ""  # why that extractor, when it is not the document's first choice


@dataclass(frozen=True)
class Document:
    """What extraction yields for one source file or URL."""

    kind: str  # "pdf" | "html" | "text"
    source: str  # path or URL it was read from
    sha256: str
    pages: tuple[Page, ...]
    title: str | None = None
    author: str | None = None
    publisher: str | None = None
    date: str | None = None  # ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD
    url: str | None = None
    site_name: str | None = None
    language: str | None = None
    extractor: str = ""
    extractor_version: str = ""
    guessed: frozenset[str] = frozenset()  # metadata fields that were guessed, not read
    retrieved_at: str | None = None  # ISO timestamp when fetched from the web
    snapshot: str | None = None  # path of the saved copy of a fetched URL, relative to the index
    external_id: str | None = None
    warnings: tuple[str, ...] = ()
    # Where the page numbers to cite come from: "printed" (read off the pages), "label" (the
    # PDF's page labels) or "physical"; None for sources without pages (web, text, records).
    page_source: str | None = None

    @property
    def paged(self) -> bool:
        """Whether the document has pages to cite (a PDF, not text imported as records)."""
        return self.page_source is not None and bool(self.pages)

    @property
    def text(self) -> str:
        return "\f".join(page.text for page in self.pages)


@dataclass(frozen=True)
class Passage:
    """A window of text from one document, with where it sits in that document."""

    id: str  # "<doc_id>-<ordinal>"
    doc_id: str
    ordinal: int  # 1-based position in the document
    text: str
    page_index: int | None = None  # first physical page (1-based), None for unpaged sources
    page_index_end: int | None = None
    page: str | None = None  # printed label of the first page
    page_end: str | None = None  # printed label of the last page
    paragraph: int | None = None  # 1-based paragraph number of the first paragraph
    paragraph_end: int | None = None
    themes: tuple[str, ...] = ()
    theme_evidence: dict = field(default_factory=dict, compare=False, hash=False)
    # Where a new page starts inside the text: (character offset, physical index, printed label).
    page_breaks: tuple[tuple[int, int, str | None], ...] = ()
    extractor: str = ""  # what read its text: "pdfium", "pypdf", or "ocr" when any of its pages was OCR'd

    def page_at(self, offset: int) -> tuple[int | None, str | None]:
        """The physical page index and printed label of the character at offset."""
        index, label = self.page_index, self.page
        for start, page_index, page_label in self.page_breaks:
            if start <= offset:
                index, label = page_index, page_label
        return index, label


@dataclass(frozen=True)
class DocumentRecord:
    """A document as the catalog holds it (metadata with the user's corrections applied)."""

    id: str
    kind: str
    sha256: str
    title: str | None
    author: str | None
    publisher: str | None
    date: str | None
    url: str | None
    site_name: str | None
    language: str | None
    page_count: int
    passage_count: int
    extractor: str
    extractor_version: str
    guessed: tuple[str, ...]
    retrieved_at: str | None
    ingested_at: str
    snapshot: str | None
    external_id: str | None
    sources: tuple[str, ...]
    citekey: str = ""
    csl_type: str | None = None  # set by the user (evidex meta --type); else derived from the kind
    container_title: str | None = None
    corrected: tuple[str, ...] = ()  # metadata fields the user corrected ("pages": the page numbers)
    page_source: str | None = None  # printed | label | physical; None for sources without pages

    @property
    def source(self) -> str:
        return self.sources[0] if self.sources else ""

    @property
    def year(self) -> int | None:
        if self.date and self.date[:4].isdigit():
            return int(self.date[:4])
        return None


@dataclass(frozen=True)
class Hit:
    """One search result: a passage, its document, and how it matched."""

    passage: Passage
    document: DocumentRecord
    score: float
    snippet: str  # passage text with matched terms wrapped in \x02 ... \x03 markers
    citation: str
