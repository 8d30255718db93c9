"""The comparison report as one self-contained HTML page (``report.html``).

Rendered from a Jinja2 template shipped with the package (``templates/report.html.j2``) with
autoescaping: every text from the data is escaped. Images are inlined as data URIs and the
interactive map's script (``templates/map.js``) is inlined, so the page makes no request to
any host. Print CSS lays the page out on A4 landscape with every table column on the page.
"""

from __future__ import annotations

import base64
import functools
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from corridors import __version__
from corridors.network import Network
from corridors.report import Report, dependencies, display_path, format_cell, shown_table, split_urls

__all__ = ["html_table", "link_text", "render_html"]


@functools.cache
def _template_text(name: str) -> str:
    return resources.files("corridors").joinpath("templates", name).read_text(encoding="utf-8")


def _env() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def link_text(url: str) -> str:
    """A short text for a link: the host and the start of the path.

    Examples
    --------
    >>> link_text("https://www.railwaygazette.com/infrastructure/some-long-article-name/67173.article")
    'railwaygazette.com/infrastructure/s…'
    """
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/")
    text = host + path
    return text if len(text) <= 36 else text[:35] + "…"


def _links(value: Any) -> Markup:
    out = []
    for url in split_urls(value):
        if url.startswith(("http://", "https://")):
            out.append(Markup('<a href="{}">{}</a>').format(url, link_text(url)))
        else:
            out.append(Markup("<span>{}</span>").format(url))
    return Markup("").join(out)


def html_table(df: pd.DataFrame, *, url_col: str | None = None) -> Markup:
    """A table as HTML: data escaped, numbers and dates unbroken, each URL its own link.

    Parameters
    ----------
    df
        The table as displayed (reader headers).
    url_col
        A column of URLs (lists, or strings of URLs joined by ``;``) shown as a ``links``
        column with one ``<a href>`` per URL.

    Examples
    --------
    >>> t = html_table(pd.DataFrame({"a": ["<b>"], "u": ["https://x.org/1 ; https://y.org/2"]}), url_col="u")
    >>> t.count("<a href="), "&lt;b&gt;" in t
    (2, True)
    """
    cols = [c for c in df.columns if c != url_col]
    head = Markup("").join(Markup("<th>{}</th>").format(c) for c in cols)
    if url_col:
        head += Markup("<th>links</th>")
    rows = []
    for rec in df.to_dict("records"):
        cells = []
        for c in cols:
            v = rec[c]
            classes = ["best"] if rec.get("best") is True else []
            if isinstance(v, int | float) and not isinstance(v, bool):
                classes += ["nowrap", "num"]
            elif c == "date":
                classes.append("nowrap")  # numbers and dates never break inside
            cls = Markup(' class="{}"').format(" ".join(classes)) if classes else Markup("")
            cells.append(Markup("<td{}>{}</td>").format(cls, format_cell(v)))
        if url_col:
            cells.append(Markup('<td class="links">{}</td>').format(_links(rec.get(url_col))))
        rows.append(Markup("<tr>{}</tr>").format(Markup("").join(cells)))
    body = Markup("").join(rows)
    return Markup("<div class='scroll'><table><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>").format(
        head, body
    )


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def render_html(rep: Report, images: dict[str, Path], chart: Path | None, *, net: Network | None = None) -> str:
    """The report page. With ``net``, it carries the interactive map (see :mod:`corridors.report_map`).

    Returns
    -------
    str
        The HTML document.
    """
    of = rep.options_file
    map_svg: Markup | None = None
    layers: list[Any] = []
    if net is not None:
        from corridors.report_map import interactive_map_svg

        svg, layers = interactive_map_svg(net, rep.evaluations)
        map_svg = Markup(svg)  # built from escaped parts in report_map
    assumptions = (
        html_table(pd.DataFrame(rep.assumptions), url_col="source_url") if rep.assumptions else Markup("<p>None.</p>")
    )
    sources = html_table(rep.sources, url_col="source_url") if not rep.sources.empty else Markup("<p>None.</p>")
    template = _env().from_string(_template_text("report.html.j2"))
    return template.render(
        title=of.title,
        description=of.description,
        generated=rep.generated,
        version=__version__,
        data_version=rep.version,
        verdicts=rep.verdicts,
        options=[{"name": o.name, "text": o.describe(rep.names), "note": o.note} for o in of.options],
        summary=html_table(shown_table(rep.table)),
        dependencies=dependencies(rep),
        map_svg=map_svg,
        layers=layers,
        images=[(name, _b64(p)) for name, p in images.items()],
        chart=_b64(chart) if chart is not None else None,
        assumptions=assumptions,
        sources=sources,
        command=rep.command,
        options_path=display_path(of.path),
        css=Markup(_template_text("report.css")),
        script=Markup(_template_text("map.js")),
        escape=escape,
    )
