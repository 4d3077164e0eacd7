"""The core must stay usable without the UI: data flows one way, views depend on the core."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VIEWS = "diffview.views"
# What the widgets may import directly (plain data and wording); the rest only via the door.
TUI_ALLOWED = {"diffview.model", "diffview.errors", "diffview.sanitize", "diffview.diff.search"}
TUI_ALLOWED |= {"diffview.present"}


def _dotted(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(_dotted(p) for p in (ROOT / "diffview").rglob("*.py") if "versions" not in p.parts)
# The pipeline's stages: each top-level module or package of diffview/.
UNITS = sorted({".".join(m.split(".")[:2]) for m in MODULES if m != "diffview"})
CORE = [m for m in MODULES if not (m + ".").startswith(VIEWS + ".") and m != "diffview.__main__"]


def test_core_imports_without_textual_or_rich() -> None:
    imports = "; ".join(f"import {name}" for name in CORE)
    code = (
        f"import sys; {imports}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'tui')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _contracts() -> dict[str, dict[str, Any]]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        config = tomllib.load(fh)["tool"]["importlinter"]
    return {c["id"]: c for c in config["contracts"]}


def _under(module: str, names: set[str]) -> bool:
    return any(module == n or module.startswith(n + ".") for n in names)


def test_the_import_contracts_cover_every_module() -> None:
    """A new module or package of diffview/ is checked by `lint-imports` only once the
    contracts name it: a stage of the layers, a part of the core, behind the TUI's door."""
    contracts = _contracts()
    stages = contracts["pipeline"]["layers"]
    layers = {n.strip() for layer in stages for n in re.split("[|:]", layer)}
    assert layers == set(UNITS) - {"diffview.__main__"}, "name the new stage in the layers"
    core = set(contracts["core"]["source_modules"])
    assert core == layers - {VIEWS}, "list the new stage in the core contract"
    door = set(contracts["tui-door"]["forbidden_modules"])
    for module in MODULES:
        parent_of_allowed = any(a.startswith(module + ".") for a in TUI_ALLOWED)
        if module in ("diffview", "diffview.__main__") or parent_of_allowed:
            continue
        if _under(module, TUI_ALLOWED):
            continue
        assert _under(module, door), f"tui-door contract does not cover {module}"


def _modules_on_disk() -> set[str]:
    return {
        p.relative_to(ROOT).as_posix()
        for package in ("diffview", "tui")
        for p in (ROOT / package).rglob("*.py")
        if p.name != "__init__.py" and "versions" not in p.parts
    }


def _in_diffview(basename: str) -> set[str]:
    """A bare module name of the diagram: the module of diffview/ with that name (its
    folder is the stage heading it stands under)."""
    found = {p.relative_to(ROOT).as_posix() for p in (ROOT / "diffview").rglob(basename)}
    return found or {f"diffview/{basename}"}


def _modules_named_in_architecture() -> set[str]:
    """Paths (`tui/app.py`, `tests/...`), bare names of the data-flow diagram (`diffview/`)
    and the modules of the public API table."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named: set[str] = set()
    for name in re.findall(r"(?<![\w/.])((?:tui/|diffview/)?(?:\w+/)*\w+\.py)\b", text):
        named |= {name} if "/" in name else _in_diffview(name)
    for module in re.findall(r"^\| `([\w.]+)` \|", text, flags=re.MULTILINE):
        parts = [p for p in module.split(".") if not p[0].isupper()]  # `store.read.Store`
        if parts != ["module"]:
            named.add("diffview/" + "/".join(parts) + ".py")  # the public API table
    return named


def test_architecture_names_exactly_the_modules_of_the_tree() -> None:
    named, on_disk = _modules_named_in_architecture(), _modules_on_disk()
    missing = sorted(n for n in named if not (ROOT / n).is_file())
    assert not missing, f"ARCHITECTURE.md names modules that do not exist: {missing}"
    assert not on_disk - named, f"ARCHITECTURE.md does not name: {sorted(on_disk - named)}"


def test_the_bundled_corpus_is_the_top_level_versions_directory() -> None:
    """One copy: diffview/versions (what the wheel ships) links to the repository's versions/."""
    from diffview.corpus.load import BUNDLED_VERSIONS

    assert (ROOT / "versions").resolve() == BUNDLED_VERSIONS
    assert (ROOT / "diffview" / "versions").is_symlink()
    assert (BUNDLED_VERSIONS / "manifest.toml").is_file()
