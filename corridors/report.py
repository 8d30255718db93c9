"""Reports that compare corridor options: tables, maps, a chart over time, assumptions and sources.

:func:`build_report` computes everything; :func:`write_report` writes a report folder through a
temporary folder, so a failed run never leaves a half-written report and never replaces a good
one. The folder holds the same content in several forms:

- ``report.html``: self-contained (images and scripts inlined, no request to any host), with an
  interactive map (pan, zoom, tooltips, a layer per option) and print CSS
  (:mod:`corridors.report_html`);
- ``report.md`` (:mod:`corridors.report_md`);
- ``report.xlsx``: options, per-date table, assumptions, sources and timeline sheets
  (:mod:`corridors.report_xlsx`);
- ``report.pdf`` when asked: ``report.html`` printed by headless Chromium
  (:mod:`corridors.report_pdf`);
- tidy CSVs, RFC 7946 ``routes.geojson``, maps as PNG and SVG, the chart over time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from corridors import __version__
from corridors.data import data_dir
from corridors.network import Network
from corridors.options import Evaluation, OptionsFile, evaluate_options, option_timeline
from corridors.output import atomic_folder, save_figure
from corridors.params import Parameters, load_parameters

if TYPE_CHECKING:
    from corridors.uncertainty_report import UncertaintySection

__all__ = [
    "HEADERS",
    "Report",
    "build_report",
    "data_version",
    "dependencies",
    "display_path",
    "format_cell",
    "shown_table",
    "split_urls",
    "write_report",
]

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
    uncertainty: UncertaintySection | None = None


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
            "service": ev.option.service or "base",
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
                    "source_url": split_urls(rec["source_url"]),
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
                    "source_url": [],
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


def split_urls(value: Any) -> list[str]:
    """The URLs of a ``source_url`` value: a list of URLs, or a string of URLs joined by ``;``.

    Examples
    --------
    >>> split_urls("https://a.org/x ; https://b.org/y")
    ['https://a.org/x', 'https://b.org/y']
    >>> split_urls(["https://a.org/x", None, ""])
    ['https://a.org/x']
    >>> split_urls(None)
    []
    """
    if value is None or (isinstance(value, float) and value != value):
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[;\s]+", str(value))
    return [str(u).strip() for u in items if u and str(u).strip()]


def display_path(path: str | Path) -> str:
    """A path as a report shows it: relative to the shipped data, the working folder, or just its name.

    A report never shows an absolute local path (it would leak a user's folders and break on
    another machine).

    Examples
    --------
    >>> display_path(data_dir() / "options" / "tajikistan_gulf.toml")
    'geodata/options/tajikistan_gulf.toml'
    >>> display_path("/home/someone/work/mine.toml")
    'mine.toml'
    """
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    for base, prefix in ((data_dir().resolve(), "geodata/"), (Path.cwd().resolve(), "")):
        try:
            return prefix + p.resolve().relative_to(base).as_posix()
        except ValueError:
            continue
    return p.name


def build_report(
    net: Network,
    options_file: OptionsFile,
    *,
    command: str | Sequence[str] | None = None,
    progress: Progress | None = None,
    params_path: str | Path | None = None,
    draws: int = 0,
    seed: int = 0,
    client: Any = None,
) -> Report:
    """Evaluate every option on every date and assemble the report's contents.

    Parameters
    ----------
    net
        The full network.
    options_file
        The options and dates to compare.
    command
        The command that regenerates the report: a list of arguments (shell-quoted with
        :func:`shlex.join`) or a ready string; this process's arguments by default.
    progress
        Called with a short text before each step.
    params_path
        A parameters file (the shipped one by default), with each option's scenario overrides merged in.

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
    if command is None:
        cmd = shlex.join(["corridors", *sys.argv[1:]])
    elif isinstance(command, str):
        cmd = command
    else:
        cmd = shlex.join([str(a) for a in command])
    unc = None
    if draws:
        from corridors.uncertainty_report import uncertainty_section

        if progress:
            progress(f"uncertainty: {draws:,} draws")
        unc = uncertainty_section(net, options_file, draws=draws, seed=seed, client=client, params_path=params_path)
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
        uncertainty=unc,
    )


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------
def _slug(text: str) -> str:
    keep = "".join(c.lower() if c.isalnum() else "_" for c in text)
    return "_".join(p for p in keep.split("_") if p)[:60] or "option"


#: Columns of options.csv written as integers.
_INTEGER_COLUMNS = [
    "km",
    "cost_usd_per_teu",
    "generalized",
    "border_crossings",
    "gauge_changes",
    "depends_on_count",
    "rank",
]


def _csv_sources(sources: pd.DataFrame) -> pd.DataFrame:
    out = sources.copy()
    if "source_url" in out:
        out["source_url"] = out["source_url"].map(lambda v: " ".join(split_urls(v)))
    return out


def write_report(
    report: Report,
    net: Network,
    out: str | Path,
    *,
    force: bool = False,
    dpi: int = 200,
    progress: Progress | None = None,
    xlsx: bool = True,
    pdf: bool = False,
    interactive: bool = True,
) -> Path:
    """Write the report folder (see the module docstring) atomically.

    Parameters
    ----------
    report
        From :func:`build_report`.
    net
        The full network (drawn under the routes).
    out
        The folder to write.
    force
        Replace an existing folder (only once the new one is complete).
    dpi
        Resolution of the PNG maps and chart.
    progress
        Called with a short text before each step.
    xlsx
        Also write ``report.xlsx``.
    pdf
        Also write ``report.pdf`` (needs Chromium; see :func:`corridors.report_pdf.html_to_pdf`).
    interactive
        Put the interactive map in ``report.html``.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    corridors.output.OutputExistsError
        If ``out`` exists and ``force`` is False.
    corridors.report_pdf.ChromiumNotFoundError
        If ``pdf`` is True and no Chromium is installed (raised before any work).
    """
    from corridors.charts import plot_timeline
    from corridors.io import write_geojson
    from corridors.plot import plot_routes
    from corridors.report_html import render_html
    from corridors.report_md import render_markdown
    from corridors.tables import write_csv

    if pdf:
        from corridors.report_pdf import find_chromium

        find_chromium()  # fail before any work when it is missing
    of = report.options_file
    images: dict[str, Path] = {}
    with atomic_folder(out, force=force, command=report.command) as tmp:
        write_csv(report.table, tmp / "options.csv", integers=_INTEGER_COLUMNS)
        feats = []
        for ev in report.evaluations:
            if ev.route is not None:
                g = ev.route.to_geodataframe().assign(option=ev.option.name, date=ev.on.isoformat())
                feats.append(g)
        if feats:
            gdf = gpd.GeoDataFrame(pd.concat(feats, ignore_index=True), geometry="geometry", crs="EPSG:4326")
            write_geojson(gdf, tmp / "routes.geojson")
        # A map per option (its route on the latest date it exists), and all options together.
        latest: dict[str, Evaluation] = {}
        for ev in report.evaluations:
            if ev.route is not None:
                latest[ev.option.name] = ev
        for name, ev in latest.items():
            if progress:
                progress(f"map: {name}")
            assert ev.route is not None
            stem = f"map_{_slug(name)}"
            for suffix in (".png", ".svg"):
                fig, _ = plot_routes(
                    net,
                    [ev.route],
                    names=[name],
                    as_of=ev.on,
                    title=name,
                    subtitle=f"best route by {ev.option.by}, {ev.route.network}",
                )
                saved = save_figure(fig, tmp / f"{stem}{suffix}", dpi=dpi)
                if suffix == ".png":
                    images[f"{name} ({ev.on.isoformat()})"] = saved
        if latest:
            if progress:
                progress("map: all options")
            evs = list(latest.values())
            for suffix in (".png", ".svg"):
                fig, _ = plot_routes(
                    net,
                    [e.route for e in evs if e.route is not None],
                    names=list(latest),
                    title=of.title,
                    subtitle="each option on the latest date it has a route",
                )
                saved = save_figure(fig, tmp / f"map_all_options{suffix}", dpi=dpi)
                if suffix == ".png":
                    images = {"All options": saved} | images
        chart = None
        if not report.timeline.empty:
            write_csv(report.timeline, tmp / "timeline.csv", integers=["border_crossings", "gauge_changes"])
            for suffix in (".png", ".svg"):
                fig, _ = plot_timeline(
                    report.timeline,
                    metric="days",
                    group="option",
                    title="Options over time: transit time of the best route",
                )
                saved = save_figure(fig, tmp / f"options_over_time{suffix}", dpi=dpi)
                chart = saved if suffix == ".png" else chart
        write_csv(_csv_sources(report.sources), tmp / "sources.csv")
        write_csv(pd.DataFrame(report.assumptions), tmp / "assumptions.csv")
        markdown = render_markdown(report, images, chart)
        page = render_html(report, images, chart, net=net if interactive else None)
        if report.uncertainty is not None:
            from corridors.uncertainty_report import uncertainty_html, uncertainty_markdown, write_uncertainty

            unc_images = write_uncertainty(report.uncertainty, tmp, dpi=dpi)
            markdown = markdown.rstrip("\n") + "\n\n" + uncertainty_markdown(report.uncertainty, unc_images) + "\n"
            page = page.replace("</body>", uncertainty_html(report.uncertainty, unc_images) + "\n</body>", 1)
        (tmp / "report.md").write_text(markdown, encoding="utf-8")
        if progress:
            progress("report.html")
        html_path = tmp / "report.html"
        html_path.write_text(page, encoding="utf-8")
        if xlsx:
            from corridors.report_xlsx import write_workbook

            write_workbook(report, tmp / "report.xlsx")
        if pdf:
            from corridors.report_pdf import html_to_pdf

            if progress:
                progress("report.pdf")
            html_to_pdf(html_path, tmp / "report.pdf")
        (tmp / "report.json").write_text(
            json.dumps(
                {
                    "title": of.title,
                    "generated": report.generated,
                    "data_version": report.version,
                    "corridors_version": __version__,
                    "command": report.command,
                    "verdicts": report.verdicts,
                    "options_file": display_path(of.path),
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

#: Column headers for readers (options.csv keeps the machine names).
HEADERS = {
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


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """The summary table as displayed: reader headers, the dependency list shortened to a count."""
    out = table[[c for c in _SHOWN if c in table.columns]].copy()
    counts = table.get("depends_on_count", pd.Series(0, index=table.index)).fillna(0)
    out["depends_on"] = [
        f"{int(n)} segment(s) not yet open (listed below)" if n else d
        for d, n in zip(out["depends_on"], counts, strict=True)
    ]
    return out.rename(columns=HEADERS)


def dependencies(rep: Report) -> list[tuple[str, list[str]]]:
    """For each option and date without a route: the unbuilt segments it waits for."""
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


def format_cell(v: Any) -> str:
    """A table value as text: a dash when missing, yes/no, thousands separators.

    Examples
    --------
    >>> format_cell(None), format_cell(True), format_cell(2682.0), format_cell(8.8)
    ('—', 'yes', '2,682', '8.8')
    """
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 100:
            return f"{v:.0f}"
        return f"{v:,.1f}" if abs(v) < 100 else f"{v:,.0f}"
    if isinstance(v, list):
        return " ".join(str(x) for x in v)
    return str(v)
