"""The core must stay usable without the UI: data flows one way, views depend on the core."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEW_MODULES = {"cli", "render", "changelog"}  # views that live in diffview/
CORE_MODULES = sorted(
    p.stem for p in (ROOT / "diffview").glob("*.py") if p.stem not in VIEW_MODULES | {"__init__"}
)


def test_core_imports_without_textual_or_rich() -> None:
    imports = "; ".join(f"import diffview.{name}" for name in CORE_MODULES)
    code = (
        f"import sys; {imports}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'tui')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_core_never_imports_a_view() -> None:
    for name in CORE_MODULES:
        roots = _imported_roots(ROOT / "diffview" / f"{name}.py")
        assert not roots & {"tui", "textual", "rich"}, name


def test_the_bundled_corpus_is_the_top_level_versions_directory() -> None:
    """One copy: diffview/versions (what the wheel ships) links to the repository's versions/."""
    from diffview.corpus import BUNDLED_VERSIONS

    assert (ROOT / "versions").resolve() == BUNDLED_VERSIONS
    assert (ROOT / "diffview" / "versions").is_symlink()
    assert (BUNDLED_VERSIONS / "manifest.toml").is_file()
