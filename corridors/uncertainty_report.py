"""The uncertainty section of a comparison report: tables, charts and text, ready for ``report.py``.

:func:`uncertainty_section` runs the Monte Carlo draws of an options file (its dates, plus
1 January of every year from this year, or its first date if earlier, to 15 years ahead) and returns an
:class:`UncertaintySection`; :func:`write_uncertainty` writes its CSV files and charts into a
report folder; :func:`uncertainty_markdown` renders it as Markdown, with a sentence a reader can
check for every probability.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from corridors.network import Network
from corridors.options import OptionsFile
from corridors.uncertainty import (
    MonteCarloResult,
    connection_table,
    flip_table,
    monte_carlo_options,
    percentile_table,
    yearly_dates,
)

__all__ = [
    "UncertaintySection",
    "display_tables",
    "explanations",
    "uncertainty_html",
    "uncertainty_intro",
    "uncertainty_markdown",
    "uncertainty_section",
    "write_uncertainty",
]


@dataclass
class UncertaintySection:
    """Monte Carlo results of an options file, as tables.

    Attributes
    ----------
    result
        The draws.
    percentiles
        P10/P50/P90 of hours, days and cost and P(route) per option and report date.
    connection
        P(route) per option on 1 January of each year.
    flips
        P(ranking flips) per pair of options and report date.
    """

    result: MonteCarloResult
    percentiles: pd.DataFrame
    connection: pd.DataFrame
    flips: pd.DataFrame


def uncertainty_section(
    net: Network,
    options_file: OptionsFile,
    *,
    draws: int,
    seed: int = 0,
    service: str = "",
    client: Any = None,
    params_path: str | Path | None = None,
    horizon: int = 15,
) -> UncertaintySection:
    """Run the draws for a report and build its tables.

    Parameters
    ----------
    net
        The network; not modified.
    options_file
        From :func:`corridors.options.load_options`.
    draws, seed
        How many draws, from which seed.
    service
        Service profile for options that name none.
    client
        A Dask client, or None to run in this process (see :func:`corridors.uncertainty.open_client`).
    params_path
        A parameters file (the shipped one by default).
    horizon
        Years after the later of today and the last report date that P(route) is given for.
    """
    report_dates = list(options_file.dates) or [date.today()]
    first = min(date.today().year, *(d.year for d in report_dates))
    last = max(date.today().year, *(d.year for d in report_dates)) + horizon
    dates = sorted({*report_dates, *yearly_dates(first, last)})
    r = monte_carlo_options(
        net,
        options_file.options,
        dates,
        n_draws=draws,
        seed=seed,
        service=service,
        params_path=params_path,
        client=client,
    )
    shown = {d.isoformat() for d in report_dates}
    pt = percentile_table(r)
    ct = connection_table(r)
    ft = flip_table(r)
    return UncertaintySection(
        result=r,
        percentiles=pt[pt["date"].isin(shown)].reset_index(drop=True),
        connection=ct[ct["date"].str.endswith("-01-01")].reset_index(drop=True),
        flips=ft[ft["date"].isin(shown)].reset_index(drop=True),
    )


def write_uncertainty(section: UncertaintySection, folder: str | Path, *, dpi: int = 200) -> dict[str, Path]:
    """Write the section's CSV files and charts into ``folder`` (a report's temporary folder).

    Files: ``uncertainty_percentiles.csv``, ``uncertainty_connection.csv``, ``uncertainty_flips.csv``,
    ``uncertainty_fan.png/.svg`` and ``uncertainty_connection.png/.svg``. Returns the PNGs by title.
    """
    from corridors.output import save_figure
    from corridors.plot_uncertainty import plot_connection, plot_fan

    folder = Path(folder)
    section.percentiles.to_csv(folder / "uncertainty_percentiles.csv", index=False)
    section.connection.to_csv(folder / "uncertainty_connection.csv", index=False)
    section.flips.to_csv(folder / "uncertainty_flips.csv", index=False)
    images: dict[str, Path] = {}
    for title, stem, plot in (
        ("Transit time: P10–P90 over the draws", "uncertainty_fan", plot_fan),
        ("Probability that each option has a route", "uncertainty_connection", plot_connection),
    ):
        fig, _ = plot(section.result)
        images[title] = save_figure(fig, folder / f"{stem}.png", dpi=dpi)
        fig, _ = plot(section.result)
        save_figure(fig, folder / f"{stem}.svg")
    return images


def uncertainty_intro(section: UncertaintySection) -> str:
    """One paragraph: how many draws, from which seed and service, of which distributions."""
    r = section.result
    return (
        f"{r.n_draws:,} Monte Carlo draws (seed {r.seed}, service {r.service or 'base parameters'}). "
        f"Each draw is one world for every option: {r.distributions}. "
        "Unbuilt segments open at their expected date (or the date a scenario assumes) plus the drawn delay. "
        f"Percentiles are over the draws in which the option has a route; cost in {r.cost_unit}."
    )


def display_tables(section: UncertaintySection) -> dict[str, pd.DataFrame]:
    """The section's tables as displayed (rounded, percentages as text), by heading."""
    pt = section.percentiles
    out = {
        "Transit time and cost: P10 / P50 / P90": pd.DataFrame(
            {
                "option": pt["option"],
                "date": pt["date"],
                "P(route)": [f"{p:.0%}" for p in pt["p_route"]],
                **{f"days P{q}": pt[f"days_p{q}"].round(1) for q in (10, 50, 90)},
                **{f"cost P{q}": pt[f"cost_p{q}"].round(0) for q in (10, 50, 90)},
            }
        ),
        "Probability of a route by year (1 January)": section.connection.pivot(
            index="year", columns="option", values="p_connected"
        )
        .map(lambda p: f"{p:.0%}")
        .reset_index(),
    }
    if not section.flips.empty:
        f = section.flips
        out["Probability that the ranking flips"] = pd.DataFrame(
            {
                "options": f["option_a"] + " / " + f["option_b"],
                "date": f["date"],
                "better at the median": f["better_at_median"],
                "P(flip)": [f"{p:.0%}" for p in f["p_flip"]],
            }
        )
    return out


def explanations(section: UncertaintySection) -> list[str]:
    """One sentence a reader can check for each probability shown."""
    lines = [*section.percentiles["explanation"], *section.flips.get("explanation", pd.Series(dtype=str))]
    firsts = section.connection[section.connection["p_connected"] > 0].groupby("option", sort=False).head(1)
    return lines + list(firsts["explanation"])


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return "—" if v != v else f"{v:,.0f}" if v.is_integer() else f"{v:,.1f}"
    return str(v)


def uncertainty_markdown(section: UncertaintySection, images: dict[str, Path] | None = None) -> str:
    """The section as Markdown.

    How the draws were made, three tables, the charts (``images`` from :func:`write_uncertainty`),
    and one sentence a reader can check per probability.
    """
    lines = ["## Uncertainty", "", uncertainty_intro(section), ""]
    for title, df in display_tables(section).items():
        cols = [str(c) for c in df.columns]
        lines += [f"### {title}", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        for row in df.itertuples(index=False):
            lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
        lines.append("")
    for title, path in (images or {}).items():
        lines += [f"![{title}]({Path(path).name})", ""]
    lines += ["### How to read these probabilities", "", *[f"- {s}" for s in explanations(section)]]
    return "\n".join(lines) + "\n"


def uncertainty_html(section: UncertaintySection, images: dict[str, Path] | None = None) -> str:
    """The section as an HTML fragment for ``report.html``: intro, tables, charts (inlined) and explanations."""
    import base64
    import html

    from corridors.report_html import html_table

    parts = ["<section id='uncertainty'><h2>Uncertainty</h2>", f"<p>{html.escape(uncertainty_intro(section))}</p>"]
    for title, df in display_tables(section).items():
        parts.append(f"<h3>{html.escape(title)}</h3>{html_table(df)}")
    for title, path in (images or {}).items():
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        parts.append(f"<figure><img alt='{html.escape(title, quote=True)}' src='data:image/png;base64,{data}'>")
        parts.append(f"<figcaption>{html.escape(title)}</figcaption></figure>")
    parts.append("<h3>How to read these probabilities</h3><ul>")
    parts += [f"<li>{html.escape(s)}</li>" for s in explanations(section)]
    parts.append("</ul></section>")
    return "\n".join(parts)
