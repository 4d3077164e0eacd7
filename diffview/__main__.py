"""`python -m diffview`: the `diffview` command."""

from diffview.views.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
