"""What people call the topics: the order they are shown in and the Dutch names they type.

The order is the topic rules file's: `[settings] topics` of `topics.toml` (the followed
topics), then its `other` and `non_csam` labels, then any other name alphabetically (a store
built with other rules). So a topic added to the rules shows up in the CLI's tables, the
default changelog and the app's timeline without a second list to update.

Only the `[settings]` table is read (with `tomllib`, cached): compiling the rules costs
~80 ms, which `--help` and the app's first paint should not pay; `diffview.corpus.topics` validates
the whole file when statements are labelled.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from diffview.errors import InputError

# The bundled rules file, named here (and imported by `diffview.corpus.topics`) so that
# reading topic names (every command's parser) does not import the rules' compiler.
BUNDLED_RULES = Path(__file__).with_name("topics.toml")

# Dutch names a reader of the Kamerstukken types → the topic (keys casefolded).
ALIASES: dict[str, str] = {
    "detectiebevel": "detection-order",
    "detectiebevelen": "detection-order",
    "versleuteling": "encryption",
    "encryptie": "encryption",
    "derogatie": "derogation",
}


@lru_cache(maxsize=4)
def _order(path: Path) -> tuple[str, ...]:
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8")).get("settings", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(path, f"cannot read topic rules: {exc}") from None
    followed = tuple(settings.get("topics", ()))
    return (*followed, settings.get("other", "csam-other"), settings.get("non_csam", "non-csam"))


def followed_topics(rules: Path = BUNDLED_RULES) -> list[str]:
    """The topics the project follows (`[settings] topics`): the default changelog's."""
    return list(_order(rules)[:-2])


def ordered(names: Iterable[str], rules: Path = BUNDLED_RULES) -> list[str]:
    """`names` in the rules file's order; names it does not list last, alphabetically."""
    rank = {name: i for i, name in enumerate(_order(rules))}
    return sorted(set(names), key=lambda n: (rank.get(n, len(rank)), n))


def canonical(name: str, rules: Path = BUNDLED_RULES) -> str:
    """The topic a user means: `detectiebevel` or `Encryption` → its topic name; a name this
    does not know comes back unchanged, for the caller to refuse with the known ones."""
    key = name.strip().casefold()
    if key in ALIASES:
        return ALIASES[key]
    return key if key in _order(rules) else name


def aliases_of(topic: str) -> list[str]:
    """The Dutch names of `topic`, for help texts."""
    return [alias for alias, target in ALIASES.items() if target == topic]


def described(rules: Path = BUNDLED_RULES) -> str:
    """`detection-order (detectiebevel, ...), encryption (...), ...`: the topics for --help."""
    parts = []
    for name in _order(rules):
        names = aliases_of(name)
        parts.append(f"{name} ({', '.join(names)})" if names else name)
    return ", ".join(parts)
