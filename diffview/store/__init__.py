"""The git-backed store: one commit per document, tags per document and round, a reading API.

Why git: every position the cabinet took is a commit whose date is the document's date, so
plain `git log`, `git show` and `git diff round-2023-10 round-2024-10 -- topics/x.md` answer
"what changed" without diffview. Why it is built the way it is:

* **Determinism.** All objects (blobs, trees, commits, annotated tags) are serialised here
  byte for byte with a fixed author/tagger and the document's date at noon UTC, so the same
  sources always give the same commit ids, and "nothing changed" is a comparison of refs.
* **Speed.** Objects are planned (hashed) in memory, so "unchanged" costs no write, then
  stored as loose objects through gitdb, GitPython's object database; no index, no `git
  commit`, no hooks. Two `git` processes per build remain: `git init` and one atomic
  `update-ref --stdin` transaction (GitPython has no compare-and-swap). The work tree and
  index are written in Python (worktree.py).
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
the objects, `git.py` and `write.py` write them and move the refs, `read.py` reads them back.
"""
