"""The timeline sidebar: topics, and under each its versions (date, document, statements)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from diffview.sanitize import sanitize_line
from tui.backend import VersionRow
from tui.messages import TopicChosen, VersionsChosen


@dataclass(frozen=True)
class NodeData:
    topic: str
    row: VersionRow | None = None  # None for the topic node itself


class Timeline(Tree[NodeData]):
    """Enter/click on a version compares up TO it; `f` makes the highlighted version FROM;
    enter on a topic shows its position grid."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Set TO", show=True),
        Binding("f", "set_from", "Set FROM"),
    ]

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual naming
        super().__init__("Topics", id=id)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self.rows: dict[str, list[VersionRow]] = {}
        self.topic: str | None = None
        self.from_spec: str | None = None
        self.to_spec: str | None = None

    def load(self, rows: dict[str, list[VersionRow]]) -> None:
        """Fill the tree: `rows` maps each topic (in display order) to its versions."""
        self.rows = rows
        self.clear()
        for topic, versions in rows.items():
            node = self.root.add(self._topic_label(topic), data=NodeData(topic), expand=True)
            for row in versions:
                node.add_leaf(self._version_label(row), data=NodeData(topic, row))

    def choose(
        self,
        topic: str,
        from_spec: str | None,
        to_spec: str | None,
        picked: bool = False,
        set_to: bool = False,
    ) -> None:
        """Make a FROM/TO pair current, redraw the markers and tell the screen."""
        self.topic, self.from_spec, self.to_spec = topic, from_spec, to_spec
        self._relabel()
        self.post_message(VersionsChosen(topic, from_spec, to_spec, picked, set_to))

    def choose_latest(self, topic: str) -> None:
        """The latest change of a topic: previous version against newest."""
        specs = [r.spec for r in self.rows.get(topic, [])]
        if not specs:
            self.choose(topic, None, None)
        else:
            self.choose(topic, specs[-2] if len(specs) > 1 else None, specs[-1])
        self.focus_topic(topic)

    def focus_topic(self, topic: str) -> None:
        for node in self.root.children:
            if node.data and node.data.topic == topic:
                self.move_cursor(node)

    def step(self, delta: int) -> None:
        """Shift the FROM/TO window one version earlier (-1) or later (+1)."""
        if self.topic is None or self.to_spec is None:
            return
        specs = [r.spec for r in self.rows.get(self.topic, [])]
        to_i = specs.index(self.to_spec) + delta
        from_i = specs.index(self.from_spec) + delta if self.from_spec in specs else to_i - 1
        if 0 <= from_i < len(specs) and 0 <= to_i < len(specs) and from_i != to_i:
            self.choose(self.topic, specs[from_i], specs[to_i])
        else:
            self.notify("No version further that way.", timeout=2)

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        """Enter/click: on a topic, its grid; on a version, TO (FROM kept if it is one of
        the topic's, else the version before; the first version alone is explained)."""
        event.stop()
        data = event.node.data
        if data is None:
            return
        if data.row is None:
            self.choose_latest(data.topic)
            self.post_message(TopicChosen(data.topic))
            return
        specs = [r.spec for r in self.rows[data.topic]]
        to_spec = data.row.spec
        from_spec = self.from_spec if data.topic == self.topic else None
        if from_spec in (None, to_spec) or from_spec not in specs:
            i = specs.index(to_spec)
            from_spec = specs[i - 1] if i > 0 else None
        if from_spec is None and len(specs) > 1:
            self.notify(
                f"{data.row.version.label} is the first of the {len(specs)} versions of "
                f"“{sanitize_line(data.topic)}”: nothing earlier to compare it with. "
                "f on it makes it FROM; then enter on a later version.",
                timeout=5,
            )
            return
        self._pick(data.topic, from_spec, to_spec, set_to=True)

    def action_set_from(self) -> None:
        node = self.cursor_node
        if node is None or node.data is None or node.data.row is None:
            self.notify("Highlight a version to use it as FROM.", timeout=2)
            return
        data, row = node.data, node.data.row
        specs = [r.spec for r in self.rows[data.topic]]
        to_spec = (self.to_spec if data.topic == self.topic else None) or specs[-1]
        if to_spec == row.spec:
            if len(specs) == 1:
                self.notify(
                    f"“{sanitize_line(data.topic)}” has one version only: nothing to compare.",
                    timeout=3,
                )
            else:
                self.notify(
                    f"{row.version.label} is TO already: f on another version makes that FROM.",
                    timeout=3,
                )
            return
        self._pick(data.topic, row.spec, to_spec)

    def _pick(self, topic: str, from_spec: str | None, to_spec: str, set_to: bool = False) -> None:
        """A pair picked by the user: a reversed one (TO older than FROM) is compared oldest
        first, and the user is told."""
        specs = [r.spec for r in self.rows[topic]]
        if from_spec is not None and specs.index(from_spec) > specs.index(to_spec):
            labels = {r.spec: r.version.label for r in self.rows[topic]}
            self.notify(
                f"TO {labels[to_spec]} is older than FROM {labels[from_spec]}: swapped, "
                f"comparing {labels[to_spec]} → {labels[from_spec]}.",
                timeout=4,
            )
            from_spec, to_spec = to_spec, from_spec
        self.choose(topic, from_spec, to_spec, picked=True, set_to=set_to)

    # -- labels ----------------------------------------------------------------------------

    def _relabel(self) -> None:
        for topic_node in self.root.children:
            for node in topic_node.children:
                if node.data and node.data.row:
                    node.set_label(self._version_label(node.data.row))

    def _topic_label(self, topic: str) -> Text:
        n = len(self.rows.get(topic, []))
        return Text.assemble((sanitize_line(topic), "bold"), (f" {n}v", "dim"))

    def _version_label(self, row: VersionRow) -> Text:
        marker = "  "
        current = row.topic == self.topic
        if current and row.spec == self.to_spec:
            marker = "T "
        elif current and row.spec == self.from_spec:
            marker = "F "
        style = "bold reverse" if marker.strip() else ""
        return Text.assemble(
            (marker, style),
            (f"{row.version.label:<8}", "dim"),
            (f" {row.cabinet_statements:>2} ", "bold"),
            sanitize_line(row.short_title),
        )


def node_topic(node: TreeNode[NodeData] | None) -> str | None:
    return node.data.topic if node and node.data else None
