"""Time and memory of PDF text extraction, benign and hostile (not a test).

    .venv/bin/python scripts/bench_pdf.py

Builds the PDFs the way tests/test_pdf.py does (a seed rendered with reportlab, a page-count
bomb, deep nesting, a deflate bomb, an encrypted PDF), runs each extraction in a fresh
process and reports its wall time, the extraction child's peak RSS and the outcome.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_pdf import (  # noqa: E402 - after the path set-up
    decompression_bomb,
    deep_nesting,
    encrypted,
    many_pages,
    text_pdf,
)

MEASURE = """
import resource, sys, time
from pathlib import Path
from diffview.corpus.pdftext import extract_pdf_text
p = Path(sys.argv[1]); t = time.perf_counter()
try:
    out = "ok, %d lines" % extract_pdf_text(p, p.read_bytes()).count("\\n")
except Exception as exc:
    out = str(exc)[len(str(p)) + 2 :]
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print("%.2f s, child peak RSS %d MB: %s" % (time.perf_counter() - t, rss, out))
"""


def main() -> None:
    seed = (ROOT / "versions" / "003_4a688004c2e20cff.txt").read_text("utf-8")
    cases = {
        "seed 003 rendered to PDF": text_pdf(seed),
        "100000 pages": many_pages(100_000),
        "arrays nested 100000 deep": deep_nesting(100_000),
        "300 MB deflate bomb": decompression_bomb(300),
        "encrypted": encrypted("Geachte voorzitter,"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in cases.items():
            path = Path(tmp) / "x.pdf"
            path.write_bytes(data)
            done = subprocess.run(
                [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True
            )
            print(f"{name} ({len(data) // 1024} KB): {done.stdout.strip() or done.stderr[-200:]}")


if __name__ == "__main__":
    main()
