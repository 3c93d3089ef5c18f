"""Write one benchmark's section of docs/benchmarks.md, leaving the other sections as they are."""

from __future__ import annotations

from pathlib import Path


def replace_section(path: Path, start: str, end: str, lines: list[str]) -> None:
    """Replace the text between the ``start`` and ``end`` markers (both in ``lines``), or append
    the section when the file does not have it yet."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if start in text:
        head, rest = text.split(start, 1)
        tail = rest.split(end, 1)[1] if end in rest else ""
        text = head + "\n".join(lines) + tail
    else:
        text = text.rstrip() + "\n\n" + "\n".join(lines) + "\n"
    path.write_text(text)
