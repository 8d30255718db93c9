"""``corridors compare``: a report comparing corridor options."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click
from rich.table import Table
from rich.text import Text

from corridors.cli._common import err, named_file, network_of, out, params_path

__all__ = ["compare"]


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
@click.pass_context
def compare(ctx: click.Context, options_file: str, out_dir: Path, force: bool, dpi: int, pdf: bool, xlsx: bool) -> None:
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
    n_steps = sum(len(o_dates) for o_dates in [of.dates or [None]] for _ in of.options) + len(of.options) * 3 + 2
    words = ["corridors"]
    if ctx.obj.get("data"):
        words += ["--data", str(ctx.obj["data"])]
    if pfile:
        words += ["--params", str(pfile)]
    words += ["compare", str(options_file), "--out", str(out_dir)]
    words += (["--force"] if force else []) + (["--dpi", str(dpi)] if dpi != 200 else []) + (["--pdf"] if pdf else [])
    words += [] if xlsx else ["--no-xlsx"]
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

        report = build_report(net, of, command=command, progress=step, params_path=pfile)
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
