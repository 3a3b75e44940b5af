"""OCR of chosen PDF pages: Tesseract through ocrmypdf, run as local programs (nothing is downloaded).

    problem = ocr_problem("eng")          # None when OCR can run, else the reason and the fix
    result = ocr_pages(data, [2, 5], deadline=time.monotonic() + 100)
    result.texts[2]                       # the text recognised on physical page 2
    result.failures.get(5)                # or why page 5 has none, e.g. "OCR timed out after 60 s"

Each page is one ocrmypdf run (``--pages N --jobs 1``, ``OMP_THREAD_LIMIT=1``), so a page that
fails or times out costs only that page, and the pages done before a deadline are kept (ocrmypdf
writes its sidecar text only when a run ends). The run reads a copy of the PDF in a temporary
directory, which also holds ocrmypdf's own work files (``TMPDIR``) and is removed afterwards.
Only the recognised text comes back: ocrmypdf's output PDF is never written (``--output-type
none``), so a document's metadata (title, dates) can only come from the original file.

A run is bounded: by wall time (past it, its whole process group is killed), by CPU time per
process (RLIMIT_CPU, inherited by Ghostscript and Tesseract) and by its parent (Linux kills
ocrmypdf when the process that started it dies, e.g. an evidex worker killed at ``--timeout``;
a Tesseract or Ghostscript it had started then runs on to its CPU limit at most, and the work
directory left behind is removed by the next call).
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import MappingProxyType

from ..errors import ExtractorMissingError

OUT_OF_TIME = "not OCR'd: out of time (--timeout)"

_WORKDIR_PREFIX = "evidex-ocr-"  # + the pid of the process that made it: evidex-ocr-1234-abcd1234

# With less time than this left before the deadline, no page is started: the quickest page here
# took 3.5 s (an A4 scan at 300 dpi; ocrmypdf's start-up alone is 0.4 s), so 2 s leaves room for
# a faster machine. Once a page is done, the quickest page so far is the measure instead.
_MIN_PAGE_SECONDS = 2.0
# A language as Tesseract names it ("eng", "chi_sim", "script/Latin"), several joined by "+".
_LANG = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:/[A-Za-z0-9_]+)?(?:\+[A-Za-z][A-Za-z0-9_]*(?:/[A-Za-z0-9_]+)?)*")
# ocrmypdf exit codes (ocrmypdf.ExitCode) that mean OCR cannot run here at all ...
_CANNOT_RUN = MappingProxyType({1: "bad arguments", 3: "missing dependency", 9: "invalid configuration"})
# ... and those that mean the same failure for every page of this PDF (bad input file, encrypted).
_WHOLE_DOCUMENT = frozenset({2, 8})
_ENCRYPTED = 8
_TIMED_OUT_IN_OCRMYPDF = "took too long to OCR"  # its warning when --tesseract-timeout ran out
_TESSERACT_SKIPPED = "[skipped page]"  # its sidecar text for a page Tesseract gave up on
_NOISE = re.compile(r"\s*(?:\d+\s+)?(?:Opened a file)?\s*")  # lines ocrmypdf prints on every run


@dataclass(frozen=True)
class OcrResult:
    """What OCR made of each page asked for: its text, or why there is none (never both)."""

    texts: Mapping[int, str] = field(default_factory=dict)  # 1-based page -> text ("" when none found)
    failures: Mapping[int, str] = field(default_factory=dict)  # 1-based page -> reason, e.g. "OCR timed out after 60 s"
    engine: str = ""  # what recognised the texts, e.g. "tesseract 5.3.0 (eng) via ocrmypdf"; "" when no page was

    def problems(self) -> list[str]:
        """One line per page without text, naming the page and the cause: "page 3: OCR timed out after 60 s"."""
        return [f"page {page}: {reason}" for page, reason in sorted(self.failures.items())]


@dataclass(frozen=True)
class _Run:
    """One finished (or killed) ocrmypdf run."""

    returncode: int | None  # None: killed when its time ran out
    stderr: str
    sidecar: str | None  # the sidecar text file's content, None when it was not written


def ocr_problem(lang: str = "eng") -> str | None:
    """None when OCR in `lang` can run here; else one line with the reason and the fix.

    Looks up ocrmypdf, Ghostscript and Tesseract on PATH and asks Tesseract for its languages
    (about 30 ms; nothing is cached)."""
    if not _LANG.fullmatch(lang):
        return f"'{lang}' is not a Tesseract language name (e.g. eng, deu, eng+deu)"
    if shutil.which("ocrmypdf") is None:
        return "ocrmypdf is not installed (apt-get install ocrmypdf tesseract-ocr)"
    if shutil.which("tesseract") is None:
        return "Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)"
    if shutil.which("gs") is None:
        return "Ghostscript, which ocrmypdf needs, is not installed (apt-get install ghostscript)"
    installed = _tesseract_languages()
    if isinstance(installed, str):
        return installed
    for name in lang.split("+"):
        if name not in installed:
            return f"Tesseract has no language '{name}' ({_language_package_hint(name)})"
    return None


def ocr_pages(
    data: bytes,
    pages: list[int],
    *,
    lang: str = "eng",
    deadline: float | None = None,
    page_timeout: float = 60,
) -> OcrResult:
    """OCR the given 1-based physical `pages` of the PDF in `data`, one ocrmypdf run per page.

    Every page asked for ends up in the result's `texts` or `failures`. A page that fails or
    takes longer than `page_timeout` seconds is a failure of that page only. `deadline` is a
    time.monotonic() value: no page is started that could not finish by then, a run still going
    at the deadline is killed, and the pages left say OUT_OF_TIME. Raises ExtractorMissingError
    only when OCR cannot run at all (ocrmypdf, Tesseract or the language missing)."""
    if page_timeout <= 0:
        raise ValueError(f"page_timeout must be positive, not {page_timeout}")
    wanted = sorted(set(pages))
    if any(page < 1 for page in wanted):
        raise ValueError(f"pages are 1-based, not {wanted[0]}")
    if not wanted:
        return OcrResult()
    problem = ocr_problem(lang)
    if problem is not None:
        raise ExtractorMissingError(f"OCR cannot run: {problem}")
    texts: dict[int, str] = {}
    failures: dict[int, str] = {}
    took: list[float] = []  # seconds of each page recognised so far: less than the least of them is too little
    _remove_stale_workdirs()
    with tempfile.TemporaryDirectory(prefix=f"{_WORKDIR_PREFIX}{os.getpid()}-", ignore_cleanup_errors=True) as workdir:
        pdf = Path(workdir) / "input.pdf"
        pdf.write_bytes(data)
        for i, page in enumerate(wanted):
            limit = _time_for_page(deadline, page_timeout, min(took, default=_MIN_PAGE_SECONDS))
            if limit is None:
                failures.update(dict.fromkeys(wanted[i:], OUT_OF_TIME))
                break
            started = time.monotonic()
            run = _run_ocrmypdf(_command(pdf, page, lang, limit), Path(workdir), limit)
            text, reason = _outcome(run, page, limit, page_timeout)
            if text is not None:
                texts[page] = text
                took.append(time.monotonic() - started)
            else:
                failures[page] = reason
            if run.returncode in _WHOLE_DOCUMENT:  # the same for every page: do not try the rest
                failures.update(dict.fromkeys(wanted[i + 1 :], reason))
                break
    return OcrResult(texts=texts, failures=failures, engine=_engine(lang) if texts else "")


def _remove_stale_workdirs() -> None:
    """Remove the work directories of processes that were killed in the middle of OCR (an evidex
    worker past its --timeout gets SIGKILL, which no cleanup survives): ours, and their pid gone."""
    for path in Path(tempfile.gettempdir()).glob(f"{_WORKDIR_PREFIX}*-*"):
        pid = path.name[len(_WORKDIR_PREFIX) :].split("-")[0]
        try:
            if not pid.isdigit() or path.stat().st_uid != os.getuid() or _alive(int(pid)):
                continue
        except OSError:
            continue
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _time_for_page(deadline: float | None, page_timeout: float, expected: float) -> float | None:
    """Seconds one page's run may take; None when the deadline leaves too little to finish a page."""
    if deadline is None:
        return page_timeout
    left = deadline - time.monotonic()
    if left < min(expected, page_timeout):
        return None
    return min(page_timeout, left)


def _command(pdf: Path, page: int, lang: str, limit: float) -> list[str]:
    """The ocrmypdf command that OCRs `page` of `pdf` into the sidecar file beside it, and nothing else."""
    return [
        "ocrmypdf",
        "--force-ocr",  # OCR the page as rendered, whatever text or vector art it holds
        "--pages", str(page),
        "--language", lang,
        "--jobs", "1",
        "--tesseract-timeout", f"{max(limit, 0.1):g}",  # 0 would mean "no OCR" to ocrmypdf
        "--output-type", "none",  # only the sidecar text: no output PDF to build and optimise
        "--optimize", "0",
        "--sidecar", str(pdf.with_name("sidecar.txt")),
        str(pdf),
        os.devnull,
    ]  # fmt: skip


def _run_ocrmypdf(command: list[str], workdir: Path, limit: float) -> _Run:
    """Run ocrmypdf in `workdir` for at most `limit` seconds; kill it and its children past that."""
    sidecar = workdir / "sidecar.txt"
    sidecar.unlink(missing_ok=True)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "TMPDIR": str(workdir)}
    proc = subprocess.Popen(
        command,
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, killed as a whole
        preexec_fn=_child_limits(cpu_seconds=limit + 5),  # single-threaded: CPU time <= wall time
    )
    try:
        _, stderr = proc.communicate(timeout=limit)
        returncode: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        _, stderr = proc.communicate()
        returncode = None
    except BaseException:  # KeyboardInterrupt and the like: leave nothing running
        _kill_group(proc)
        proc.wait()
        raise
    text = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else None
    return _Run(returncode, stderr.decode("utf-8", errors="replace"), text)


def _child_limits(cpu_seconds: float) -> Callable[[], None]:
    """What the child runs before ocrmypdf starts: CPU and core-dump limits, death with its parent."""
    libc = _libc()  # loaded here, before the fork
    return partial(_limit_self, libc, math.ceil(cpu_seconds), os.getpid())


def _limit_self(libc: ctypes.CDLL | None, cpu_seconds: int, parent: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if libc is not None:
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the (thread that started it in the) parent
        if os.getppid() != parent:  # the parent died before that took effect
            os._exit(1)


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl  # noqa: B018 - Linux only
    except (OSError, AttributeError):
        return None
    return libc


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(proc.pid, signal.SIGKILL)


def _outcome(run: _Run, page: int, limit: float, page_timeout: float) -> tuple[str | None, str]:
    """(text, "") when the run recognised `page`, else (None, the reason it did not)."""
    timed_out = OUT_OF_TIME if limit < page_timeout else f"OCR timed out after {page_timeout:g} s"
    if run.returncode is None:
        return None, timed_out
    if run.returncode in _CANNOT_RUN:
        raise ExtractorMissingError(f"OCR cannot run: ocrmypdf failed ({_CANNOT_RUN[run.returncode]}: {_error_line(run.stderr)})")
    if run.returncode == _ENCRYPTED:
        return None, "OCR failed: ocrmypdf does not read encrypted PDFs (decrypt it first, e.g. qpdf --decrypt in.pdf out.pdf)"
    if run.returncode < 0:
        return None, f"OCR failed: ocrmypdf was killed by {_signal_name(-run.returncode)}"
    if run.returncode != 0:
        return None, f"OCR failed: {_error_line(run.stderr)}"
    text = _page_text(run.sidecar, page) if run.sidecar is not None else None
    if text is None:
        return None, f"OCR failed: ocrmypdf returned no text for page {page} (is there such a page?)"
    if text.strip() == _TESSERACT_SKIPPED:
        if _TIMED_OUT_IN_OCRMYPDF in run.stderr:
            return None, timed_out
        return None, "OCR failed: Tesseract could not read the page image (too large, or empty)"
    return text.strip(), ""


def _page_text(sidecar: str, page: int) -> str | None:
    """The text of `page` in the sidecar of a run with --pages PAGE; None when it holds none.

    ocrmypdf writes one chunk per page, separated by form feeds, and one marker chunk for each
    run of pages it skipped: "[OCR skipped on page(s) 1-4]" before page 5 and e.g.
    "[OCR skipped on page(s) 6-9]" after it. The markers are cut off at both ends, so a form
    feed inside the page's own text does no harm."""
    text = sidecar
    if page > 1:
        before = "1" if page == 2 else f"1-{page - 1}"
        head = f"[OCR skipped on page(s) {before}]\f"
        if not text.startswith(head):
            return None
        text = text[len(head) :]
    tail = re.search(rf"\f\[OCR skipped on page\(s\) {page + 1}(?:-\d+)?\]\Z", text)
    if tail:
        text = text[: tail.start()]
    if text.startswith("[OCR skipped on page(s) "):  # no page `page` in the PDF
        return None
    return text


def _error_line(stderr: str) -> str:
    """The line of ocrmypdf's error output that says what went wrong (shortened)."""
    lines = [line.strip() for line in stderr.splitlines() if not _NOISE.fullmatch(line)]
    for line in lines:
        match = re.match(r"(?:\w+\.)*\w+(?:Error|Exception): (.+)", line)
        if match:
            return match.group(1)[:160]
    return lines[-1][:160] if lines else "ocrmypdf stopped without saying why"


def _signal_name(number: int) -> str:
    try:
        name = signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
    return f"{name} (CPU time limit)" if number == signal.SIGXCPU else name


def _tesseract_languages() -> set[str] | str:
    """The languages Tesseract has data for, or why it could not say."""
    try:
        done = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Tesseract does not run (tesseract --list-langs: {exc})"
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return f"Tesseract does not run (tesseract --list-langs: {detail[:160]})"
    # The first line is 'List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (2):'
    return {line.strip() for line in done.stdout.splitlines()[1:] if line.strip()}


def _language_package_hint(name: str) -> str:
    if "/" in name:
        return "install its data, e.g. apt-cache search tesseract-ocr-script"
    return f"apt-get install tesseract-ocr-{name.lower().replace('_', '-')}"


def _engine(lang: str) -> str:
    """What did the OCR: "tesseract 5.3.0 (eng) via ocrmypdf" (``tesseract --version`` takes ~20 ms;
    ``ocrmypdf --version`` would take 0.4 s, a tenth of a page, so its version is left out)."""
    try:
        done = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=30)
        first = (done.stdout.strip() or done.stderr.strip()).split("\n")[0].split()
    except (OSError, subprocess.TimeoutExpired):
        first = []
    return f"tesseract {first[-1] if first else '?'} ({lang}) via ocrmypdf"
