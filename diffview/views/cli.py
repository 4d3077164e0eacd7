"""`diffview` command line: a thin view over the core's public functions.

Every sub-command parses its arguments, calls the core, and prints. Errors the user can fix
(`DiffviewError`) become one line on stderr and exit status 2, like diff(1); `compare`
exits 0 when the versions are equal and 1 when they differ.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from diffview.errors import DiffviewError
from diffview.sanitize import sanitize_line
from diffview.views.commands import EXIT_SAME, EXIT_TROUBLE, cmd_tui
from diffview.views.parser import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func = getattr(args, "func", cmd_tui)
    try:
        return func(args)
    except DiffviewError as error:
        print(f"diffview: {sanitize_line(str(error))}", file=sys.stderr)
        return EXIT_TROUBLE
    except BrokenPipeError:  # `diffview log X | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        return EXIT_SAME
    except OSError as error:  # unwritable output, read-only store, full disk: one line too
        where = f"{error.filename}: " if error.filename else ""
        print(f"diffview: {sanitize_line(where + (error.strerror or str(error)))}", file=sys.stderr)
        return EXIT_TROUBLE
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug or a library error: exit 2, one line
        # Exit 1 would mean "differences" for compare; a traceback is not for users.
        if os.environ.get("DIFFVIEW_DEBUG"):
            raise
        text = " ".join(str(error).split())[:300]
        print(
            f"diffview: unexpected error ({type(error).__name__}): {sanitize_line(text)} "
            "(DIFFVIEW_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_TROUBLE


if __name__ == "__main__":
    sys.exit(main())
