"""Text out of a PDF with pypdf, in a child process bounded in time and memory.

pypdf is pure Python and has had denial-of-service advisories (deep nesting, decompression
bombs, endless loops in broken cross-reference tables), and a PDF is untrusted input. So
the extraction runs in a child interpreter under `resource.RLIMIT_AS` (address space) and
`RLIMIT_CPU`, with a wall-clock timeout and a page limit; whatever goes wrong there is one
`InputError` line naming the file. Layout mode keeps the PDF's lines (so hyphenation,
question numbers and page furniture look as in the seeds, which are PDF extractions); a
form feed on a line of its own marks each page break.

The child is `python -I -m diffview.corpus.pdftext`: PDF bytes on stdin, JSON on stdout.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

from diffview.errors import InputError

TIME_LIMIT = 60  # seconds of wall clock (and of CPU) for one PDF
MEMORY_LIMIT = 512 * 1024 * 1024  # bytes of address space for the child
MAX_PAGES = 2000  # the longest Kamerstukken run to a few hundred pages
PAGE_BREAK = "\f"


def _limit(memory: int, seconds: int) -> None:
    """In the child, before it runs any Python: cap address space and CPU time."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def extract_pdf_text(
    path: Path,
    data: bytes,
    *,
    time_limit: float = TIME_LIMIT,
    memory_limit: int = MEMORY_LIMIT,
    max_pages: int = MAX_PAGES,
) -> str:
    """The text of the PDF `data` (read from `path`), pages separated by a form-feed line."""
    env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"}
    cmd = [sys.executable, "-I", "-m", "diffview.corpus.pdftext", str(max_pages)]
    seconds = max(int(time_limit), 1)
    try:
        done = subprocess.run(
            cmd,
            input=data,
            capture_output=True,
            timeout=time_limit,
            env=env,
            preexec_fn=lambda: _limit(memory_limit, seconds),  # safe: the CLI runs no threads here
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(path, f"PDF text extraction took over {time_limit:g} s; refused") from None
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise InputError(path, f"PDF text extraction took over {seconds} s of CPU; refused")
    try:
        answer = json.loads(done.stdout.decode("utf-8"))
    except ValueError:
        answer = {"error": _memory_or_crash(done.stderr, memory_limit)}
    if not isinstance(answer, dict) or not ("error" in answer or "pages" in answer):
        answer = {"error": "PDF text extraction failed"}
    if "error" in answer:
        raise InputError(path, str(answer["error"]))
    pages = [_clean_page(p) for p in answer["pages"]]
    text = f"\n{PAGE_BREAK}\n".join(pages).strip("\n") + "\n"
    if not any(c.isalnum() for c in text):
        raise InputError(path, "the PDF holds no text (a scan?); run OCR first or pass a text")
    return text


_OUT_OF_MEMORY = (b"MemoryError", b"failed to map segment", b"Cannot allocate memory")


def _memory_or_crash(stderr: bytes, memory_limit: int) -> str:
    """Why the child ended without an answer: out of its address space, or a crash."""
    if any(sign in stderr for sign in _OUT_OF_MEMORY):
        return f"PDF text extraction needed over {memory_limit // 2**20} MB of memory; refused"
    return "PDF text extraction failed (a broken PDF?); refused"


def _clean_page(text: str) -> str:
    """Trailing spaces off each line (layout mode pads to the page width), no blank lines at
    the page's ends, no stray form feeds or NULs inside."""
    lines = [line.rstrip() for line in text.replace("\f", "").replace("\x00", "").split("\n")]
    return "\n".join(lines).strip("\n")


# ---------------------------------------------------------------------------- the child


def _child(max_pages: int) -> dict[str, object]:
    import io
    import logging

    logging.disable(logging.CRITICAL)  # pypdf warns on stderr about every odd object
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    data = sys.stdin.buffer.read()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return {"error": "encrypted PDF (it needs a password); decrypt it first"}
        count = len(reader.pages)
        if count > max_pages:
            return {"error": f"PDF has {count} pages, over the limit of {max_pages}; refused"}
        pages = [page.extract_text(extraction_mode="layout") for page in reader.pages]
    except MemoryError:
        return {"error": "PDF text extraction ran out of memory; refused"}
    except RecursionError:
        return {"error": "PDF objects nested too deeply; refused"}
    except LimitReachedError:
        return {"error": "PDF stream decompresses past the size limit (a PDF bomb?); refused"}
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        reason = "encrypted PDF" if "encrypt" in str(exc).lower() else "not a readable PDF"
        return {"error": f"{reason} ({type(exc).__name__}); refused"}
    except Exception as exc:  # noqa: BLE001 - any other pypdf failure is a broken PDF
        return {"error": f"not a readable PDF ({type(exc).__name__}); refused"}
    return {"pages": pages}


if __name__ == "__main__":
    result = _child(int(sys.argv[1]) if len(sys.argv) > 1 else MAX_PAGES)
    sys.stdout.write(json.dumps(result))
