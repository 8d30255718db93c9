"""The ``corridors`` command line.

Exit codes: 0 ok; 1 a problem was found (invalid data, no route); 2 bad usage (unknown option,
unknown station name, malformed date).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from corridors import __version__
from corridors._errors import CorridorsError, DataError, NoRouteError, StationNotFoundError
from corridors.io import to_geojson, to_geopackage, to_graphml
from corridors.network import Network, load_network, validate_network
from corridors.params import load_parameters
from corridors.routing import CRITERIA, routes
from corridors.stats import connectivity, km_by_corridor, km_by_country_status, km_by_gauge_status, summary

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class _Date(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date of the form YYYY-MM-DD", param, ctx)


DATE = _Date()


def _net(ctx: click.Context) -> Network:
    obj = ctx.ensure_object(dict)
    if "net" not in obj:
        obj["net"] = load_network(obj.get("data"))
    net: Network = obj["net"]
    return net


def _df_table(df: pd.DataFrame, title: str, index_name: str) -> Table:
    t = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    t.add_column(index_name)
    for c in df.columns:
        t.add_column(str(c), justify="right")
    for idx, row in df.iterrows():
        t.add_row(str(idx), *(f"{v:,.0f}" if isinstance(v, float) else str(v) for v in row))
    return t


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="corridors")
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=None,
    help="Network: a folder with stations.geojson and segments.geojson, or a .gpkg. Default: the shipped geodata/.",
)
@click.option(
    "--params",
    type=click.Path(path_type=Path),
    default=None,
    help="Parameters TOML (speeds, border dwell and fees, gauge changes, tariffs). Default: geodata/parameters.toml.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what each step does.")
@click.pass_context
def cli(ctx: click.Context, data: Path | None, params: Path | None, verbose: bool) -> None:
    """Model the rail corridors of Iran, Afghanistan and Central Asia.

    \b
    Examples:
      corridors validate                      check the shipped network
      corridors info                          km by country, status, gauge and corridor
      corridors route Kashgar "Bandar Abbas" --by time --alternatives 3
      corridors route Mashhad Herat --as-of 2030-01-01 --expected
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(name)s: %(message)s")
    ctx.ensure_object(dict).update(data=data, params=params)


@cli.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.option("--today", type=DATE, default=None, help="Judge dates against this day instead of today.")
@click.pass_context
def validate(ctx: click.Context, path: Path | None, as_json: bool, today: date | None) -> None:
    """Check a network and report every problem at once.

    PATH is a folder with stations.geojson and segments.geojson, or a .gpkg; the shipped data by
    default. Errors make the exit code 1; warnings do not.

    \b
    Example:
      corridors validate my_network/ --json
    """
    path = path or ctx.obj.get("data")
    problems = validate_network(path, today=today)
    errors = [p for p in problems if p.severity == "error"]
    if as_json:
        click.echo(json.dumps({"errors": len(errors), "problems": [p.to_dict() for p in problems]}, indent=1))
    else:
        for p in problems:
            style = "red" if p.severity == "error" else "yellow"
            out.print(f"[{style}]{p.severity}[/]: {str(p).split(': ', 1)[1]}", markup=True)
        if not errors:
            net = load_network(path)
            s = summary(net)
            c = connectivity(net)
            out.print(
                f"connectivity: {c['parts_all']} connected part(s) counting every segment "
                f"(largest {c['largest_part_all']} stations), {c['parts_operational']} counting operational "
                f"segments only (largest {c['largest_part_operational']} stations)"
            )
            out.print(
                f"OK: {s['stations']} stations, {s['segments']} segments, {s['km_total']:,.0f} km; "
                f"{len(problems)} warning(s), no errors"
            )
        else:
            out.print(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    ctx.exit(1 if errors else 0)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def info(ctx: click.Context, as_json: bool) -> None:
    """Counts and kilometres by country, status, gauge and corridor.

    Kilometres by country are measured from the geometry against Natural Earth country polygons.

    \b
    Example:
      corridors info --json
    """
    net = _net(ctx)
    tables = {
        "country": km_by_country_status(net),
        "gauge": km_by_gauge_status(net),
        "corridor": km_by_corridor(net),
    }
    if as_json:
        payload: dict[str, Any] = summary(net)
        payload.update({f"km_by_{k}": json.loads(v.to_json(orient="index")) for k, v in tables.items()})
        click.echo(json.dumps(payload, indent=1))
        return
    s: dict[str, Any] = summary(net)
    out.print(f"[bold]{s['stations']} stations, {s['segments']} segments, {s['km_total']:,.0f} km[/] ({net.source})")
    out.print("km by status: " + ", ".join(f"{k} {v:,.0f}" for k, v in s["km_by_status"].items()))
    out.print(f"gauge-change stations: {', '.join(s['gauge_change_stations']) or 'none'}")
    out.print(f"segments crossing a border: {s['border_segments']}\n")
    for key, t in tables.items():
        out.print(_df_table(t, f"km by {key} and status", key))
        out.print()


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@cli.command(name="route")
@click.argument("origin")
@click.argument("destination")
@click.option("--as-of", type=DATE, default=None, help="Use the network as it stands on this date (default: today).")
@click.option("--expected", is_flag=True, help="Also use unbuilt segments expected to be open by --as-of.")
@click.option("--by", type=click.Choice(CRITERIA), default="distance", show_default=True, help="What to minimise.")
@click.option("--via", multiple=True, help="Pass through these stations in order (repeat or comma-separate).")
@click.option("--avoid-station", multiple=True, help="Stations not to use.")
@click.option("--avoid-segment", multiple=True, help="Segment ids not to use.")
@click.option("--avoid-country", multiple=True, help="ISO3 countries not to enter, e.g. AFG.")
@click.option("--avoid-group", multiple=True, help="Country groups not to enter (from the parameters file).")
@click.option("--within-group", default=None, help="Stay within this country group, e.g. ECO.")
@click.option("--closed-border", multiple=True, help="A closed border as two ISO3 codes, e.g. AFG-IRN.")
@click.option("--open-segment", multiple=True, help="Treat this segment as open whatever its status.")
@click.option("--close-segment", multiple=True, help="Treat this segment as closed.")
@click.option(
    "--alternatives",
    "k",
    type=click.IntRange(1, 20),
    default=1,
    show_default=True,
    help="How many different routes.",
)
@click.option(
    "--geojson",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the route(s) to this GeoJSON file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the route(s) as JSON.")
@click.pass_context
def route_cmd(
    ctx: click.Context,
    origin: str,
    destination: str,
    as_of: date | None,
    expected: bool,
    by: str,
    via: tuple[str, ...],
    avoid_station: tuple[str, ...],
    avoid_segment: tuple[str, ...],
    avoid_country: tuple[str, ...],
    avoid_group: tuple[str, ...],
    within_group: str | None,
    closed_border: tuple[str, ...],
    open_segment: tuple[str, ...],
    close_segment: tuple[str, ...],
    k: int,
    geojson: Path | None,
    as_json: bool,
) -> None:
    """Best route(s) between two stations, with borders and gauge changes priced.

    ORIGIN and DESTINATION are station ids, names or alternative names (case and accents are
    ignored).

    \b
    Examples:
      corridors route Dushanbe "Bandar Abbas" --by time --alternatives 3
      corridors route Termez Herat --avoid-country TKM
      corridors route Kashgar Mashhad --as-of 2035-01-01 --expected --json
    """
    net = _net(ctx)
    params = load_parameters(ctx.obj.get("params"))
    pairs = []
    for spec in _split(closed_border):
        parts = spec.replace("/", "-").split("-")
        if len(parts) != 2:
            raise click.BadParameter(f"{spec!r} is not two ISO3 codes like AFG-IRN", param_hint="--closed-border")
        pairs.append(parts)
    found = routes(
        net,
        origin,
        destination,
        k=k,
        by=by,
        as_of=as_of,
        expected=expected,
        params=params,
        open_segments=_split(open_segment),
        close_segments=_split(close_segment),
        via=_split(via),
        avoid_stations=_split(avoid_station),
        avoid_segments=_split(avoid_segment),
        avoid_countries=_split(avoid_country),
        avoid_groups=_split(avoid_group),
        within_group=within_group,
        closed_borders=pairs,
    )
    if geojson:
        import geopandas as gpd

        gdf = pd.concat([r.to_geodataframe().assign(rank=i + 1) for i, r in enumerate(found)], ignore_index=True)
        gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:4326").to_file(geojson, driver="GeoJSON")
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in found], indent=1, ensure_ascii=False))
        return
    for i, r in enumerate(found, 1):
        head = f"Route {i} of {len(found)}: " if len(found) > 1 else ""
        out.print(f"[bold]{head}{r.name(r.origin)} → {r.name(r.destination)}[/]  (by {r.criterion}, {r.network})")
        legs = Table(show_edge=False, header_style="bold")
        for col, just in (
            ("segment", "left"),
            ("from", "left"),
            ("to", "left"),
            ("gauge", "left"),
            ("status", "left"),
            ("km", "right"),
            ("h", "right"),
            ("cost", "right"),
        ):
            legs.add_column(col, justify=just)  # type: ignore[arg-type]
        for leg in r.legs:
            legs.add_row(
                leg.segment,
                r.name(leg.from_station),
                r.name(leg.to_station),
                leg.gauge,
                leg.status,
                f"{leg.km:,.0f}",
                f"{leg.hours:,.1f}",
                f"{leg.cost:,.0f}",
            )
        out.print(legs)
        for b in r.borders:
            out.print(
                f"  border {b.from_country}→{b.to_country} at {r.name(b.from_station)}/{r.name(b.to_station)}: "
                f"{b.dwell_h:g} h, {b.fee:g} {r.cost_unit}"
            )
        for g in r.gauge_changes:
            out.print(
                f"  gauge change {g.from_gauge}→{g.to_gauge} at {r.name(g.station)} by {g.method}: "
                f"{g.time_h:g} h, {g.cost:g} {r.cost_unit}"
            )
        out.print(
            f"  [bold]total: {r.km:,.0f} km, {r.hours:,.1f} h ({r.hours / 24:,.1f} days), "
            f"{r.cost:,.0f} {r.cost_unit}[/]; "
            f"{len(r.borders)} border crossing(s), {len(r.gauge_changes)} gauge change(s)"
        )
        out.print("  km by country: " + ", ".join(f"{c} {v:,.0f}" for c, v in r.km_by_country.items()) + "\n")
    if geojson:
        out.print(f"wrote {geojson}")


@cli.command()
@click.argument("out_path", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["gpkg", "geojson", "graphml"]),
    default=None,
    help="Output format; by default from the file name (.gpkg, .graphml, or a folder for GeoJSON).",
)
@click.pass_context
def export(ctx: click.Context, out_path: Path, fmt: str | None) -> None:
    """Export the network to GeoPackage, a GeoJSON folder or GraphML.

    \b
    Examples:
      corridors export network.gpkg
      corridors export network.graphml
      corridors export network_geojson/ --format geojson
    """
    net = _net(ctx)
    fmt = fmt or {".gpkg": "gpkg", ".graphml": "graphml"}.get(out_path.suffix.lower(), "geojson")
    if fmt == "gpkg":
        to_geopackage(net.stations, net.segments, out_path)
    elif fmt == "graphml":
        to_graphml(net.graph, out_path)
    else:
        to_geojson(net.stations, net.segments, out_path)
    out.print(f"wrote {out_path}")


def _years(spec: str) -> list[int]:
    """``1990:2026:4`` -> 1990, 1994, ..., 2026 (the end year always included); ``2000,2010`` as listed."""
    try:
        if ":" in spec:
            parts = [int(p) for p in spec.split(":")]
            start, end = parts[0], parts[1]
            step = parts[2] if len(parts) > 2 else 1
            years = list(range(start, end + 1, step))
            return years if years[-1] == end else [*years, end]
        return [int(y) for y in spec.split(",")]
    except (ValueError, IndexError):
        raise click.BadParameter(f"{spec!r} is not START:END[:STEP] or a comma-separated list of years") from None


@cli.command(name="map")
@click.option("--as-of", type=DATE, default=None, help="Draw the network as it stands on this date (default: today).")
@click.option(
    "--route",
    "route_pairs",
    type=(str, str),
    multiple=True,
    metavar="FROM TO",
    help="Draw the best route between two stations (repeat for several).",
)
@click.option("--by", type=click.Choice(CRITERIA), default="time", show_default=True, help="Criterion for --route.")
@click.option(
    "--alternatives",
    "k",
    type=click.IntRange(1, 6),
    default=1,
    show_default=True,
    help="With one --route: also draw the next-best different routes.",
)
@click.option("--expected", is_flag=True, help="Count unbuilt segments from their expected opening.")
@click.option(
    "--compare",
    "compare_date",
    type=DATE,
    default=None,
    help="Side by side: the network on --as-of and on this date, with what opened highlighted.",
)
@click.option(
    "--growth",
    default=None,
    metavar="START:END[:STEP]",
    help="Growth over time: a strip of yearly frames (PNG/SVG/PDF) or an animated .gif.",
)
@click.option("--extent", default=None, metavar="LON_MIN,LAT_MIN,LON_MAX,LAT_MAX", help="Map extent in degrees.")
@click.option("--title", default=None, help="Title above the map.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    default=Path("map.png"),
    show_default=True,
    help="Output file: .png (print resolution), .svg, .pdf, or .gif with --growth.",
)
@click.option("--dpi", type=click.IntRange(50, 1200), default=300, show_default=True, help="Resolution of PNG output.")
@click.pass_context
def map_cmd(
    ctx: click.Context,
    as_of: date | None,
    route_pairs: tuple[tuple[str, str], ...],
    by: str,
    k: int,
    expected: bool,
    compare_date: date | None,
    growth: str | None,
    extent: str | None,
    title: str | None,
    out_path: Path,
    dpi: int,
) -> None:
    """Publication maps: the network, routes, a comparison of two dates, or growth over time.

    \b
    Examples:
      corridors map --out network.png
      corridors map --as-of 2015-01-01 --compare 2026-11-28 --out change.pdf
      corridors map --route Dushanbe "Bandar Abbas" --alternatives 2 --out tajik_gulf.svg
      corridors map --growth 1960:2026:5 --out growth.gif
    """
    import geopandas as gpd
    from shapely import box

    from corridors._output import save_figure, save_growth_gif
    from corridors.plot import map_extent, plot_comparison, plot_growth, plot_network, plot_routes

    net = _net(ctx)
    on = as_of or date.today()
    ext = None
    if extent:
        try:
            x0, y0, x1, y1 = (float(v) for v in extent.split(","))
        except ValueError:
            raise click.BadParameter(
                f"{extent!r} is not four numbers LON_MIN,LAT_MIN,LON_MAX,LAT_MAX", param_hint="--extent"
            ) from None
        ext = map_extent(gpd.GeoSeries([box(x0, y0, x1, y1)], crs="EPSG:4326"), margin=0.0)
    suffix = out_path.suffix.lower()
    if growth:
        years = _years(growth)
        if suffix == ".gif":
            save_growth_gif(net, years, out_path, expected=expected)
        else:
            fig, _ = plot_growth(net, years, ncols=min(len(years), 5), expected=expected)
            if title:
                fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
            save_figure(fig, out_path, dpi=dpi)
    elif suffix == ".gif":
        raise click.BadParameter("a .gif is written only with --growth", param_hint="--out")
    elif compare_date:
        fig, _ = plot_comparison(
            [net, net],
            [on.isoformat(), compare_date.isoformat()],
            as_of=[on, compare_date],
            suptitle=title or f"Rail network on {on.isoformat()} and {compare_date.isoformat()}",
        )
        save_figure(fig, out_path, dpi=dpi)
    elif route_pairs:
        params = load_parameters(ctx.obj.get("params"))
        found = []
        for frm, to in route_pairs:
            found += routes(
                net, frm, to, k=k if len(route_pairs) == 1 else 1, by=by, as_of=on, expected=expected, params=params
            )
        fig, _ = plot_routes(net, found, as_of=on, extent=ext, title=title)
        save_figure(fig, out_path, dpi=dpi)
    else:
        if title:
            fig, _ = plot_network(net, as_of=on, extent=ext, title=title)
        else:
            fig, _ = plot_network(net, as_of=on, extent=ext)
        save_figure(fig, out_path, dpi=dpi)
    out.print(f"wrote {out_path}")


@cli.group()
def scenario() -> None:
    """Scenario files: list the shipped ones, check one, run one, compare two.

    \b
    Examples:
      corridors scenario list
      corridors scenario run geodata/scenarios/khaf_herat_complete.toml --out out/khaf_herat
      corridors scenario diff khaf_herat_1_3 khaf_herat_complete
    """


def _named_file(name: str, shipped: dict[str, Path], what: str, hint_param: str) -> Path:
    """A path as given, or the shipped file of that id; an unknown name suggests close ids."""
    path = Path(name)
    if path.exists():
        return path
    if name in shipped:
        return shipped[name]
    import difflib

    close = difflib.get_close_matches(name, list(shipped), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; shipped: {', '.join(shipped)}"
    raise click.BadParameter(f"no {what} {name!r}{hint}", param_hint=hint_param)


def _scenario_path(name: str) -> Path:
    from corridors.scenario import shipped_scenarios

    return _named_file(name, shipped_scenarios(), "scenario file", "SCENARIO")


@scenario.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def scenario_list(ctx: click.Context, as_json: bool) -> None:
    """List the shipped scenarios with their dates and descriptions."""
    from corridors.scenario import load_scenario, shipped_scenarios

    net = _net(ctx)
    rows = []
    for key, path in shipped_scenarios().items():
        s = load_scenario(path, net)
        rows.append(
            {"id": key, "name": s.name, "as_of": s.date.isoformat(), "description": s.description, "file": str(path)}
        )
    if as_json:
        click.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    t = Table(show_edge=False, header_style="bold")
    for col in ("id", "as of", "name"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["id"], r["as_of"], r["name"])
    out.print(t)


@scenario.command(name="check")
@click.argument("scenario_file")
@click.pass_context
def scenario_check(ctx: click.Context, scenario_file: str) -> None:
    """Validate a scenario file against the network; exit 1 listing every problem."""
    from corridors.scenario import apply_scenario, load_scenario

    net = _net(ctx)
    s = load_scenario(_scenario_path(scenario_file), net)
    apply_scenario(net, s)
    out.print(
        f"OK: {s.name} ({len(s.segment_changes)} segment change(s), {len(s.new_segments)} new segment(s), "
        f"{len(s.od)} OD pair(s), as of {s.date.isoformat()})"
    )


@scenario.command(name="run")
@click.argument("scenario_file")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Output folder.")
@click.option("--force", is_flag=True, help="Replace the output folder if it exists.")
@click.option("--by", type=click.Choice(CRITERIA), default="time", show_default=True, help="What to minimise.")
@click.option("--since", type=DATE, default=date(2010, 1, 1), show_default=True, help="Start of the timeline.")
@click.pass_context
def scenario_run(ctx: click.Context, scenario_file: str, out_dir: Path, force: bool, by: str, since: date) -> None:
    """Run a scenario: routes for its OD pairs, their timeline, maps and a summary, into a folder.

    SCENARIO_FILE is a path or the id of a shipped scenario (see `corridors scenario list`).

    \b
    Example:
      corridors scenario run five_nation_built --out out/fnrc
    """
    from corridors._output import OutputExistsError
    from corridors.runs import run_scenario, write_scenario_run
    from corridors.scenario import load_scenario

    net = _net(ctx)
    s = load_scenario(_scenario_path(scenario_file), net)
    if out_dir.exists() and not force:
        raise OutputExistsError(f"{out_dir} exists; choose another folder or pass --force to replace it")
    with err.status(f"running scenario {s.name} ..."):
        run = run_scenario(net, s, start=since, by=by, params_path=ctx.obj.get("params"))
        write_scenario_run(run, net, out_dir, force=force)
    out.print(run.summary())
    out.print(f"\nwrote {out_dir}/ (routes.csv, routes.geojson, timeline.csv, *.png, summary.md)")


@scenario.command(name="diff")
@click.argument("scenario_a")
@click.argument("scenario_b")
@click.option("--by", type=click.Choice(CRITERIA), default="time", show_default=True, help="What to minimise.")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=None, help="Also write the table as CSV.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def scenario_diff_cmd(
    ctx: click.Context, scenario_a: str, scenario_b: str, by: str, csv_path: Path | None, as_json: bool
) -> None:
    """Compare two scenarios on their OD pairs: what improved, worsened, connected or disconnected."""
    from corridors.scenario import load_scenario
    from corridors.timeline import scenario_diff

    net = _net(ctx)
    a = load_scenario(_scenario_path(scenario_a), net)
    b = load_scenario(_scenario_path(scenario_b), net)
    table = scenario_diff(net, a, b, by=by)
    if csv_path:
        table.to_csv(csv_path, index=False)
    if as_json:
        click.echo(table.to_json(orient="records", force_ascii=False, indent=1))
        return
    out.print(f"[bold]{a.name}[/] ({a.date}) → [bold]{b.name}[/] ({b.date}), by {by}")
    t = Table(show_edge=False, header_style="bold")
    for col in ("pair", "outcome", "km a", "km b", "h a", "h b", "change"):
        t.add_column(col, justify="left" if col in ("pair", "outcome") else "right")
    for r in table.to_dict("records"):

        def f(v: Any) -> str:
            return "—" if v is None or v != v else f"{v:,.0f}"

        t.add_row(
            r["pair"],
            r["outcome"],
            f(r["km_a"]),
            f(r["km_b"]),
            f(r["hours_a"]),
            f(r["hours_b"]),
            "—" if r["change"] is None or r["change"] != r["change"] else f"{r['change']:+,.1f}",
        )
    out.print(t)


@cli.command()
@click.argument("options_file")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Report folder to write.")
@click.option(
    "--force", is_flag=True, help="Replace the report folder if it exists (only once the new one is complete)."
)
@click.option("--dpi", type=click.IntRange(72, 600), default=200, show_default=True, help="Resolution of PNG maps.")
@click.pass_context
def compare(ctx: click.Context, options_file: str, out_dir: Path, force: bool, dpi: int) -> None:
    """Compare corridor options and write a report folder.

    OPTIONS_FILE is a TOML file of options (origin, destination, constraints, scenario or date,
    criterion), or the id of a shipped one (tajikistan_gulf, western_china_iran). The report holds
    report.md, a self-contained report.html, options.csv, routes.geojson, maps (PNG and SVG), a
    chart over time, the assumptions used and the sources of every segment on the routes.

    \b
    Examples:
      corridors compare tajikistan_gulf --out reports/tajikistan_gulf
      corridors compare my_options.toml --out reports/mine --force
    """
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from corridors._output import OutputExistsError
    from corridors.options import load_options, shipped_options
    from corridors.report import build_report, write_report

    path = _named_file(options_file, shipped_options(), "options file", "OPTIONS_FILE")
    if out_dir.exists() and not force:
        raise OutputExistsError(f"{out_dir} exists; choose another folder or pass --force to replace it")
    net = _net(ctx)
    of = load_options(path, net)  # every problem is reported before any work starts
    n_steps = sum(len(o_dates) for o_dates in [of.dates or [None]] for _ in of.options) + len(of.options) * 3 + 2
    command = "corridors compare " + " ".join(
        [str(options_file), "--out", str(out_dir)]
        + (["--force"] if force else [])
        + ([f"--dpi {dpi}"] if dpi != 200 else [])
    )
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task("comparing options", total=n_steps)

        def step(msg: str) -> None:
            bar.update(task, advance=1, description=msg)

        report = build_report(net, of, command=command, progress=step)
        write_report(report, net, out_dir, force=force, dpi=dpi, progress=step)
    out.print(f"[bold]{of.title}[/]")
    for v in report.verdicts:
        out.print(f"  • {v}")
    table = Table(show_edge=False, header_style="bold")
    table.add_column("option", max_width=28)  # names wrap; numbers never do
    for col in ("date", "km", "days", "cost", "borders", "gauges", "best"):
        table.add_column(col, justify="left" if col == "date" else "right", no_wrap=True)
    for r in report.table.to_dict("records"):

        def f(v: Any, fmt: str = "{:,.0f}") -> str:
            return "—" if v is None or v != v else fmt.format(v)

        table.add_row(
            r["option"],
            r["date"],
            f(r["km"]),
            f(r["days"], "{:,.1f}"),
            f(r["cost_usd_per_teu"]),
            f(r["border_crossings"]),
            f(r["gauge_changes"]),
            "★" if r["best"] else "",
        )
    out.print(table)
    out.print(f"report: {out_dir / 'report.html'} (also report.md, options.csv, routes.geojson, maps)")


def main(argv: list[str] | None = None) -> None:
    """Run the command line; errors become messages and exit codes, never tracebacks."""
    try:
        rv = cli.main(args=argv, prog_name="corridors", standalone_mode=False)
        if isinstance(rv, int):  # ctx.exit(code) returns the code when not standalone
            sys.exit(rv)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        err.print("aborted")
        sys.exit(1)
    except StationNotFoundError as exc:
        err.print(f"error: {exc}")
        sys.exit(2)
    except (NoRouteError, DataError, CorridorsError) as exc:
        err.print(f"error: {exc}")
        sys.exit(1)
    except OSError as exc:
        err.print(f"error: {exc}")
        sys.exit(1)
    sys.exit(0)


# Analysis commands (OD matrices, criticality, hub scores) live in their own module and
# register themselves on the `cli` group when imported.
from corridors import cli_analysis as _cli_analysis  # noqa: E402,F401
