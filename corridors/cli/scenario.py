"""``corridors scenario``: list, check, run and compare scenario files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from corridors.cli._common import DATE, by_option, err, named_file, network_of, out, params_path

__all__ = ["scenario"]


@click.group()
def scenario() -> None:
    """Scenario files: list the shipped ones, check one, run one, compare two.

    \b
    Examples:
      corridors scenario list
      corridors scenario run geodata/scenarios/khaf_herat_complete.toml --out out/khaf_herat
      corridors scenario diff khaf_herat_1_3 khaf_herat_complete
    """


def scenario_path(name: str) -> Path:
    """A scenario file given as a path or as the id of a shipped scenario."""
    from corridors.scenario import shipped_scenarios

    return named_file(name, shipped_scenarios(), "scenario file", "SCENARIO")


@scenario.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def scenario_list(ctx: click.Context, as_json: bool) -> None:
    """List the shipped scenarios with their dates and descriptions."""
    from corridors.scenario import load_scenario, shipped_scenarios

    net = network_of(ctx)
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
    from corridors.scenario import apply_scenario, load_scenario, scenario_parameters

    net = network_of(ctx)
    s = load_scenario(scenario_path(scenario_file), net)
    apply_scenario(net, s)
    scenario_parameters(s, params_path(ctx))
    out.print(
        f"OK: {s.name} ({len(s.segment_changes)} segment change(s), {len(s.new_segments)} new segment(s), "
        f"{len(s.od)} OD pair(s), as of {s.date.isoformat()})"
    )


@scenario.command(name="run")
@click.argument("scenario_file")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Output folder.")
@click.option("--force", is_flag=True, help="Replace the output folder if an earlier corridors run wrote it.")
@by_option("time")
@click.option("--since", type=DATE, default=date(2010, 1, 1), show_default=True, help="Start of the timeline.")
@click.pass_context
def scenario_run(ctx: click.Context, scenario_file: str, out_dir: Path, force: bool, by: str, since: date) -> None:
    """Run a scenario: routes for its OD pairs, their timeline, maps and a summary, into a folder.

    SCENARIO_FILE is a path or the id of a shipped scenario (see `corridors scenario list`).

    \b
    Example:
      corridors scenario run five_nation_built --out out/fnrc
    """
    from corridors.output import check_target
    from corridors.runs import run_scenario, write_scenario_run
    from corridors.scenario import load_scenario

    check_target(out_dir, force=force, folder=True)
    net = network_of(ctx)
    s = load_scenario(scenario_path(scenario_file), net)
    with err.status(Text(f"running scenario {s.name} ...")):
        run = run_scenario(net, s, start=since, by=by, params_path=params_path(ctx))
        write_scenario_run(run, net, out_dir, force=force)
    out.print(run.summary())
    out.print(f"\nwrote {out_dir}/ (routes.csv, routes.geojson, timeline.csv, *.png, summary.md)")


@scenario.command(name="diff")
@click.argument("scenario_a")
@click.argument("scenario_b")
@by_option("time")
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=None, help="Also write the table as CSV.")
@click.option("--force", is_flag=True, help="Replace the CSV file if it exists.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def scenario_diff_cmd(
    ctx: click.Context, scenario_a: str, scenario_b: str, by: str, csv_path: Path | None, force: bool, as_json: bool
) -> None:
    """Compare two scenarios on their OD pairs: what improved, worsened, connected or disconnected."""
    from corridors.output import atomic_file, check_target
    from corridors.scenario import load_scenario
    from corridors.timeline import scenario_diff

    if csv_path:
        check_target(csv_path, force=force)
    net = network_of(ctx)
    a = load_scenario(scenario_path(scenario_a), net)
    b = load_scenario(scenario_path(scenario_b), net)
    table = scenario_diff(net, a, b, by=by, params_path=params_path(ctx))
    if csv_path:
        from corridors.tables import write_csv

        with atomic_file(csv_path, force=force) as tmp:
            write_csv(
                table, tmp, integers=[c for c in table.columns if c.startswith(("border_crossings", "gauge_changes"))]
            )
    if as_json:
        click.echo(table.to_json(orient="records", force_ascii=False, indent=1))
        return
    out.print(Text.assemble((a.name, "bold"), f" ({a.date}) → ", (b.name, "bold"), f" ({b.date}), by {by}"))
    t = Table(show_edge=False, header_style="bold")
    for col in ("pair", "outcome", "km a", "km b", "h a", "h b", "change"):
        t.add_column(col, justify="left" if col in ("pair", "outcome") else "right")

    def f(v: Any) -> str:
        return "—" if v is None or v != v else f"{v:,.0f}"

    for r in table.to_dict("records"):
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
