"""The git-backed store: one commit per document, tags per document and round, a reading API.

Why git: every position the cabinet took is a commit whose date is the document's date, so
plain `git log`, `git show` and `git diff round-2023-10 round-2024-10 -- topics/x.md` answer
"what changed" without diffview. Why it is built the way it is:

* **Determinism.** All objects (blobs, trees, commits, annotated tags) are serialised here
  byte for byte with a fixed author/tagger and the document's date at noon UTC, so the same
  sources always give the same commit ids, and "nothing changed" is a comparison of refs.
* **Speed.** Objects are planned (hashed) in memory, one commit at a time on a tree kept in
  memory (`tree.py`), so "unchanged" costs no write and a commit costs what its document
  changes; they are streamed to one `git fast-import` as they are planned (`fastimport.py`:
  one pack, compressed in C on the other core, ids checked against the plan), into a scratch
  directory so that only one atomic `update-ref --stdin` transaction moves refs. No `git
  commit`, no hooks. The store is its own parse cache (statements keyed by the source's
  sha256, and the rules digest kept beside the objects, never committed), and an append
  plans from the stored head (`head.py`). Only small files are checked out; the index is
  written in Python (worktree.py).
* **Readable diffs.** The markdown files hold one sentence per line, and `.gitattributes`
  selects git's markdown diff driver, so `git diff`/`git log -p` show changed sentences
  under the heading of their statement.
* **Safety.** A rebuild writes a new repository beside the old one and swaps directories;
  appending a document writes objects and moves refs in one compare-and-swap transaction.
  Both hold a lock file, and build reads versions/ only under it. The store's own config is
  untrusted: no work-tree command runs on it (no filter, `core.worktree` or fsmonitor can
  apply), and every git process gets no system/global config, no caller GIT_* variables and
  `-c` overrides for every program hook. Ref names are validated; document text never
  reaches a git command line.

What the files and messages say is `files.py`; the lock is `lock.py`; `plan.py` plans
the objects, `head.py` reads a stored head to plan on from it, `fastimport.py`, `git.py` and
`write.py` write them and move the refs, `swap.py` exchanges directories, `objects.py` and
`read.py` read them back.
"""
