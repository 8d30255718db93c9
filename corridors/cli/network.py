"""``corridors validate``, ``info`` and ``export``: the network itself."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from corridors.cli._common import DATE, df_table, network_of, out, state_of

__all__ = ["export", "info", "validate"]


@click.command()
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
    from corridors.network import load_network, validate_network
    from corridors.stats import connectivity, summary

    path = path or ctx.obj.get("data")
    problems = validate_network(path, today=today)
    errors = [p for p in problems if p.severity == "error"]
    if as_json:
        click.echo(json.dumps({"errors": len(errors), "problems": [p.to_dict() for p in problems]}, indent=1))
    else:
        for p in problems:
            style = "red" if p.severity == "error" else "yellow"
            out.print(Text.assemble((p.severity, style), f": {str(p).split(': ', 1)[1]}"))
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


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def info(ctx: click.Context, as_json: bool) -> None:
    """Counts and kilometres by country, status, gauge and corridor.

    Kilometres by country are measured from the geometry against Natural Earth country polygons.

    \b
    Example:
      corridors info --json
    """
    from corridors.stats import km_by_corridor, km_by_country_status, km_by_gauge_status, summary

    net = network_of(ctx)
    tables = {
        "country": km_by_country_status(net),
        "gauge": km_by_gauge_status(net),
        "corridor": km_by_corridor(net),
    }
    s: dict[str, Any] = summary(net)
    if as_json:
        payload = dict(s)
        payload.update({f"km_by_{k}": json.loads(v.to_json(orient="index")) for k, v in tables.items()})
        click.echo(json.dumps(payload, indent=1))
        return
    out.print(
        Text.assemble(
            (f"{s['stations']} stations, {s['segments']} segments, {s['km_total']:,.0f} km", "bold"), f" ({net.source})"
        )
    )
    out.print("km by status: " + ", ".join(f"{k} {v:,.0f}" for k, v in s["km_by_status"].items()))
    out.print(f"gauge-change stations: {', '.join(s['gauge_change_stations']) or 'none'}")
    out.print(f"segments crossing a border: {s['border_segments']}\n")
    for key, t in tables.items():
        out.print(df_table(t, f"km by {key} and status", key))
        out.print()


@click.command()
@click.argument("out_path", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["gpkg", "geojson", "graphml"]),
    default=None,
    help="Output format; by default from the file name (.gpkg, .graphml, or a folder for GeoJSON).",
)
@click.option("--force", is_flag=True, help="Replace the output if corridors wrote it before.")
@click.pass_context
def export(ctx: click.Context, out_path: Path, fmt: str | None, force: bool) -> None:
    """Export the network to GeoPackage, a GeoJSON folder or GraphML.

    GraphML carries each segment's km, hours and cost as numbers (priced as of today with the
    run's parameters) and each station's lon/lat.

    \b
    Examples:
      corridors export network.gpkg
      corridors export network.graphml
      corridors export network_geojson/ --format geojson
    """
    from corridors.io import to_geojson, to_geopackage, to_graphml
    from corridors.output import check_target

    net = network_of(ctx)
    fmt = fmt or {".gpkg": "gpkg", ".graphml": "graphml"}.get(out_path.suffix.lower(), "geojson")
    check_target(out_path, force=force, folder=fmt == "geojson")
    if fmt == "gpkg":
        to_geopackage(net.stations, net.segments, out_path)
    elif fmt == "graphml":
        from corridors.tables import segment_prices

        to_graphml(net.graph, out_path, prices=segment_prices(net, state_of(ctx).params))
    else:
        to_geojson(net.stations, net.segments, out_path)
    out.print(f"wrote {out_path}")
