"""Dump every statement the parser produces, to prove a parser change output-neutral (not a test).

    .venv/bin/python scripts/check_parse_identical.py OUT.json [--seed N] [--variants K]
    PYTHONPATH=/path/to/old/checkout .venv/bin/python scripts/check_parse_identical.py OLD.json
    cmp OLD.json OUT.json
    .venv/bin/python scripts/check_parse_identical.py OUT.json --versions DIR [--limit K]

Inputs: the bundled corpus through `load_corpus` (statements JSON as the store writes it,
document markdown, topic markdown of every round), the test fixtures, and K perturbed copies
of every bundled document and fixture per seed (lines dropped, duplicated, swapped, cut,
words changed, topic words inserted, markers removed), so the error paths (LayoutError,
no statements) are compared too: each input's statements JSON or its exception text.

`--versions DIR` dumps instead the first K documents (default 200) of another corpus (a
synthetic one of `scripts/bench_scale.py`) as a build's worker parses them (`parse_source`,
memos warm in one process): statements JSON and document markdown of each, and the sha256
of every file `render_for` gives it (sentences, claims, topic blocks too). Both modes dump the
sha256 of each document's sentences and claims files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import sys
from pathlib import Path

import diffview
from diffview.corpus.load import BUNDLED_VERSIONS, load_corpus, parse_source, parse_text
from diffview.corpus.manifest import load_manifest_with_rounds
from diffview.corpus.sources import load_source
from diffview.errors import DiffviewError
from diffview.model import Document, Statement
from diffview.store import files as storefiles
from diffview.store.plan import render_for

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "detectiebevel",
    "encryptie",
    "end-to-end",
    "CSAM",
    "kindermisbruik",
    "scannen",
    "grooming",
    "Antwoord",
    "Vraag 3",
    "?",
    "De leden van de VVD-fractie vragen",
    "artikel 7",
    "client-side",
    "derogatie",
    "ePrivacy",
    "hashes",
    "bekend materiaal",
    "1",
    "Minister",
    "De voorzitter:",
    "Geachte voorzitter,",
    "Hoogachtend,",
    "verordening",
    "kabinet",
    "\u00ad",
    "32 317, nr. 5",
)


def perturb(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 12)):
        if not lines:
            break
        op = rng.randrange(8)
        i = rng.randrange(len(lines))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:
            words = lines[i].split(" ")
            words.insert(rng.randrange(len(words) + 1), rng.choice(WORDS))
            lines[i] = " ".join(words)
        elif op == 4:
            words = lines[i].split(" ")
            if len(words) > 1:
                del words[rng.randrange(len(words))]
            lines[i] = " ".join(words)
        elif op == 5:
            lines.insert(i, rng.choice(WORDS))
        elif op == 6:
            lines[i] = lines[i].replace("Antwoord", "").replace("Vraag", "vraag")
        else:
            cut = rng.randrange(len(lines))
            lines = lines[:cut] if rng.random() < 0.5 else lines[cut:]
    return "\n".join(lines)


def outcome(doc: Document, text: str) -> object:
    try:
        st = parse_text(doc, text)
    except (DiffviewError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return {
        "statements": json.loads(storefiles.statements_json(doc, st)),
        "sentences": sha(storefiles.sentences_json(st)),
        "claims": sha(storefiles.claims_file(st)),
        "blocks": blocks_sha(doc, st),
    }


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blocks_sha(doc: Document, st: list[Statement]) -> str:
    """The sha256 of every statement's topic block (an empty one for a statement without)."""
    return sha("\x00".join(storefiles.topic_block(s, doc) for s in st).encode())


def rendered_hashes(
    labels: dict[str, str], doc: Document, data: bytes, st: list[Statement]
) -> object:
    """The sha256 of each file a build worker renders for `doc` (and of its topic blocks)."""
    r = render_for(labels, doc, data, st)
    return {
        "document": sha(r.document),
        "statements": sha(r.statements),
        "sentences": sha(r.sentences),
        "claims": sha(r.claims),
        "blocks": sha("\x00".join("\x01" if b is None else b for b in r.blocks).encode()),
    }


def corpus_dump(versions: Path, limit: int) -> dict[str, object]:
    documents, labels = load_manifest_with_rounds(versions)
    dump: dict[str, object] = {}
    for doc in documents[:limit]:
        try:
            data, st = parse_source(versions, doc)
        except (DiffviewError, TimeoutError) as exc:
            dump[f"corpus/{doc.id}"] = f"{type(exc).__name__}: {exc}"
            continue
        dump[f"corpus/{doc.id}.json"] = storefiles.statements_json(doc, st).decode()
        dump[f"corpus/{doc.id}.md"] = storefiles.document_markdown(doc, st, doc.round).decode()
        dump[f"corpus/{doc.id}.rendered"] = rendered_hashes(labels, doc, data, st)
    return dump


def main() -> None:
    out = Path(sys.argv[1])
    if "--versions" in sys.argv:
        limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 200
        print("diffview from", Path(diffview.__file__).parent, file=sys.stderr)
        versions = Path(sys.argv[sys.argv.index("--versions") + 1])
        data = json.dumps(corpus_dump(versions, limit), ensure_ascii=False, indent=0).encode()
        out.write_bytes(data)
        print(f"{limit} documents, sha256 {hashlib.sha256(data).hexdigest()[:16]}")
        return
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 13
    k = int(sys.argv[sys.argv.index("--variants") + 1]) if "--variants" in sys.argv else 20
    print("diffview from", Path(diffview.__file__).parent, file=sys.stderr)
    corpus = load_corpus()
    dump: dict[str, object] = {}
    by_doc = {d.id: corpus.of(d.id) for d in corpus.documents}
    for doc in corpus.documents:
        st = list(by_doc[doc.id])
        dump[f"bundled/{doc.id}.json"] = storefiles.statements_json(doc, st).decode()
        dump[f"bundled/{doc.id}.md"] = storefiles.document_markdown(doc, st, doc.round).decode()
        dump[f"bundled/{doc.id}.sentences"] = sha(storefiles.sentences_json(st))
        dump[f"bundled/{doc.id}.claims"] = sha(storefiles.claims_file(st))
    template = corpus.documents[0]
    inputs = [(d.source, load_source(BUNDLED_VERSIONS / d.source)[1]) for d in corpus.documents]
    for path in sorted((ROOT / "tests" / "fixtures").iterdir()):
        inputs.append((path.name, load_source(path)[1]))
    rng = random.Random(seed)
    for name, text in inputs:
        doc = dataclasses.replace(template, source=name)
        dump[f"input/{name}"] = outcome(doc, text)
        for v in range(k):
            dump[f"input/{name}/{seed}-{v}"] = outcome(doc, perturb(text, rng))
    data = json.dumps(dump, ensure_ascii=False, indent=0, sort_keys=True).encode()
    out.write_bytes(data)
    errors = sum(
        isinstance(v, str) and not k.startswith(("bundled", "topic")) for k, v in dump.items()
    )
    print(
        f"{len(dump)} entries ({errors} refusals), sha256 {hashlib.sha256(data).hexdigest()[:16]}"
    )


if __name__ == "__main__":
    main()
