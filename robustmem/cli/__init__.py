"""The ``robustmem`` command line: demo, build, verify, certify, export, bounds, proofs, compare, reproduce, datasets,
width.

Every command prints what it did and where it wrote its files.  Each command lives in its own module with a
``register(sub)`` that adds its parser; :func:`make_parser` assembles them and :func:`main` runs one, turning the
package's errors into a one-line message and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from robustmem.cli import build, certify, checks, experiments, export, info, width
from robustmem.errors import RobustMemError

__all__ = ["main", "make_parser"]

#: what ``robustmem --help`` says first
DESCRIPTION = (
    "Build, verify and certify ReLU networks that robustly memorize a dataset (Egosi, Yehudai, Shamir, COLT 2025). "
    "Every command prints what it did and where it wrote its files."
)

#: the command modules, in the order ``robustmem --help`` lists their commands
COMMANDS = (checks, build, certify, export, info, experiments, width)


def make_parser() -> argparse.ArgumentParser:
    from robustmem import __version__

    ap = argparse.ArgumentParser(prog="robustmem", description=DESCRIPTION)
    ap.add_argument("--version", action="version", version=f"robustmem {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except RobustMemError as exc:
        print(f"robustmem {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:  # a missing input file is a user error, not a crash
        what = f"no such file: {exc.filename}" if exc.filename is not None else str(exc)
        print(f"robustmem {args.command}: error: {what}", file=sys.stderr)
        return 2
    except OSError as exc:  # a directory given as a file, no permission, a full disk: name the path and the cause
        where = f": {exc.filename}" if exc.filename is not None else ""
        print(f"robustmem {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
