"""The comparison report as Markdown (``report.md``), every data text escaped."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from corridors import __version__
from corridors.report import Report, dependencies, display_path, format_cell, shown_table, split_urls

__all__ = ["escape_md", "render_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def escape_md(text: object) -> str:
    r"""Escape a data text for Markdown: HTML markup as entities, Markdown syntax with backslashes.

    Examples
    --------
    >>> escape_md('<script>alert("x")</script> *bold* [a](b)')
    '&lt;script&gt;alert("x")&lt;/script&gt; \\*bold\\* \\[a\\](b)'
    """
    text = html.escape(str(text), quote=False)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("\n", " ")


def _md_table(df: pd.DataFrame, *, url_col: str | None = None) -> str:
    cols = [c for c in df.columns if c != url_col]
    header = [*cols, "links"] if url_col else cols
    lines = ["| " + " | ".join(escape_md(c) for c in header) + " |", "|" + "---|" * len(header)]
    for rec in df.to_dict("records"):
        cells = [escape_md(format_cell(rec[c])) for c in cols]
        if url_col:
            cells.append(" ".join(_md_link(u) for u in split_urls(rec.get(url_col))))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _md_link(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        return escape_md(url)
    return f"<{url.replace('>', '%3E').replace(' ', '%20')}>"


def _fence(text: str) -> str:
    ticks = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{ticks}sh\n{text}\n{ticks}"


def render_markdown(rep: Report, images: dict[str, Path], chart: Path | None) -> str:
    """The report as Markdown; images are linked by their (relative) file names."""
    of = rep.options_file
    e = escape_md
    parts = [
        f"# {e(of.title)}",
        "",
        e(of.description),
        "",
        f"*Generated {e(rep.generated)} by corridors {e(__version__)}; data version {e(rep.version)}.*",
        "",
        "## Verdict",
        "",
        *[f"- {e(v)}" for v in rep.verdicts],
        "",
        "## Options compared",
        "",
        *[f"- **{e(o.name)}**: {e(o.describe(rep.names))}" + (f" — {e(o.note)}" if o.note else "") for o in of.options],
        "",
        "## Summary table",
        "",
        _md_table(shown_table(rep.table)),
        "",
    ]
    deps = dependencies(rep)
    if deps:
        parts += ["### Where an option has no route yet, it depends on", ""]
        for head, items in deps:
            parts += [f"**{e(head)}**", "", *[f"- {e(i)}" for i in items], ""]
    parts += ["## Maps", ""]
    parts += [f"![{e(name)}]({p.name})" for name, p in images.items()] or ["No option has a route to map."]
    if chart is not None:
        parts += ["", "## Options over time", "", f"![Options over time]({chart.name})"]
    parts += [
        "",
        "## Assumptions",
        "",
        _md_table(pd.DataFrame(rep.assumptions), url_col="source_url") if rep.assumptions else "None.",
        "",
        "## Sources of the segments on the compared routes",
        "",
        _md_table(rep.sources, url_col="source_url") if not rep.sources.empty else "None.",
        "",
        "## How to regenerate",
        "",
        _fence(rep.command),
        "",
        f"Options file: `{display_path(of.path)}`. Data: `geodata/` (version {e(rep.version)}).",
        "",
    ]
    return "\n".join(parts)
