"""The official XML of officielebekendmakingen (the `op-xsd` vocabulary) as plain text.

diffview stores and cites text, so an XML `kamerstuk` or `kamervragen` becomes a canonical
plain rendering that the text layouts then read like any other source: one paragraph per
`al`, headings (`tussenkop`, `divisie/kop`) on a line of their own, list items (`lijst/li`)
as bullet lines, `Vraag 1` / `Antwoord 1` from `nr`, the signature (`ondertekening`) as
office and name lines, and footnotes (`noot`) as a marker after the word plus the note
text at the end, as in a PDF extraction.

The XML is untrusted: it is parsed with defusedxml (no entity expansion, so no billion
laughs; no external entities or DTDs fetched, so no network and no local files read), and
anything else than a kamerstuk or kamervragen is refused by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from diffview.errors import InputError

DOCUMENTS = ("kamerstuk", "kamervragen")
_BLOCKS = frozenset(
    {
        "al",
        "tussenkop",
        "dagtekening",
        "kamer",
        "vergaderjaar",
        "kamervraagnummer",
        "kamervraagomschrijving",
        "kamervraagopmerking",
        "kamervraagmededeling",
        "functie",
        "naam",
        "aanhef",
        "nr",
        "titel",
    }
)
_SKIP = frozenset({"metadata", "meta", "noot", "li.nr", "stuknr", "dossiernummer"})


def _local(tag: object) -> str:
    name = tag if isinstance(tag, str) else ""
    return name.rsplit("}", 1)[-1]


def _text(el: Element, notes: _Notes) -> str:
    """The inline text of `el`: its words and those of inline children, a footnote as its
    number glued to the word before it."""
    parts = [el.text or ""]
    for child in el:
        name = _local(child.tag)
        if name == "noot":
            parts.append(notes.add(child))
        elif name not in _SKIP:
            parts.append(_text(child, notes))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


@dataclass
class _Notes:
    texts: list[str] = field(default_factory=list)

    def add(self, noot: Element) -> str:
        number = str(len(self.texts) + 1)
        body = " ".join(_text(c, self) for c in noot if _local(c.tag) != "noot.nr")
        self.texts.append(f"{number} {body}")
        return number


@dataclass
class _Renderer:
    paragraphs: list[str] = field(default_factory=list)
    notes: _Notes = field(default_factory=_Notes)

    def para(self, text: str) -> None:
        if text:
            self.paragraphs.append(text)

    def walk(self, el: Element) -> None:
        name = _local(el.tag)
        if name in _SKIP:
            return
        if name == "dossier":
            number = el.find(".//dossiernr")
            title = el.find("titel")
            self.para(" ".join(t for t in (_inner(number), _inner(title)) if t))
            return
        if name == "stuk":
            number = el.find(".//ondernummer")
            title = el.find("titel")
            head = " ".join(t for t in (_inner(number), _inner(title)) if t)
            self.para(f"Nr. {head}" if number is not None else head)
            for child in el:
                if _local(child.tag) not in ("stuknr", "titel"):
                    self.walk(child)
            return
        if name == "kop":
            self.para(" ".join(_text(c, self.notes) for c in el if _local(c.tag) != "noot"))
            return
        if name == "li":
            mark = el.find("li.nr")
            label = _inner(mark) or "•"
            items = [_text(c, self.notes) for c in el if _local(c.tag) == "al"]
            first = f"{label} {items[0]}" if items else label
            self.para(first)
            for extra in items[1:]:
                self.para(extra)
            for child in el:
                if _local(child.tag) == "lijst":
                    self.walk(child)
            return
        if name == "ondertekening":  # office and name on consecutive lines
            lines = [_text(c, self.notes) for c in el if _local(c.tag) in ("functie", "naam")]
            self.para("\n".join(s for s in lines if s))
            return
        if name in ("vraag", "antwoord"):
            self.marked(el, "Vraag" if name == "vraag" else "Antwoord")
            return
        if name in _BLOCKS or (el.text or "").strip():  # an unknown element holding text
            self.para(_text(el, self.notes))
            return
        for child in el:
            self.walk(child)

    def marked(self, el: Element, word: str) -> None:
        """`vraag`/`antwoord`: `nr` as the marker line (`1` → `Vraag 1`), then its `al`s."""
        for child in el:
            if _local(child.tag) == "nr":
                number = _text(child, self.notes)
                self.para(f"{word} {number}" if number[:1].isdigit() else number)
            else:
                self.walk(child)

    def text(self) -> str:
        body = "\n\n".join(self.paragraphs)
        if self.notes.texts:
            body += "\n\n" + "\n".join(self.notes.texts)
        return body + "\n"


def _inner(el: Element | None) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def xml_to_text(path: Path, data: bytes) -> str:
    """The canonical plain text of an op-xsd kamerstuk or kamervragen; `InputError` else."""
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        kind = type(exc).__name__.replace("Forbidden", "").lower()
        raise InputError(
            path, f"XML declares an entity or external reference ({kind}); refused"
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise InputError(path, f"not well-formed XML: {exc.msg}", line) from None
    except (LookupError, ValueError) as exc:  # an unknown or impossible encoding declaration
        raise InputError(path, f"not readable XML: {exc}") from None
    documents = [
        el for el in root.iter() if isinstance(el.tag, str) and _local(el.tag) in DOCUMENTS
    ]
    if not documents:
        raise InputError(
            path,
            f"XML of another vocabulary (root <{_local(root.tag)}>): expected an "
            "officielebekendmakingen kamerstuk or kamervragen",
        )
    renderer = _Renderer()
    try:
        renderer.walk(documents[0])
    except RecursionError:
        raise InputError(path, "XML nested too deeply; refused") from None
    text = renderer.text()
    if not any(c.isalnum() for c in text):
        raise InputError(path, "the XML holds no text")
    return text


# ---------------------------------------------------------------------------- metadata.xml

_META_NAMES = {  # metadata.xml field → what it is for us
    "dc.identifier": "identifier",
    "overheidop.dossiernummer": "dossier",
    "overheidop.ondernummer": "ondernummer",
    "overheidop.vraagnummer": "number",
    "overheidop.datumontvangst": "ontvangen",
    "overheidop.datumindiening": "ingezonden",
    "dc.date": "datum",
}


def metadata_beside(path: Path) -> dict[str, str]:
    """Fields of the `metadata.xml` the publisher ships beside a document, if it lies there
    (`metadata.xml`, or `<name>.metadata.xml` / `<name>_metadata.xml`): identifier,
    dossier, ondernummer, number and dates. Unreadable or hostile metadata is ignored: the
    text stays the authority, this only fills in what it does not say."""
    stem = path.name.removesuffix(".xml")
    for name in (f"{stem}.metadata.xml", f"{stem}_metadata.xml", "metadata.xml"):
        candidate = path.with_name(name)
        if candidate == path or not candidate.is_file():
            continue
        try:
            data = candidate.read_bytes()[: 2 * 1024 * 1024]
            root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except (OSError, ParseError, DefusedXmlException):
            return {}
        found: dict[str, str] = {}
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            key = (el.get("name") or _local(el.tag)).casefold().replace(":", ".")
            key = key.replace("dcterms.", "dc.")
            value = el.get("content") or (el.text or "").strip()
            if key in _META_NAMES and value and _META_NAMES[key] not in found:
                found[_META_NAMES[key]] = " ".join(value.split())[:100]
        return found
    return {}
