"""One Settings object that travels through evidex."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import EvidexError

DEFAULT_INDEX = "index"
PDF_ENGINES = ("auto", "pypdf", "pdfium")
OCR_LANG_PATTERN = r"[a-z_]{3,8}(\+[a-z_]{3,8})*"  # Tesseract language codes: eng, deu, chi_sim, eng+fra


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path(DEFAULT_INDEX)
    min_words: int = 60
    max_words: int = 200
    jobs: int = 0  # 0: one worker per core
    timeout: float = 120.0  # seconds allowed to extract one document
    fetch_timeout: float = 20.0  # seconds for one HTTP request
    max_bytes: int = 50 * 1024 * 1024  # size cap for fetched URLs
    taxonomy: Path | None = None
    lock_timeout: float = 60.0  # how long a writer waits for another writer
    engine: str | None = None  # full-text engine for a new library (an existing one keeps its own)
    pdf_engine: str = "auto"  # pypdf | pdfium | auto (pdfium when installed)
    ocr_lang: str = "eng"  # Tesseract language(s) for PDF pages without a text layer ("eng+deu")

    @classmethod
    def from_env(cls, index: str | os.PathLike | None = None, **overrides) -> "Settings":
        """Settings from, in order of precedence: overrides (command-line options), the
        environment (EVIDEX_INDEX, EVIDEX_TAXONOMY), the library's INDEX/config.toml, defaults."""
        index_dir = Path(index or os.environ.get("EVIDEX_INDEX") or DEFAULT_INDEX)
        settings = replace(cls(index_dir=index_dir), **read_config(index_dir))
        taxonomy = os.environ.get("EVIDEX_TAXONOMY")
        if taxonomy:
            settings = replace(settings, taxonomy=Path(taxonomy))
        overrides = {k: v for k, v in overrides.items() if v is not None}
        return replace(settings, **overrides)

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def worker_count(self) -> int:
        if self.jobs > 0:
            return self.jobs
        try:
            return len(os.sched_getaffinity(0))  # the cores this process may use
        except AttributeError:  # not Linux
            return os.cpu_count() or 1

    @property
    def catalog_path(self) -> Path:
        return self.index_dir / "catalog.sqlite"

    def engine_dir(self, engine: str) -> Path:
        return self.index_dir / engine

    @property
    def snapshot_dir(self) -> Path:
        return self.index_dir / "snapshots"

    @property
    def lock_path(self) -> Path:
        return self.index_dir / "write.lock"


CONFIG_FILE = "config.toml"
CONFIG_KEYS = ("taxonomy", "min_words", "max_words", "jobs", "timeout", "fetch_timeout", "max_bytes", "pdf_engine", "ocr_lang")


def read_config(index_dir: Path) -> dict:
    """The settings a library keeps in INDEX/config.toml (a plain TOML file users may edit)."""
    path = Path(index_dir) / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise EvidexError(f"Cannot read {path}: {exc}", "Fix or delete the file") from exc
    unknown = sorted(set(data) - set(CONFIG_KEYS))
    if unknown:
        raise EvidexError(f"{path}: unknown setting(s) {', '.join(unknown)}", f"Known settings: {', '.join(CONFIG_KEYS)}")
    values = {}
    for key, value in data.items():
        if key == "taxonomy":
            taxonomy = Path(value)
            values[key] = taxonomy if taxonomy.is_absolute() else (Path(index_dir) / taxonomy)
        elif key == "pdf_engine":
            if value not in PDF_ENGINES:
                raise EvidexError(f"{path}: pdf_engine must be one of {', '.join(PDF_ENGINES)}, not {value!r}")
            values[key] = value
        elif key == "ocr_lang":
            if not isinstance(value, str) or not re.fullmatch(OCR_LANG_PATTERN, value):
                raise EvidexError(f"{path}: ocr_lang must be Tesseract language codes such as \"eng\" or \"eng+deu\", not {value!r}")
            values[key] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            values[key] = value
        else:
            raise EvidexError(f"{path}: {key} must be a number, not {value!r}")
    return values


def write_config(index_dir: Path, **values) -> None:
    """Record settings in INDEX/config.toml (keeping the others)."""
    path = Path(index_dir) / CONFIG_FILE
    current = {}
    if path.exists():
        current = tomllib.loads(path.read_text(encoding="utf-8"))
    current.update({k: (str(v) if isinstance(v, Path) else v) for k, v in values.items() if v is not None})
    lines = ["# evidex library settings (see README: Configuration)"]
    for key in CONFIG_KEYS:
        if key in current:
            value = current[key]
            lines.append(f"{key} = {value!r}" if not isinstance(value, str) else f'{key} = "{_escape(value)}"')
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
