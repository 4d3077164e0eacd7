"""The core must stay usable without the UI: data flows one way, views depend on the core."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEW_MODULES = {"cli", "render", "changelog"}  # views that live in diffview/
CORE_MODULES = sorted(
    [p.stem for p in (ROOT / "diffview").glob("*.py") if p.stem not in VIEW_MODULES | {"__init__"}]
    + [p.parent.name for p in (ROOT / "diffview").glob("*/__init__.py")]  # packages: layouts
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


def _contracts() -> dict[str, dict]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        config = tomllib.load(fh)["tool"]["importlinter"]
    return {c["id"]: c for c in config["contracts"]}


def test_the_import_contracts_cover_every_module() -> None:
    """A new module of diffview/ is checked by `lint-imports` only once the contracts name it."""
    contracts = _contracts()
    core = {m.removeprefix("diffview.") for m in contracts["core"]["source_modules"]}
    assert core == set(CORE_MODULES), "list the new module in [tool.importlinter] (core)"
    door = contracts["tui-door"]
    allowed = {"model", "errors", "sanitize", "search", "present"}  # data and wording
    forbidden = {m.removeprefix("diffview.") for m in door["forbidden_modules"]}
    assert forbidden == (set(CORE_MODULES) | VIEW_MODULES) - allowed, "tui-door contract"


def _modules_on_disk() -> set[str]:
    return {
        p.relative_to(ROOT).as_posix()
        for package in ("diffview", "tui")
        for p in (ROOT / package).rglob("*.py")
        if p.name != "__init__.py" and "versions" not in p.parts
    }


def _modules_named_in_architecture() -> set[str]:
    """Paths (`tui/app.py`, `tests/...`), bare names of the data-flow diagram (`diffview/`)
    and the modules of the public API table."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set()
    for name in re.findall(r"(?<![\w/.])((?:tui/|diffview/)?(?:\w+/)*\w+\.py)\b", text):
        named.add(name if "/" in name else f"diffview/{name}")
    for module in re.findall(r"^\| `(\w+)(?:\.\w+)?` \|", text, flags=re.MULTILINE):
        if module != "module":
            named.add(f"diffview/{module}.py")  # the public API table
    return named


def test_architecture_names_exactly_the_modules_of_the_tree() -> None:
    named, on_disk = _modules_named_in_architecture(), _modules_on_disk()
    missing = sorted(n for n in named if not (ROOT / n).is_file())
    assert not missing, f"ARCHITECTURE.md names modules that do not exist: {missing}"
    assert not on_disk - named, f"ARCHITECTURE.md does not name: {sorted(on_disk - named)}"


def test_the_bundled_corpus_is_the_top_level_versions_directory() -> None:
    """One copy: diffview/versions (what the wheel ships) links to the repository's versions/."""
    from diffview.corpus import BUNDLED_VERSIONS

    assert (ROOT / "versions").resolve() == BUNDLED_VERSIONS
    assert (ROOT / "diffview" / "versions").is_symlink()
    assert (BUNDLED_VERSIONS / "manifest.toml").is_file()
