"""Where a row or statement came from: document, date, speaker, lines, question, source text."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from diffview.errors import DiffviewError
from diffview.model import AlignedUnit, Statement, StoreReader
from diffview.sanitize import sanitize, sanitize_line
from tui.rows import cite

CONTEXT = 3  # source lines shown before and after a statement


class ProvenanceScreen(ModalScreen[str | None]):
    """The statements behind a diff row (or one statement), each cited to its source lines."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close")]
    BOX_TITLE = "Provenance"

    def __init__(
        self,
        store: StoreReader,
        unit: AlignedUnit | None = None,
        statement_id: str | None = None,
        label: str = "",
    ) -> None:
        super().__init__()
        self.store = store
        self.unit = unit
        self.label = label or (unit.change if unit else "")  # `present.change_label` of the row
        self.statement_id = statement_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="provenance"):
            yield Static(Text("Loading sources…"), id="provenance-body", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#provenance").border_title = self.BOX_TITLE
        self.query_one("#provenance").focus()
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        text = self._build_text()
        self.app.call_from_thread(self._show, text)

    def _show(self, text: Text) -> None:
        self.query_one("#provenance-body", Static).update(text)

    def _build_text(self) -> Text:
        out = Text()
        if self.unit is not None:
            out.append(self.label, "bold")
            if self.unit.left:
                out.append(f"   FROM {cite(self.unit.left)}")
            if self.unit.right:
                out.append(f"   TO {cite(self.unit.right)}")
            out.append("\n")
            ids = [s.statement_id for s in (*self.unit.left, *self.unit.right)]
        else:
            ids = [self.statement_id] if self.statement_id else []
        for sid in dict.fromkeys(ids):
            out.append("\n")
            out.append_text(self._statement_block(sid))
        return out

    def _statement_block(self, sid: str) -> Text:
        try:
            s: Statement = self.store.statement(sid)
        except DiffviewError as exc:
            return Text(f"Statement {sanitize_line(sid)}: {sanitize_line(str(exc))}\n")
        head = self._statement_head(s)
        head.append("Statement: ", "bold")
        head.append_text(self._marked(s))
        head.append("\n")
        head.append("Source:\n", "bold")
        head.append_text(self._source(s))
        return head

    def _statement_head(self, s: Statement) -> Text:
        """Document, date, speaker, kind and lines of a statement, and the question it answers."""
        first, last = s.lines
        head = Text.assemble(
            ("━━ ", "dim"),
            (sanitize_line(self._document(s.doc)), "bold"),
            "\n",
            f"{s.date.isoformat()} · {sanitize_line(s.speaker)}",
            f" ({sanitize_line(s.party)})" if s.party and s.party != s.speaker else "",
            f" · {s.kind} · {s.source} lines {first}-{last}\n",
        )
        if s.section:
            head.append(f"Section: {sanitize_line(s.section)}\n", "dim")
        for qid in s.answers:
            head.append_text(self._question(qid))
        return head

    def _sentences_of(self, sid: str) -> list[str]:
        if self.unit is None:
            return []
        return [x.text for x in (*self.unit.left, *self.unit.right) if x.statement_id == sid]

    def _cited_lines(self, sid: str) -> set[int]:
        """Source lines of the row's sentences that come from statement `sid`."""
        if self.unit is None:
            return set()
        sentences = (x for x in (*self.unit.left, *self.unit.right) if x.statement_id == sid)
        return {n for x in sentences for n in range(x.lines[0], x.lines[1] + 1)}

    def _marked(self, s: Statement) -> Text:
        """The statement's text with the row's sentences emphasised."""
        text = Text(sanitize(s.text))
        for sentence in self._sentences_of(s.id):
            start = text.plain.find(sanitize(sentence))
            if start >= 0:
                text.stylize("bold reverse", start, start + len(sanitize(sentence)))
        return text

    def _document(self, doc_id: str) -> str:
        for d in self.store.documents():
            if d.id == doc_id:
                return f"{d.id} {d.title}"
        return doc_id

    def _question(self, qid: str) -> Text:
        try:
            q: Statement = self.store.statement(qid)
        except DiffviewError:
            return Text(f"Answers {sanitize_line(qid)} (not found)\n", "dim")
        return Text.assemble(
            ("Answers ", "bold"),
            f"{sanitize_line(q.speaker)} ({q.doc}:{q.lines[0]}-{q.lines[1]}): ",
            (sanitize(q.text), "italic"),
            "\n",
        )

    def _source(self, s: Statement) -> Text:
        first, last = s.lines
        return self._source_lines(s.doc, (first, last), self._cited_lines(s.id))

    def _source_lines(self, doc: str, span: tuple[int, int], cited: set[int]) -> Text:
        """Source lines `span` of `doc` and CONTEXT lines around: `┃` and bold on the cited
        lines, `│` on the rest of the span."""
        first, last = span
        start = max(first - CONTEXT, 1)
        try:
            lines = self.store.source_lines(doc, start, last + CONTEXT)
        except DiffviewError as exc:
            return Text(f"(source unavailable: {sanitize_line(str(exc))})\n", "dim")
        out = Text()
        for n, line in enumerate(lines, start):
            inside = first <= n <= last
            bar = "┃" if n in cited else "│" if inside else " "
            out.append(f"{n:>5} ", "dim")
            out.append(f"{bar} ", "bold" if n in cited else "dim")
            out.append(
                sanitize_line(line.rstrip("\n")), "bold" if n in cited else "" if inside else "dim"
            )
            out.append("\n")
        return out
