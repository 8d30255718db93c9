"""Reports that compare corridor options: tables, maps, a chart over time, assumptions and sources.

:func:`build_report` computes everything; :func:`write_report` writes a report folder
(``report.md``, a self-contained ``report.html``, ``options.csv``, ``routes.geojson``, maps as
PNG and SVG, the chart over time) through a temporary folder, so a failed run never leaves a
half-written report and never replaces a good one.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from corridors import __version__
from corridors.data import data_dir
from corridors.network import Network
from corridors.options import Evaluation, OptionsFile, evaluate_options, option_timeline
from corridors.output import atomic_folder, save_figure
from corridors.params import Parameters, load_parameters

__all__ = ["Report", "build_report", "data_version", "write_report"]

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


def data_version(folder: Path | None = None) -> str:
    """A short fingerprint of the shipped data files (SHA-256 of their bytes), for reports.

    Examples
    --------
    >>> len(data_version())
    12
    """
    folder = folder or data_dir()
    h = hashlib.sha256()
    for name in ("stations.geojson", "segments.geojson", "parameters.toml", "countries.geojson"):
        p = folder / name
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()[:12]


@dataclass
class Report:
    """Everything a comparison report holds, before it is written."""

    options_file: OptionsFile
    evaluations: list[Evaluation]
    table: pd.DataFrame
    timeline: pd.DataFrame
    verdicts: list[str]
    command: str
    generated: str
    version: str
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    assumptions: list[dict[str, str]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def _countries(r: Any) -> str:
    return "; ".join(f"{c} {km / r.km:.0%}" for c, km in r.km_by_country.items())


def _depends(ev: Evaluation) -> str:
    parts = []
    for d in ev.depends_on:
        text = f"{d['segment']} ({d['status']}, expected {d['expected_opening']}"
        if d.get("scenario_assumes_open_from"):
            text += f"; scenario assumes open from {d['scenario_assumes_open_from']}"
        parts.append(text + ")")
    return "; ".join(parts)


def _metric(ev: Evaluation) -> tuple[str, float, str]:
    r = ev.route
    assert r is not None
    by = ev.option.by
    if by == "time":
        return "days", r.hours / 24, "days"
    if by == "distance":
        return "km", r.km, "km"
    if by == "cost":
        return "cost", r.cost, r.cost_unit
    return "generalized", r.generalized, r.cost_unit


def _table(evals: list[Evaluation]) -> tuple[pd.DataFrame, list[str]]:
    rows = []
    for ev in evals:
        r = ev.route
        row: dict[str, Any] = {
            "option": ev.option.name,
            "date": ev.on.isoformat(),
            "criterion": ev.option.by,
            "exists": r is not None,
        }
        if r is not None:
            row |= {
                "km": round(r.km, 0),
                "hours": round(r.hours, 1),
                "days": round(r.hours / 24, 1),
                "cost_usd_per_teu": round(r.cost, 0),
                "generalized": round(r.generalized, 0),
                "border_crossings": len(r.borders),
                "gauge_changes": len(r.gauge_changes),
                "countries": _countries(r),
                "depends_on": "",
                "depends_on_count": 0,
            }
        else:
            row |= {
                "km": None,
                "hours": None,
                "days": None,
                "cost_usd_per_teu": None,
                "generalized": None,
                "border_crossings": None,
                "gauge_changes": None,
                "countries": "",
                "depends_on": _depends(ev) or "no route even with every segment in the data built",
                "depends_on_count": len(ev.depends_on),
            }
        rows.append(row)
    table = pd.DataFrame(rows).sort_values(["date"], kind="stable").reset_index(drop=True)
    table["rank"] = None
    table["best"] = False
    table["margin_over_next"] = ""
    verdicts = []
    for on, group in table.groupby("date", sort=True):
        evs = [ev for ev in evals if ev.on.isoformat() == on and ev.route is not None]
        if not evs:
            verdicts.append(f"On {on} no option has a rail route.")
            continue
        crits = {ev.option.by for ev in evs}
        if len(crits) > 1:
            verdicts.append(f"On {on} options use different criteria ({', '.join(sorted(crits))}); not ranked.")
            continue
        ranked = sorted(evs, key=lambda e: _metric(e)[1])
        for i, ev in enumerate(ranked, 1):
            idx = group.index[group["option"] == ev.option.name][0]
            table.loc[idx, "rank"] = i
        best = ranked[0]
        idx = group.index[group["option"] == best.option.name][0]
        table.loc[idx, "best"] = True
        _, value, unit = _metric(best)
        if len(ranked) > 1:
            _, nxt, _ = _metric(ranked[1])
            gap = nxt - value
            pct = 100 * gap / nxt if nxt else 0.0
            margin = f"{gap:,.1f} {unit} ({pct:.0f} %) better than {ranked[1].option.name}"
            table.loc[idx, "margin_over_next"] = margin
            verdicts.append(f"On {on}, best by {best.option.by}: {best.option.name} ({value:,.1f} {unit}), {margin}.")
        else:
            verdicts.append(f"On {on}, only {best.option.name} has a rail route ({value:,.1f} {unit}).")
        missing = [ev.option.name for ev in evals if ev.on.isoformat() == on and ev.route is None]
        if missing:
            verdicts[-1] += f" No route yet: {', '.join(missing)}."
    table["_r"] = pd.to_numeric(table["rank"]).fillna(99)
    table = table.sort_values(["date", "_r"], kind="stable").drop(columns="_r").reset_index(drop=True)
    return table, verdicts


def _sources(net: Network, evals: list[Evaluation]) -> pd.DataFrame:
    used: dict[str, None] = {}
    for ev in evals:
        if ev.route is not None:
            used.update(dict.fromkeys(ev.route.segments))
        for d in ev.depends_on:
            used[d["segment"]] = None
    seg = net.segments.set_index("id")
    rows = []
    for sid in used:
        if sid in seg.index:
            rec = seg.loc[sid]
            rows.append(
                {
                    "segment": sid,
                    "name": rec["name"] or sid,
                    "status": rec["status"],
                    "opened": rec["opened"] or "",
                    "expected_opening": rec["expected_opening"] or "",
                    "estimated": ", ".join(rec["estimated"]),
                    "source": rec["source"],
                    "source_url": " ".join(rec["source_url"] or []),
                }
            )
        else:
            rows.append(
                {
                    "segment": sid,
                    "name": sid,
                    "status": "added by scenario",
                    "opened": "",
                    "expected_opening": "",
                    "estimated": "",
                    "source": "scenario file",
                    "source_url": "",
                }
            )
    return pd.DataFrame(rows)


def _assumptions(evals: list[Evaluation], params: Parameters) -> list[dict[str, str]]:
    raw = params.tables()
    out: list[dict[str, str]] = []
    seen: set[str] = set()

    def add(key: str, value: str, table: dict[str, Any]) -> None:
        if key in seen:
            return
        seen.add(key)
        src = table.get("source") or ""
        out.append(
            {
                "parameter": key,
                "value": value,
                "assumption": "yes" if table.get("assumption") else "no",
                "source": str(src),
                "source_url": str(table.get("source_url") or ""),
                "note": str(table.get("note") or ""),
            }
        )

    countries: set[str] = set()
    for ev in evals:
        r = ev.route
        if r is None:
            continue
        countries |= set(r.km_by_country)
        for b in r.borders:
            key = b.parameter
            parts = key.split(".")
            table = raw["border"]
            for p in parts[1:]:
                table = table[p]
            add(key, f"{b.dwell_h:g} h, {b.fee:g} USD", table)
        for g in r.gauge_changes:
            add(f"gauge_change.{g.method}", f"{g.time_h:g} h, {g.cost:g} USD", raw["gauge_change"][g.method])
    for c in sorted(countries):
        sp = raw["speed"].get("by_country", {}).get(c, raw["speed"]["default"])
        add(
            f"speed.{'by_country.' + c if c in raw['speed'].get('by_country', {}) else 'default'}",
            f"{sp['kmh']:g} km/h",
            sp,
        )
        tr = raw["tariff"].get("by_country", {}).get(c, raw["tariff"]["default"])
        add(
            f"tariff.{'by_country.' + c if c in raw['tariff'].get('by_country', {}) else 'default'}",
            f"{tr['usd_per_km']:g} USD per TEU-km",
            tr,
        )
    if "planned" in raw["speed"].get("by_status", {}):
        add(
            "speed.by_status.planned",
            f"{raw['speed']['by_status']['planned']['kmh']:g} km/h",
            raw["speed"]["by_status"]["planned"],
        )
    add("value_of_time", f"{raw['value_of_time']['usd_per_h']:g} USD per TEU-hour", raw["value_of_time"])
    add("routing.length_basis", str(raw["routing"]["length_basis"]["value"]), raw["routing"]["length_basis"])
    for ev in evals:
        s = ev.option.scenario
        if s is not None:
            for a in s.assumptions():
                before = len(out)
                add(f"scenario '{s.name}': {a}", a, {"assumption": True, "source": s.why})
                if len(out) > before:
                    out[-1]["parameter"] = f"scenario '{s.name}'"
    return out


def build_report(
    net: Network,
    options_file: OptionsFile,
    *,
    command: str | None = None,
    progress: Progress | None = None,
    params_path: str | Path | None = None,
) -> Report:
    """Evaluate every option on every date and assemble the report's contents.

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.data import get_path
    >>> from corridors.options import load_options
    >>> net = load_network()
    >>> rep = build_report(net, load_options(get_path("options/tajikistan_gulf.toml"), net))
    >>> bool(rep.table["best"].any())
    True
    """
    evals = evaluate_options(net, options_file.options, options_file.dates, progress=progress, params_path=params_path)
    table, verdicts = _table(evals)
    end = max([ev.on for ev in evals] or [date.today()])
    timelines = []
    for opt in options_file.options:
        if progress:
            progress(f"timeline: {opt.name}")
        timelines.append(option_timeline(net, opt, options_file.start, end, params_path=params_path))
    tl = pd.concat(timelines, ignore_index=True) if timelines else pd.DataFrame()
    cmd = command or "corridors " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    return Report(
        options_file=options_file,
        evaluations=evals,
        table=table,
        timeline=tl,
        verdicts=verdicts,
        command=cmd,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=data_version(),
        sources=_sources(net, evals),
        assumptions=_assumptions(evals, load_parameters(params_path)),
        names=dict(zip(net.stations["id"], net.stations["name"], strict=True)),
    )


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def _slug(text: str) -> str:
    keep = "".join(c.lower() if c.isalnum() else "_" for c in text)
    return "_".join(p for p in keep.split("_") if p)[:60] or "option"


def _md_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for rec in df.to_dict("records"):
        lines.append("| " + " | ".join(_cell(rec[c]).replace("|", "\\|") for c in cols) + " |")
    return "\n".join(lines)


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 100:
            return f"{v:.0f}"
        return f"{v:,.1f}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def _shown(table: pd.DataFrame) -> pd.DataFrame:
    """The summary table as displayed: the dependency list shortened to a count (listed below it)."""
    out = table[[c for c in _SHOWN if c in table.columns]].copy()
    counts = table.get("depends_on_count", pd.Series(0, index=table.index)).fillna(0)
    out["depends_on"] = [
        f"{int(n)} segment(s) not yet open (listed below)" if n else d
        for d, n in zip(out["depends_on"], counts, strict=True)
    ]
    return out.rename(columns=_HEADERS)


#: Column headers for readers (options.csv keeps the machine names).
_HEADERS = {
    "option": "option",
    "date": "date",
    "exists": "route exists",
    "km": "km",
    "days": "days",
    "cost_usd_per_teu": "cost (USD/TEU)",
    "border_crossings": "borders",
    "gauge_changes": "gauge changes",
    "countries": "countries (share of km)",
    "rank": "rank",
    "best": "best",
    "margin_over_next": "margin over next",
    "depends_on": "depends on",
}


def _dependencies(rep: Report) -> list[tuple[str, list[str]]]:
    out = []
    for ev in rep.evaluations:
        if ev.route is None:
            items = []
            for d in ev.depends_on:
                text = (
                    f"{d['name']} ({d['segment']}): {d['status'].replace('_', ' ')}, expected {d['expected_opening']}"
                )
                if d.get("scenario_assumes_open_from"):
                    text += f"; the scenario assumes it open from {d['scenario_assumes_open_from']}"
                items.append(text)
            out.append((f"{ev.option.name}, {ev.on.isoformat()}", items or [ev.reason]))
    return out


def _html_table(df: pd.DataFrame, *, link_col: str | None = None) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns if c != link_col)
    body = []
    for rec in df.to_dict("records"):
        cells = []
        for c in df.columns:
            if c == link_col:
                continue
            text = html.escape(_cell(rec[c]))
            if c == "source" and link_col and str(rec.get(link_col, "")).startswith(("http://", "https://")):
                text = f'<a href="{html.escape(rec[link_col], quote=True)}">{text}</a>'
            classes = ["best"] if rec.get("best") is True else []
            if (isinstance(rec[c], int | float) and not isinstance(rec[c], bool)) or c == "date":
                classes.append("nowrap")  # numbers and dates never break inside
            cls = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{cls}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<div class='scroll'><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"


_CSS = """
body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
 color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ccc;padding-bottom:.2em}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.8em;margin:.6em 0;width:100%}
td{overflow-wrap:break-word}td.nowrap{white-space:nowrap}
th,td{border:1px solid #ccc;padding:.3em .45em;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.best{background:#e8f4ea;font-weight:bold}
img{max-width:100%;height:auto;border:1px solid #ddd;margin:.4em 0}
.meta{color:#555;font-size:.88em}code{background:#f4f4f4;padding:.1em .3em}
@media print{body{max-width:none;margin:0}h2{page-break-after:avoid}img,table{page-break-inside:avoid}a{color:#000}}
"""


def write_report(
    report: Report,
    net: Network,
    out: str | Path,
    *,
    force: bool = False,
    dpi: int = 200,
    progress: Progress | None = None,
) -> Path:
    """Write the report folder (see the module docstring) atomically.

    Raises
    ------
    corridors.output.OutputExistsError
        If ``out`` exists and ``force`` is False.
    """
    from corridors.charts import plot_timeline
    from corridors.plot import plot_routes

    of = report.options_file
    images: dict[str, Path] = {}
    with atomic_folder(out, force=force, command=report.command) as tmp:
        report.table.to_csv(tmp / "options.csv", index=False)
        feats = []
        for ev in report.evaluations:
            if ev.route is not None:
                g = ev.route.to_geodataframe().assign(option=ev.option.name, date=ev.on.isoformat())
                feats.append(g)
        if feats:
            gdf = gpd.GeoDataFrame(pd.concat(feats, ignore_index=True), geometry="geometry", crs="EPSG:4326")
            gdf.to_file(tmp / "routes.geojson", driver="GeoJSON")
        # A map per option (its route on the latest date it exists), and all options together.
        latest: dict[str, Evaluation] = {}
        for ev in report.evaluations:
            if ev.route is not None:
                latest[ev.option.name] = ev
        for name, ev in latest.items():
            if progress:
                progress(f"map: {name}")
            assert ev.route is not None
            fig, _ = plot_routes(
                net,
                [ev.route],
                names=[name],
                as_of=ev.on,
                title=name,
                subtitle=f"best route by {ev.option.by}, {ev.route.network}",
            )
            stem = f"map_{_slug(name)}"
            images[f"{name} ({ev.on.isoformat()})"] = save_figure(fig, tmp / f"{stem}.png", dpi=dpi)
            fig, _ = plot_routes(net, [ev.route], names=[name], as_of=ev.on, title=name)
            save_figure(fig, tmp / f"{stem}.svg")
        if latest:
            if progress:
                progress("map: all options")
            evs = list(latest.values())
            fig, _ = plot_routes(
                net,
                [e.route for e in evs if e.route is not None],
                names=list(latest),
                title=of.title,
                subtitle="each option on the latest date it has a route",
            )
            images = {"All options": save_figure(fig, tmp / "map_all_options.png", dpi=dpi)} | images
            fig, _ = plot_routes(
                net,
                [e.route for e in evs if e.route is not None],
                names=list(latest),
                title=of.title,
                subtitle="each option on the latest date it has a route",
            )
            save_figure(fig, tmp / "map_all_options.svg")
        chart = None
        if not report.timeline.empty:
            report.timeline.to_csv(tmp / "timeline.csv", index=False)
            fig, _ = plot_timeline(
                report.timeline,
                metric="days",
                group="option",
                title="Options over time: transit time of the best route",
            )
            chart = save_figure(fig, tmp / "options_over_time.png", dpi=dpi)
            fig, _ = plot_timeline(
                report.timeline,
                metric="days",
                group="option",
                title="Options over time: transit time of the best route",
            )
            save_figure(fig, tmp / "options_over_time.svg")
        report.sources.to_csv(tmp / "sources.csv", index=False)
        pd.DataFrame(report.assumptions).to_csv(tmp / "assumptions.csv", index=False)
        (tmp / "report.md").write_text(_markdown(report, images, chart), encoding="utf-8")
        (tmp / "report.html").write_text(_html(report, images, chart), encoding="utf-8")
        (tmp / "report.json").write_text(
            json.dumps(
                {
                    "title": of.title,
                    "generated": report.generated,
                    "data_version": report.version,
                    "corridors_version": __version__,
                    "command": report.command,
                    "verdicts": report.verdicts,
                    "options_file": of.path,
                },
                indent=1,
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
    return Path(out)


_SHOWN = [
    "option",
    "date",
    "exists",
    "km",
    "days",
    "cost_usd_per_teu",
    "border_crossings",
    "gauge_changes",
    "countries",
    "rank",
    "best",
    "margin_over_next",
    "depends_on",
]


def _markdown(rep: Report, images: dict[str, Path], chart: Path | None) -> str:
    of = rep.options_file
    parts = [
        f"# {of.title}",
        "",
        of.description,
        "",
        f"*Generated {rep.generated} by corridors {__version__}; data version {rep.version}.*",
        "",
        "## Verdict",
        "",
        *[f"- {v}" for v in rep.verdicts],
        "",
        "## Options compared",
        "",
        *[f"- **{o.name}**: {o.describe(rep.names)}" + (f" — {o.note}" if o.note else "") for o in of.options],
        "",
        "## Summary table",
        "",
        _md_table(_shown(rep.table)),
        "",
    ]
    deps = _dependencies(rep)
    if deps:
        parts += ["### Where an option has no route yet, it depends on", ""]
        for head, items in deps:
            parts += [f"**{head}**", "", *[f"- {i}" for i in items], ""]
    parts += ["## Maps", ""]
    parts += [f"![{name}]({p.name})" for name, p in images.items()] or ["No option has a route to map."]
    if chart is not None:
        parts += ["", "## Options over time", "", f"![Options over time]({chart.name})"]
    parts += [
        "",
        "## Assumptions",
        "",
        _md_table(pd.DataFrame(rep.assumptions)) if rep.assumptions else "None.",
        "",
        "## Sources of the segments on the compared routes",
        "",
        _md_table(rep.sources) if not rep.sources.empty else "None.",
        "",
        "## How to regenerate",
        "",
        f"```\n{rep.command}\n```",
        "",
        f"Options file: `{of.path}`. Data: `geodata/` (version {rep.version}).",
        "",
    ]
    return "\n".join(parts)


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<figure><img alt="{html.escape(alt, quote=True)}" src="data:image/png;base64,{data}"></figure>'


def _html(rep: Report, images: dict[str, Path], chart: Path | None) -> str:
    of = rep.options_file
    e = html.escape
    opts = "".join(
        f"<li><b>{e(o.name)}</b>: {e(o.describe(rep.names))}" + (f" — {e(o.note)}" if o.note else "") + "</li>"
        for o in of.options
    )
    body = [
        f"<h1>{e(of.title)}</h1>",
        f"<p>{e(of.description)}</p>",
        f'<p class="meta">Generated {e(rep.generated)} by corridors {e(__version__)}; data version '
        f"<code>{e(rep.version)}</code>.</p>",
        "<h2>Verdict</h2><ul>" + "".join(f"<li>{e(v)}</li>" for v in rep.verdicts) + "</ul>",
        f"<h2>Options compared</h2><ul>{opts}</ul>",
        "<h2>Summary table</h2>" + _html_table(_shown(rep.table)),
        "".join(
            f"<h3>{e(head)}: depends on</h3><ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>"
            for head, items in _dependencies(rep)
        ),
        "<h2>Maps</h2>" + ("".join(_img(p, n) for n, p in images.items()) or "<p>No option has a route.</p>"),
    ]
    if chart is not None:
        body.append("<h2>Options over time</h2>" + _img(chart, "Options over time"))
    body += [
        "<h2>Assumptions</h2>"
        + (_html_table(pd.DataFrame(rep.assumptions), link_col="source_url") if rep.assumptions else "<p>None.</p>"),
        "<h2>Sources of the segments on the compared routes</h2>"
        + (_html_table(rep.sources, link_col="source_url") if not rep.sources.empty else "<p>None.</p>"),
        f"<h2>How to regenerate</h2><pre><code>{e(rep.command)}</code></pre>"
        f'<p class="meta">Options file: <code>{e(of.path)}</code>. Data: <code>geodata/</code> '
        f"(version {e(rep.version)}).</p>",
    ]
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{e(of.title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )
