"""``corridors compare``: a report comparing corridor options."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from corridors.cli._common import err, named_file, network_of, out, params_of, params_path
from corridors.cli.route import mc_options, print_draws

__all__ = ["compare", "print_uncertainty"]


@click.command()
@click.argument("options_file")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Report folder to write.")
@click.option(
    "--force",
    is_flag=True,
    help="Replace the report folder if an earlier corridors run wrote it (only once the new one is complete).",
)
@click.option("--dpi", type=click.IntRange(72, 600), default=200, show_default=True, help="Resolution of PNG maps.")
@click.option("--pdf", is_flag=True, help="Also write report.pdf (report.html printed by headless Chromium).")
@click.option("--xlsx/--no-xlsx", default=True, show_default=True, help="Also write report.xlsx.")
@mc_options
@click.pass_context
def compare(
    ctx: click.Context,
    options_file: str,
    out_dir: Path,
    force: bool,
    dpi: int,
    pdf: bool,
    xlsx: bool,
    service: str | None,
    draws: int,
    seed: int,
    scheduler: str,
) -> None:
    """Compare corridor options and write a report folder.

    OPTIONS_FILE is a TOML file of options (origin, destination, constraints, scenario or date,
    criterion), or the id of a shipped one (tajikistan_gulf, western_china_iran). The report holds
    report.md, a self-contained report.html, options.csv, routes.geojson, maps (PNG and SVG), a
    chart over time, the assumptions used and the sources of every segment on the routes.

    \b
    Examples:
      corridors compare tajikistan_gulf --out reports/tajikistan_gulf
      corridors compare my_options.toml --out reports/mine --force
      corridors compare western_china_iran --out reports/wci --service block_train
      corridors compare tajikistan_gulf --out reports/tg --draws 1000 --seed 1
    """
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from corridors.options import load_options, shipped_options
    from corridors.output import check_target
    from corridors.report import build_report, write_report

    path = named_file(options_file, shipped_options(), "options file", "OPTIONS_FILE")
    if pdf:
        from corridors.report_pdf import find_chromium

        find_chromium()  # a missing browser is reported before any work
    check_target(out_dir, force=force, folder=True)
    net = network_of(ctx)
    pfile = params_path(ctx)
    of = load_options(path, net, params_path=pfile)  # every problem is reported before any work starts
    if service:
        from dataclasses import replace

        params_of(ctx).for_service(service)  # an unknown service fails here, before any work
        of = replace(of, options=tuple(replace(o, service=o.service or service) for o in of.options))
    n_steps = sum(len(o_dates) for o_dates in [of.dates or [None]] for _ in of.options) + len(of.options) * 3 + 2
    words = ["corridors"]
    if ctx.obj.get("data"):
        words += ["--data", str(ctx.obj["data"])]
    if pfile:
        words += ["--params", str(pfile)]
    words += ["compare", str(options_file), "--out", str(out_dir)]
    words += (["--force"] if force else []) + (["--dpi", str(dpi)] if dpi != 200 else []) + (["--pdf"] if pdf else [])
    words += [] if xlsx else ["--no-xlsx"]
    words += ["--service", service] if service else []
    words += ["--draws", str(draws), "--seed", str(seed)] if draws else []
    command = shlex.join(words)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("comparing options", total=n_steps)

        def step(msg: str) -> None:
            bar.update(task, advance=1, description=msg)

        from corridors.uncertainty import open_client

        with open_client(scheduler if draws else "serial") as client:
            report = build_report(
                net, of, command=command, progress=step, params_path=pfile, draws=draws, seed=seed, client=client
            )
        write_report(report, net, out_dir, force=force, dpi=dpi, progress=step, pdf=pdf, xlsx=xlsx)
    out.print(Text(of.title, style="bold"))
    for v in report.verdicts:
        out.print(f"  • {v}")
    table = Table(show_edge=False, header_style="bold")
    table.add_column("option", max_width=28)  # names wrap; numbers never do
    for col in ("date", "km", "days", "cost", "borders", "gauges", "best"):
        table.add_column(col, justify="left" if col == "date" else "right", no_wrap=True)

    def f(v: Any, fmt: str = "{:,.0f}") -> str:
        return "—" if v is None or v != v else fmt.format(v)

    for r in report.table.to_dict("records"):
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
    if report.uncertainty is not None:
        print_uncertainty(report.uncertainty)


def print_uncertainty(section: Any) -> None:
    """Percentiles per option and date, P(route) by year and P(flip) per pair of options."""
    r = section.result
    out.print(Text(f"\nUncertainty: {r.n_draws:,} draws (seed {r.seed})", style="bold"))
    print_draws(section.percentiles, r.cost_unit, r.distributions)
    for name, rows in section.connection.groupby("option", sort=False):
        by_year = ", ".join(f"{y} {p:.0%}" for y, p in zip(rows["year"], rows["p_connected"], strict=True))
        out.print(f"  P(route) {name}: {by_year}")
    for rec in section.flips.to_dict("records"):
        out.print(f"  P(flip) {rec['date']}: {rec['explanation']}")
