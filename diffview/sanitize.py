"""Make untrusted document text safe to show anywhere.

Text extracted from PDFs (or supplied by a user) may carry terminal escapes, C1 controls,
bidi overrides or private-use glyphs. We neutralise them once, in the core, so that no view
has to remember to: every such character becomes a visible `<U+XXXX>`.
"""

from __future__ import annotations

import re

import regex

# Cc control, Cf format (bidi overrides, zero-width), Cs surrogates, Co private use,
# Cn unassigned, Zl/Zp line and paragraph separators. Newline and tab stay.
_UNSAFE = regex.compile(r"[^\P{Cc}\n\t]|[\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}]")
# In ASCII only Cc is unsafe: a cheap test that skips the Unicode pass for most text.
_ASCII_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _visible(match: regex.Match[str]) -> str:
    return f"<U+{ord(match.group()):04X}>"


def sanitize(text: str) -> str:
    """Replace every control/format/private character (but newline and tab) by `<U+XXXX>`.

    Printable text (`str.isprintable`: no Cc, Cf, Cs, Co, Cn, Zl or Zp character) has none
    and is returned as it is, without a regex call (the diff's JSON sanitises every string
    it writes, most of them already sanitised). Nor is text that is printable but for its
    newlines and tabs (a statement's sentences, one a line, with an accent or a curly
    quote): the Unicode pass would find nothing in it."""
    if text.isprintable() or (text.isascii() and not _ASCII_UNSAFE.search(text)):
        return text
    if text.replace("\n", "").replace("\t", "").isprintable():
        return text
    return _UNSAFE.sub(_visible, text, timeout=5)


def sanitize_line(text: str) -> str:
    """Like `sanitize`, for one-line fields (titles, speakers): newlines and tabs too."""
    return sanitize(text).replace("\n", "<U+000A>").replace("\t", " ")
