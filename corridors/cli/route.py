"""``corridors route`` and ``corridors map``: routes in words and on maps."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table
from rich.text import Text

from corridors.cli._common import DATE, by_option, network_of, out, split, state_of, state_options

if TYPE_CHECKING:
    from corridors.routing import Route
    from corridors.state import NetworkState

__all__ = ["map_cmd", "mc_options", "print_draws", "route_cmd", "with_service"]


def closed_border_pairs(values: tuple[str, ...]) -> list[list[str]]:
    """``AFG-IRN`` (or ``AFG/IRN``) specs as pairs of codes."""
    pairs = []
    for spec in split(values):
        parts = spec.replace("/", "-").split("-")
        if len(parts) != 2:
            raise click.BadParameter(f"{spec!r} is not two ISO3 codes like AFG-IRN", param_hint="--closed-border")
        pairs.append(parts)
    return pairs


def print_route(r: Route, head: str = "") -> None:
    """A route as a table of legs, its borders and gauge changes, and its totals."""
    out.print(
        Text.assemble(
            (f"{head}{r.name(r.origin)} → {r.name(r.destination)}", "bold"), f"  (by {r.criterion}, {r.network})"
        )
    )
    legs = Table(show_edge=False, header_style="bold")
    for col, just in (
        ("segment", "left"),
        ("from", "left"),
        ("to", "left"),
        ("mode", "left"),
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
            leg.mode,
            leg.gauge if leg.mode == "rail" else "",
            leg.status,
            f"{leg.km:,.0f}",
            f"{leg.hours:,.1f}",
            f"{leg.cost:,.0f}",
        )
    out.print(legs)
    for line in r.event_lines(arrow="→"):
        out.print(line)
    out.print(
        Text.assemble(
            (
                f"  total: {r.km:,.0f} km, {r.hours:,.1f} h ({r.hours / 24:,.1f} days), {r.cost:,.0f} {r.cost_unit}",
                "bold",
            ),
            f"; {len(r.borders)} border crossing(s), {len(r.gauge_changes)} gauge change(s)",
        )
    )
    if len(r.modes) > 1:
        out.print(
            "  by mode: " + ", ".join(f"{m} {v['km']:,.0f} km, {v['hours']:,.1f} h" for m, v in r.by_mode().items())
        )
    out.print("  km by country: " + ", ".join(f"{c} {v:,.0f}" for c, v in r.km_by_country.items()) + "\n")


def with_service(state: NetworkState, service: str | None) -> NetworkState:
    """The state priced for a service profile (``--service``); the state itself when None."""
    from dataclasses import replace

    from corridors.services import service_mode

    if not service:
        return state
    if service_mode(state.params, service) != "rail":
        raise click.BadParameter(
            f"service {service!r} is for {service_mode(state.params, service)} legs; the network has none yet",
            param_hint="--service",
        )
    return replace(state, params=state.params.for_service(service), _graphs={})


def mc_options(f: Any) -> Any:
    """``--service``, ``--draws``, ``--seed``, ``--scheduler``."""
    for deco in reversed(
        [
            click.option(
                "--service", default=None, help="Price for a service profile of the parameters: block_train, wagonload."
            ),
            click.option(
                "--draws",
                type=click.IntRange(0, None),
                default=0,
                help="Monte Carlo draws of speeds, border dwells, gauge changes and opening delays.",
            ),
            click.option("--seed", type=int, default=0, show_default=True, help="Seed of the Monte Carlo draws."),
            click.option(
                "--scheduler",
                default="local",
                show_default=True,
                help="Where draws run: 'local' (a Dask cluster of 2 processes), 'serial', or a scheduler address.",
            ),
        ]
    ):
        f = deco(f)
    return f


def print_draws(table: Any, cost_unit: str, distributions: str) -> None:
    """Percentiles of hours and cost per option and date, with P(route exists)."""
    t = Table(show_edge=False, header_style="bold")
    several = table["option"].nunique() > 1
    for col in ("option", "date", "P(route)", "hours P10", "P50", "P90", "cost P10", "P50", "P90")[not several :]:
        t.add_column(col, justify="left" if col in ("option", "date") else "right", no_wrap=col != "option")

    def f(v: float) -> str:
        return "—" if v != v else f"{v:,.0f}"

    for r in table.to_dict("records"):
        t.add_row(
            *([r["option"]] if several else []),
            r["date"],
            f"{r['p_route']:.0%}",
            f(r["hours_p10"]),
            f(r["hours_p50"]),
            f(r["hours_p90"]),
            f(r["cost_p10"]),
            f(r["cost_p50"]),
            f(r["cost_p90"]),
        )
    out.print(t)
    out.print(f"  cost in {cost_unit}; percentiles over the draws with a route; draws: {distributions}")


def _constraints(state: NetworkState, **kw: Any) -> Any:
    return state.constraints(
        via=split(kw["via"]),
        avoid_stations=split(kw["avoid_station"]),
        avoid_segments=split(kw["avoid_segment"]),
        avoid_countries=split(kw["avoid_country"]),
        avoid_groups=split(kw["avoid_group"]),
        within=split(kw["within"]) or None,
        within_group=kw["within_group"],
        closed_borders=closed_border_pairs(kw["closed_border"]),
    )


@click.command(name="route")
@click.argument("origin")
@click.argument("destination")
@state_options
@by_option("distance")
@click.option("--via", multiple=True, help="Pass through these stations in order (repeat or comma-separate).")
@click.option("--avoid-station", multiple=True, help="Stations not to use.")
@click.option("--avoid-segment", multiple=True, help="Segment ids not to use.")
@click.option("--avoid-country", multiple=True, help="ISO3 countries not to enter, e.g. AFG.")
@click.option("--avoid-group", multiple=True, help="Country groups not to enter (from the parameters file).")
@click.option("--within", multiple=True, help="Stay within these ISO3 countries, e.g. TJK,AFG,IRN.")
@click.option("--within-group", default=None, help="Stay within this country group, e.g. ECO.")
@click.option("--closed-border", multiple=True, help="A closed border as two ISO3 codes, e.g. AFG-IRN.")
@click.option(
    "--alternatives", "k", type=click.IntRange(1, 20), default=1, show_default=True, help="How many different routes."
)
@click.option(
    "--geojson", type=click.Path(path_type=Path), default=None, help="Write the route(s) to this GeoJSON file."
)
@click.option("--force", is_flag=True, help="Replace the --geojson file if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print the route(s) as JSON.")
@mc_options
@click.pass_context
def route_cmd(
    ctx: click.Context,
    /,
    origin: str,
    destination: str,
    as_of: date | None,
    expected: bool,
    open_segment: tuple[str, ...],
    close_segment: tuple[str, ...],
    modes: str,
    by: str,
    k: int,
    geojson: Path | None,
    force: bool,
    as_json: bool,
    service: str | None,
    draws: int,
    seed: int,
    scheduler: str,
    **constraint_options: Any,
) -> None:
    """Best route(s) between two stations, with borders and gauge changes priced.

    ORIGIN and DESTINATION are station ids, names or alternative names (case and accents are
    ignored).

    \b
    Examples:
      corridors route Dushanbe "Bandar Abbas" --by time --alternatives 3
      corridors route Termez Herat --avoid-country TKM
      corridors route Kashgar Mashhad --as-of 2035-01-01 --expected --json
      corridors route Urumqi Almaty --by time --service block_train
      corridors route Kashgar Tashkent --by time --draws 1000 --seed 1
    """
    from corridors.output import atomic_file, check_target

    if geojson:
        check_target(geojson, force=force)
    from corridors._errors import UsageError
    from corridors.network import find_station

    ends = [find_station(network_of(ctx), name) for name in (origin, destination)]
    if ends[0] == ends[1]:
        msg = f"ORIGIN and DESTINATION are the same station ({ends[0]}); give two different stations"
        raise UsageError(msg)
    state = state_of(
        ctx, as_of=as_of, expected=expected, open_segment=open_segment, close_segment=close_segment, modes=modes
    )
    state = with_service(state, service)
    c = _constraints(state, **constraint_options)
    if draws:
        from corridors.uncertainty import Query, build_problem, open_client, percentile_table, run_monte_carlo

        name = f"{origin} → {destination}"
        problem = build_problem([Query(name, state, origin, destination, by, c)], [state.as_of])
        with open_client(scheduler) as client:
            result = run_monte_carlo(problem, draws, seed=seed, client=client)
        table = percentile_table(result)
        if as_json:
            click.echo(table.to_json(orient="records", indent=1, force_ascii=False))
            return
        out.print(
            f"{name} by {by} on {state.as_of.isoformat()}, {draws:,} draws (seed {seed}), "
            f"service {service or 'none (base parameters)'}"
        )
        print_draws(table, result.cost_unit, result.distributions)
        out.print(f"  {table['explanation'].iloc[0]}")
        return
    found = state.routes(origin, destination, by=by, k=k, constraints=c)
    if geojson:
        import geopandas as gpd
        import pandas as pd

        gdf = pd.concat([r.to_geodataframe().assign(rank=i + 1) for i, r in enumerate(found)], ignore_index=True)
        from corridors.io import write_geojson

        with atomic_file(geojson, force=force) as tmp:
            write_geojson(gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:4326"), tmp)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in found], indent=1, ensure_ascii=False))
        return
    for i, r in enumerate(found, 1):
        print_route(r, f"Route {i} of {len(found)}: " if len(found) > 1 else "")
    if service:
        out.print(f"  priced for the service profile {service} (parameters: {found[0].parameters})")
    if geojson:
        out.print(f"wrote {geojson}")


def _years(spec: str) -> list[int]:
    """``1990:2026:4`` -> 1990, 1994, ..., 2026 (the end year always included); ``2000,2010`` as listed."""
    from corridors._validate import MAX_YEAR, MIN_YEAR

    try:
        if ":" in spec:
            parts = [int(p) for p in spec.split(":")]
            if not 2 <= len(parts) <= 3:
                raise ValueError
            start, end = parts[0], parts[1]
            step = parts[2] if len(parts) > 2 else 1
            if step < 1 or start > end:
                raise ValueError
            listed = [start, end]
        else:
            listed = [int(y) for y in spec.split(",")]
    except ValueError:
        raise click.BadParameter(
            f"{spec!r} is not START:END[:STEP] (START <= END, STEP >= 1) or a comma-separated list of years",
            param_hint="--growth",
        ) from None
    bad = [y for y in listed if not MIN_YEAR <= y <= MAX_YEAR]
    if bad:
        raise click.BadParameter(
            f"{spec!r}: year {bad[0]} is outside the years {MIN_YEAR} to {MAX_YEAR}", param_hint="--growth"
        )
    if ":" not in spec:
        return listed
    years = list(range(start, end + 1, step))
    return years if years[-1] == end else [*years, end]


def _extent(spec: str) -> tuple[float, float, float, float]:
    try:
        x0, y0, x1, y1 = (float(v) for v in spec.split(","))
    except ValueError:
        raise click.BadParameter(
            f"{spec!r} is not four numbers LON_MIN,LAT_MIN,LON_MAX,LAT_MAX", param_hint="--extent"
        ) from None
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or not (-180 <= x0 < x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise click.BadParameter(
            f"{spec!r}: need finite degrees with LON_MIN < LON_MAX and LAT_MIN < LAT_MAX", param_hint="--extent"
        )
    return x0, y0, x1, y1


@click.command(name="map")
@click.option("--as-of", type=DATE, default=None, help="Draw the network as it stands on this date (default: today).")
@click.option(
    "--route",
    "route_pairs",
    type=(str, str),
    multiple=True,
    metavar="FROM TO",
    help="Draw the best route between two stations (repeat for several).",
)
@by_option("time")
@click.option(
    "--alternatives",
    "k",
    type=click.IntRange(1, 6),
    default=1,
    show_default=True,
    help="With one --route: also draw the next-best different routes.",
)
@click.option("--expected", is_flag=True, help="Count unbuilt segments from their expected opening.")
@click.option("--modes", default="rail", show_default=True, help="Modes for --route: rail, road, ferry, sea.")
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
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@click.option("--dpi", type=click.IntRange(50, 1200), default=300, show_default=True, help="Resolution of PNG output.")
@click.pass_context
def map_cmd(
    ctx: click.Context,
    as_of: date | None,
    route_pairs: tuple[tuple[str, str], ...],
    by: str,
    k: int,
    expected: bool,
    modes: str,
    compare_date: date | None,
    growth: str | None,
    extent: str | None,
    title: str | None,
    out_path: Path,
    force: bool,
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
    from corridors.output import FIGURE_FORMATS, check_target

    suffix = out_path.suffix.lower()
    allowed = (*FIGURE_FORMATS, ".gif") if growth else FIGURE_FORMATS
    if suffix not in allowed:
        raise click.BadParameter(
            f"{out_path}: write {', '.join(allowed)}" + ("" if growth else " (.gif only with --growth)"),
            param_hint="--out",
        )
    ext_box = _extent(extent) if extent else None
    years = _years(growth) if growth else []
    check_target(out_path, force=force)

    import geopandas as gpd
    from shapely import box

    from corridors.output import save_figure, save_growth_gif
    from corridors.plot import map_extent, plot_comparison, plot_network, plot_routes
    from corridors.plot_growth import plot_growth

    net = network_of(ctx)
    on = as_of or date.today()
    ext = map_extent(gpd.GeoSeries([box(*ext_box)], crs="EPSG:4326"), margin=0.0) if ext_box else None
    if growth:
        if suffix == ".gif":
            save_growth_gif(net, years, out_path, expected=expected, as_of=as_of, force=force)
        else:
            fig, _ = plot_growth(net, years, ncols=min(len(years), 5), expected=expected)
            if title:
                fig.suptitle(title, x=0.01, ha="left", fontweight="bold")
            save_figure(fig, out_path, dpi=dpi, force=force)
    elif compare_date:
        fig, _ = plot_comparison(
            [net, net],
            [on.isoformat(), compare_date.isoformat()],
            as_of=[on, compare_date],
            suptitle=title or f"Rail network on {on.isoformat()} and {compare_date.isoformat()}",
        )
        save_figure(fig, out_path, dpi=dpi, force=force)
    elif route_pairs:
        state = state_of(ctx, as_of=on, expected=expected, modes=modes)
        found = []
        for frm, to in route_pairs:
            found += state.routes(frm, to, k=k if len(route_pairs) == 1 else 1, by=by)
        fig, _ = plot_routes(net, found, as_of=on, extent=ext, title=title)
        save_figure(fig, out_path, dpi=dpi, force=force)
    else:
        if title:
            fig, _ = plot_network(net, as_of=on, extent=ext, title=title)
        else:
            fig, _ = plot_network(net, as_of=on, extent=ext)
        save_figure(fig, out_path, dpi=dpi, force=force)
    out.print(f"wrote {out_path}")
