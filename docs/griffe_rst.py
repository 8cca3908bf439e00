"""A griffe extension that lets mkdocstrings render robustmem's docstrings as written.

The docstrings are plain text with a few reStructuredText habits: roles such as :func:`name`,
double-backtick literals, and doctest examples (``>>>`` lines) that follow the prose without an
"Examples" heading.  Markdown would read ``>>>`` as a block quote and doctest output such as
``[[0, 2], [1, 3]]`` as reference links, so this extension rewrites each docstring before it is
parsed (numpy style):

* :role:`target` and :role:`~target` become the code span `target`;
* reStructuredText simple tables (rows framed by ``====  ====`` rules) become fenced text blocks, so
  their columns stay aligned;
* the first run of doctest lines gets an "Examples" section heading when the docstring has none,
  so griffe renders the examples as highlighted code.

Nothing in the package imports this file; mkdocs.yml loads it (``extensions: [docs/griffe_rst.py]``).
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

_ROLE = re.compile(r":(?:func|class|meth|mod|attr|data|exc|obj|const):`~?([^`]+)`")
_HEADING = re.compile(r"^\s*Examples?\s*\n\s*-+\s*$", re.MULTILINE)
_RULE = re.compile(r"^\s*=+(\s+=+)+\s*$")


def fence_tables(lines: list[str]) -> list[str]:
    """``lines`` with every reStructuredText simple table inside a ```text fence.

    A table starts at a ``====  ====`` rule and ends at the next rule that is followed by a blank line or
    by the end of the text (a header underline is followed by the rows).
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        end = _table_end(lines, i) if _RULE.match(lines[i]) else None
        if end is None:
            out.append(lines[i])
            i += 1
            continue
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        out += ["", indent + "```text", *lines[i : end + 1], indent + "```", ""]
        i = end + 1
    return out


def _table_end(lines: list[str], start: int) -> int | None:
    for j in range(start + 1, len(lines)):
        if _RULE.match(lines[j]) and (j + 1 == len(lines) or not lines[j + 1].strip()):
            return j
    return None


def rewrite_docstring(text: str) -> str:
    """The docstring ``text`` with RST roles turned into code spans and its doctests under a heading."""
    text = _ROLE.sub(lambda m: f"`{m.group(1)}`", text)
    lines = fence_tables(text.split("\n"))
    text = "\n".join(lines)
    if _HEADING.search(text):
        return text
    for i, line in enumerate(lines):
        if line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            heading = [indent + "Examples", indent + "--------"]
            if i > 0 and lines[i - 1].strip():
                heading.insert(0, "")
            return "\n".join(lines[:i] + heading + lines[i:])
    return text


class RstDocstrings(Extension):
    """Rewrite every docstring with :func:`rewrite_docstring` as soon as griffe creates its object."""

    def on_instance(self, *, obj: Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite_docstring(obj.docstring.value)
