"""A grid cell's evidence: the sentences that state the position, each with its provenance.

A stance is only as good as the sentences behind it, so the reader sees them cited, with the
statement they belong to (document, date, speaker, the question answered) and the source
lines around them; `d` goes on to the sentence diff of that round.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from diffview.errors import DiffviewError
from diffview.model import Evidence, Position, PositionTable, Statement, StoreReader
from diffview.present import cell_text, cites, issue_label, round_label, stance_text
from diffview.sanitize import sanitize, sanitize_line
from tui.screens.provenance import ProvenanceScreen


class EvidenceScreen(ProvenanceScreen):
    """Dismisses with "diff" when the user asks for the sentence diff of the cell's round."""

    BINDINGS = [
        Binding("escape,q,enter", "dismiss", "Close"),
        Binding("d", "dismiss('diff')", "Diff", tooltip="Sentence diff up to this round"),
    ]
    BOX_TITLE = "Evidence"

    def __init__(self, store: StoreReader, table: PositionTable, position: Position) -> None:
        super().__init__(store)
        self.table = table
        self.position = position

    def _build_text(self) -> Text:
        p, table = self.position, self.table
        out = Text.assemble(
            (sanitize_line(issue_label(table, p.issue)), "bold"),
            f"  ·  {sanitize_line(table.topic)}  ·  {sanitize_line(round_label(table, p.round))}\n",
            (stance_text(p.stance), "bold reverse" if not p.silent else "italic"),
        )
        if p.silent:
            out.append(
                f"\nThe cabinet states no position on this in {round_label(table, p.round)}.\n"
            )
        else:
            held = f" · held by {sanitize_line(p.holder)}" if p.holder else ""
            many = f"{p.support} sentences state it" if p.support != 1 else "1 sentence states it"
            out.append(f"  {cites(p.evidence)}{held} · {many}\n")
        for e in p.evidence:
            out.append("\n")
            out.append_text(self._evidence_block(e))
        if p.dissent:
            out.append("\nAlso said in this round, with another stance:\n", "bold")
            for e in p.dissent:
                out.append("\n")
                out.append_text(self._evidence_block(e))
        others = [q for q in table.positions if q.issue == p.issue and q.round != p.round]
        if others:
            out.append("\nOther rounds:\n", "bold")
            for q in others:
                out.append(f"  {sanitize_line(round_label(table, q.round))}: {cell_text(q)}\n")
        return out

    def _evidence_block(self, e: Evidence) -> Text:
        """The sentence cited, its statement's head, and the source lines around it."""
        out = Text()
        try:
            s: Statement | None = self.store.statement(e.statement_id) if e.statement_id else None
        except DiffviewError:
            s = None
        if s is not None:
            out.append_text(self._statement_head(s))
        else:
            out.append_text(
                Text.assemble(("━━ ", "dim"), (sanitize_line(self._document(e.doc)), "bold"), "\n")
            )
        out.append(f"{e.cite}  ", "bold")
        out.append(sanitize(e.text).replace("\n", " "), "bold")
        out.append("\n")
        if e.triggers:
            out.append(f"because of: {sanitize_line(', '.join(e.triggers))}\n", "dim")
        out.append_text(self._source_lines(e.doc, e.lines, set(range(e.lines[0], e.lines[1] + 1))))
        return out
