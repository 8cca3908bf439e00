"""mkdocs hooks: pages quote the command line's own help and the committed results files.

Two directives, each an HTML comment alone on a line of a page:

* ``<!-- cli-help: build -->`` is replaced by ``robustmem build --help`` (``<!-- cli-help: -->`` by
  ``robustmem --help``), generated from :func:`robustmem.cli.make_parser` when the site is built, so the
  command-line page cannot fall behind the parser;
* ``<!-- include: results/compare_kim2025_hard.md -->`` is replaced by that file of the repository (the
  table an experiment or ``robustmem compare`` wrote), so the page shows the committed numbers.

A directive that names an unknown command or a missing file stops the build with an error.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parent.parent
_CLI = re.compile(r"^<!-- cli-help:\s*([a-z-]*)\s*-->$", re.MULTILINE)
_INCLUDE = re.compile(r"^<!-- include:\s*(\S+)\s*-->$", re.MULTILINE)


def cli_help(command: str) -> str:
    """The ``--help`` text of ``robustmem COMMAND`` (of ``robustmem`` itself for an empty name), 100 columns wide."""
    from robustmem.cli import make_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parser = make_parser()
        if command:
            sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            if command not in sub.choices:
                raise ValueError(f"docs: unknown robustmem command {command!r} in a cli-help directive")
            parser = sub.choices[command]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            parser.print_help()
        return out.getvalue().rstrip()
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def include(relative: str) -> str:
    """The text of the repository file ``relative``, without its HTML comment lines."""
    path = (_ROOT / relative).resolve()
    if _ROOT not in path.parents or not path.is_file():
        raise ValueError(f"docs: include directive names {relative!r}, which is not a file of the repository")
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("<!--")).strip()


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    markdown = _CLI.sub(lambda m: "```text\n" + cli_help(m.group(1)) + "\n```", markdown)
    return _INCLUDE.sub(lambda m: include(m.group(1)), markdown)
