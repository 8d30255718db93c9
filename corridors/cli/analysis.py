"""``corridors od``, ``criticality`` and ``hubs``: network analysis on the CSR state graph.

``corridors od``, ``corridors criticality`` and ``corridors hubs``: OD matrices, segment
criticality and transit-hub scores on the network as of a date, with progress bars on long runs,
readable tables by default, ``--json`` for machines and ``--csv`` for spreadsheets.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pandas as pd
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from corridors.cli._common import by_option, err, out, split, state_of, state_options
from corridors.network import select_stations
from corridors.output import atomic_file, check_target

if TYPE_CHECKING:
    from corridors.network import Network
    from corridors.state import NetworkState

__all__ = ["criticality_cmd", "hubs_cmd", "od_cmd"]


#: Matrices with at most this many columns (after transposing) are printed as a table.
MAX_TABLE_COLUMNS = 8
#: Default station roles of ``corridors hubs`` without a station selection.
HUB_ROLES = ("port", "dry_port", "junction")


def _selection_options(f: Any) -> Any:
    """The options choosing the stations of the OD set."""
    for deco in reversed(
        [
            click.option(
                "--stations",
                multiple=True,
                help="Stations (ids or names; repeat or comma-separate): every pair among them.",
            ),
            click.option("--from-country", multiple=True, help="Origins: the stations of these ISO3 countries."),
            click.option(
                "--to-country", multiple=True, help="Destinations: the stations of these countries (default: origins)."
            ),
            click.option("--role", multiple=True, help="Keep only stations of these roles (port, junction, ...)."),
        ]
    ):
        f = deco(f)
    return f


def _state(
    ctx: click.Context,
    as_of: Any,
    expected: bool,
    open_segment: tuple[str, ...],
    close_segment: tuple[str, ...],
    modes: str,
) -> NetworkState:
    return state_of(
        ctx, as_of=as_of, expected=expected, open_segment=open_segment, close_segment=close_segment, modes=modes
    )


def _selection(
    net: Network,
    stations: tuple[str, ...],
    from_country: tuple[str, ...],
    to_country: tuple[str, ...],
    role: tuple[str, ...],
    default_roles: tuple[str, ...] | None = None,
) -> tuple[list[str], list[str]]:
    names, roles = split(stations), split(role) or None
    froms, tos = split(from_country), split(to_country)
    if names and (froms or tos):
        raise click.UsageError("give either --stations or --from-country/--to-country, not both")
    if tos and not froms:
        raise click.UsageError("--to-country needs --from-country")
    from corridors._errors import UsageError
    from corridors._validate import country_problem
    from corridors.schema import ROLES

    station_countries = {str(c) for c in net.stations["country"]}
    problems = [
        f"{flag}: {msg}"
        for flag, codes in (("--from-country", froms), ("--to-country", tos))
        for code in codes
        if (msg := country_problem(code, station_countries)) is not None
    ]
    problems += [f"--role: {r!r} is not one of {', '.join(ROLES)}" for r in roles or [] if r not in ROLES]
    if problems:
        raise UsageError("; ".join(problems))
    if names:
        chosen = select_stations(net, names, roles=roles)
        return chosen, chosen
    if froms:
        origins = select_stations(net, countries=froms, roles=roles)
        return origins, (select_stations(net, countries=tos, roles=roles) if tos else origins)
    if roles is None and default_roles:
        present = set(net.stations["role"])
        roles = [r for r in default_roles if r in present]
        if not roles:
            raise click.UsageError(
                f"no station with role {' or '.join(default_roles)}: choose stations with --stations"
            )
    chosen = select_stations(net, roles=roles)
    return chosen, chosen


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr (shown on a terminal only) and the callback that drives it."""
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def _num(v: Any, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return _json_value(v.item())
    return v


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _json_value(v) for k, v in rec.items()} for rec in df.to_dict("records")]


def _digits(by: str) -> int:
    return 1 if by == "time" else 0


def _write_csv(df: pd.DataFrame, path: Path, *, force: bool, index: bool = True) -> None:
    """A tidy CSV (blank where unreachable, integers as integers), written atomically."""
    from corridors.tables import write_csv

    with atomic_file(path, force=force) as tmp:
        write_csv(df, tmp, index=index)
    err.print(f"wrote {path}")


# --------------------------------------------------------------------------------------------
# corridors od
# --------------------------------------------------------------------------------------------
@click.command(name="od")
@state_options
@by_option("distance")
@_selection_options
@click.option("--force", is_flag=True, help="Replace output files that exist.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Processes for the searches.")
@click.option(
    "--csv", "csv_path", type=click.Path(path_type=Path), default=None, help="Write the matrix to this CSV file."
)
@click.option(
    "--long", "long_csv", is_flag=True, help="Write the CSV in long form: one row per origin, destination and value."
)
@click.option("--json", "as_json", is_flag=True, help="Print the matrix as JSON (null where there is no route).")
@click.pass_context
def od_cmd(
    ctx: click.Context,
    as_of: date | None,
    expected: bool,
    open_segment: tuple[str, ...],
    close_segment: tuple[str, ...],
    modes: str,
    by: str,
    stations: tuple[str, ...],
    from_country: tuple[str, ...],
    to_country: tuple[str, ...],
    role: tuple[str, ...],
    workers: int,
    csv_path: Path | None,
    long_csv: bool,
    as_json: bool,
    force: bool,
) -> None:
    """OD matrix: the best distance, time or cost between every pair of stations.

    Penalties are those of single routes: gauge changes only at stations with a facility, border
    dwell and fees. Unreachable pairs show as "—" (null in JSON, blank in CSV). Without a station
    selection every station is used.

    \b
    Examples:
      corridors od --stations Mashhad,Tashkent,Dushanbe,Herat --by time
      corridors od --from-country CHN --to-country IRN --by cost --csv chn_irn.csv --long
      corridors od --role port --as-of 2035-01-01 --expected --json
    """
    for p in (csv_path,):
        if p:
            check_target(p, force=force)
    state = _state(ctx, as_of, expected, open_segment, close_segment, modes)
    net = state.network
    origins, destinations = _selection(net, stations, from_country, to_country, role)
    with _progress(f"OD matrix {len(origins)} x {len(destinations)}") as advance:
        m = state.state_graph(by).od_matrix(origins, destinations, progress=advance, workers=workers)
    if csv_path:
        from corridors.tables import od_long

        _write_csv(od_long(m) if long_csv else m, csv_path, force=force, index=not long_csv)
    unit = m.attrs["unit"]
    if as_json:
        payload = {
            "by": by,
            "unit": unit,
            "network": net.description,
            "origins": list(m.index),
            "destinations": list(m.columns),
            "matrix": [[_json_value(float(v)) for v in row] for row in m.to_numpy()],
        }
        click.echo(json.dumps(payload, indent=1, ensure_ascii=False))
        return
    names = dict(zip(net.stations["id"], net.stations["name"], strict=True))
    off = m.to_numpy()[m.index.to_numpy()[:, None] != m.columns.to_numpy()[None, :]]
    reachable = int(pd.Series(off).map(math.isfinite).sum())
    out.print(
        Text.assemble(
            (f"OD matrix by {by} ({unit})", "bold"),
            f", {net.description}: {len(m.index)} x {len(m.columns)} stations, "
            f"{reachable:,} of {len(off):,} pairs connected",
        )
    )
    shown = m if len(m.columns) <= len(m.index) else m.T
    if len(shown.columns) > MAX_TABLE_COLUMNS:
        finite = off[pd.Series(off).map(math.isfinite).to_numpy()]
        if len(finite):
            out.print(
                f"  min {finite.min():,.{_digits(by)}f}, median {float(pd.Series(finite).median()):,.{_digits(by)}f}, "
                f"max {finite.max():,.{_digits(by)}f} {unit}"
            )
        out.print("  (too many columns to print: use --csv FILE or --json for the whole matrix)")
        return
    t = Table(show_edge=False, header_style="bold")
    t.add_column(f"{shown.index.name} \\ {shown.columns.name}")
    for c in shown.columns:
        t.add_column(names.get(c, c), justify="right")
    for idx, row in shown.iterrows():
        t.add_row(names.get(str(idx), str(idx)), *(_num(float(v), _digits(by)) for v in row))
    out.print(t)


# --------------------------------------------------------------------------------------------
# corridors criticality
# --------------------------------------------------------------------------------------------
@click.command(name="criticality")
@state_options
@by_option("distance")
@_selection_options
@click.option("--force", is_flag=True, help="Replace output files that exist.")
@click.option("--top", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Rows to print.")
@click.option(
    "--map",
    "map_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Also draw a map of the segments coloured by criticality (.png, .svg or .pdf).",
)
@click.option(
    "--csv", "csv_path", type=click.Path(path_type=Path), default=None, help="Write the whole table to this CSV file."
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole table as JSON.")
@click.pass_context
def criticality_cmd(
    ctx: click.Context,
    as_of: date | None,
    expected: bool,
    open_segment: tuple[str, ...],
    close_segment: tuple[str, ...],
    modes: str,
    by: str,
    stations: tuple[str, ...],
    from_country: tuple[str, ...],
    to_country: tuple[str, ...],
    role: tuple[str, ...],
    top: int,
    map_path: Path | None,
    csv_path: Path | None,
    as_json: bool,
    force: bool,
) -> None:
    """Segment criticality: what closing each segment does to the chosen OD pairs.

    For every open segment: the OD pairs that lose their last route, and the extra distance,
    time or cost summed over the pairs that keep one. Segments are ranked by pairs disconnected,
    then by the extra. Without a station selection every pair of stations is used.

    \b
    Examples:
      corridors criticality --as-of 2026-11-28 --top 10
      corridors criticality --from-country CHN --to-country IRN --by time --map critical.png
      corridors criticality --role port --role junction --csv criticality.csv
    """
    for p in (csv_path, map_path):
        if p:
            check_target(p, force=force)
    from corridors.criticality import segment_criticality

    state = _state(ctx, as_of, expected, open_segment, close_segment, modes)
    net = state.network
    origins, destinations = _selection(net, stations, from_country, to_country, role)
    with _progress(f"closing {len(net.segments)} segments one by one") as advance:
        table = segment_criticality(net, origins, destinations, by=by, progress=advance, graph=state.state_graph(by))
    if csv_path:
        _write_csv(table, csv_path, force=force, index=False)
    if map_path:
        from corridors.output import save_figure
        from corridors.plot_analysis import plot_criticality

        fig, _ = plot_criticality(net, table)
        save_figure(fig, map_path, dpi=200, force=force)
        err.print(f"wrote {map_path}")
    a = table.attrs
    if as_json:
        payload = {
            "by": by,
            "unit": a["unit"],
            "network": net.description,
            "pairs": a["pairs"],
            "pairs_connected": a["pairs_connected"],
            "segments": _records(table),
        }
        click.echo(json.dumps(payload, indent=1, ensure_ascii=False))
        return
    out.print(
        Text.assemble(
            (f"Segment criticality by {by}", "bold"),
            f", {net.description}: {len(table)} segments, {a['pairs']:,} OD pairs ({a['pairs_connected']:,} connected)",
        )
    )
    t = Table(show_edge=False, header_style="bold")
    for col, just in (
        ("#", "right"),
        ("segment", "left"),
        ("bridge", "left"),
        ("pairs cut", "right"),
        ("longer", "right"),
        (f"added {a['unit']}", "right"),
        ("per pair", "right"),
    ):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in table.head(top).to_dict("records"):
        t.add_row(
            str(r["rank"]),
            str(r["name"] or r["segment"]),
            "yes" if r["bridge"] else "",
            f"{r['pairs_disconnected']:,}",
            f"{r['pairs_longer']:,}",
            _num(float(r["added"]), _digits(by)),
            _num(float(r["added_mean"]), _digits(by)),
        )
    out.print(t)
    hidden = len(table) - top
    if hidden > 0:
        out.print(f"  ... and {hidden} more (--top, --csv or --json for all)")


# --------------------------------------------------------------------------------------------
# corridors hubs
# --------------------------------------------------------------------------------------------
@click.command(name="hubs")
@state_options
@by_option("distance")
@_selection_options
@click.option("--force", is_flag=True, help="Replace output files that exist.")
@click.option("--top", type=click.IntRange(1, 10_000), default=15, show_default=True, help="Stations to print.")
@click.option(
    "--csv", "csv_path", type=click.Path(path_type=Path), default=None, help="Write the country table to this CSV file."
)
@click.option(
    "--stations-csv", type=click.Path(path_type=Path), default=None, help="Write the station table to this CSV file."
)
@click.option("--json", "as_json", is_flag=True, help="Print both tables as JSON.")
@click.pass_context
def hubs_cmd(
    ctx: click.Context,
    as_of: date | None,
    expected: bool,
    open_segment: tuple[str, ...],
    close_segment: tuple[str, ...],
    modes: str,
    by: str,
    stations: tuple[str, ...],
    from_country: tuple[str, ...],
    to_country: tuple[str, ...],
    role: tuple[str, ...],
    top: int,
    csv_path: Path | None,
    stations_csv: Path | None,
    as_json: bool,
    force: bool,
) -> None:
    """Transit hubs: the share of best routes passing through each country and station.

    A country is in transit on a route that enters it (a station there, or a segment running at
    least routing.country_passage_min_km through it) without starting or ending there; the
    origin's and destination's countries are counted separately. Without a station selection
    every pair of ports and junctions is used.

    \b
    Examples:
      corridors hubs --from-country CHN --to-country IRN --by time
      corridors hubs --from-country TJK --to-country IRN --as-of 2035-01-01 --expected --json
      corridors hubs --stations "Tashkent,Dushanbe,Mashhad,Herat,Bandar Abbas" --csv countries.csv
    """
    for p in (csv_path, stations_csv):
        if p:
            check_target(p, force=force)
    from corridors.hubs import best_routes, country_shares, station_shares

    state = _state(ctx, as_of, expected, open_segment, close_segment, modes)
    net = state.network
    origins, destinations = _selection(net, stations, from_country, to_country, role, default_roles=HUB_ROLES)
    with _progress(f"best routes from {len(origins)} origins") as advance:
        routes = best_routes(net, origins, destinations, by=by, progress=advance, graph=state.state_graph(by))
    countries = country_shares(routes)
    by_station = station_shares(net, routes)
    if csv_path:
        _write_csv(countries, csv_path, force=force)
    if stations_csv:
        _write_csv(by_station, stations_csv, force=force)
    n_routes, n_pairs = countries.attrs["routes"], countries.attrs["pairs"]
    if as_json:
        payload = {
            "by": by,
            "network": net.description,
            "pairs": n_pairs,
            "routes": n_routes,
            "countries": _records(countries.reset_index()),
            "stations": _records(by_station.reset_index()),
        }
        click.echo(json.dumps(payload, indent=1, ensure_ascii=False))
        return
    out.print(
        Text.assemble(
            (f"Transit hubs by {by}", "bold"),
            f", {net.description}: {n_routes:,} of {n_pairs:,} OD pairs connected "
            f"({len(origins)} origins, {len(destinations)} destinations)",
        )
    )
    t = Table(title="Countries", title_justify="left", show_edge=False, header_style="bold")
    for col in ("country", "transit routes", "transit share", "at an end", "share of route km"):
        t.add_column(col, justify="left" if col == "country" else "right")
    for c, r in countries.iterrows():
        t.add_row(
            str(c),
            f"{int(r['transit_routes']):,}",
            f"{100 * r['transit_share']:.1f}%",
            f"{100 * r['endpoint_share']:.1f}%",
            f"{100 * r['km_share']:.1f}%",
        )
    out.print(t)
    out.print()
    s = Table(title=f"Stations passed through (top {top})", title_justify="left", show_edge=False, header_style="bold")
    for col in ("station", "country", "role", "routes", "share"):
        s.add_column(col, justify="right" if col in ("routes", "share") else "left")
    for _sid, r in by_station.head(top).iterrows():
        s.add_row(
            str(r["name"]),
            str(r["country"]),
            str(r["role"]),
            f"{int(r['routes_through']):,}",
            f"{100 * r['share']:.1f}%",
        )
    out.print(s)
