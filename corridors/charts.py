"""Charts (not maps): routes over time as step lines, options side by side.

Like :mod:`corridors.plot`, functions take ``ax=None``, return ``(fig, ax)`` and save nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from corridors.style import FONT, PALETTE

__all__ = ["METRIC_LABELS", "plot_timeline"]

METRIC_LABELS = {
    "km": "Route length (km)",
    "hours": "Transit time (hours)",
    "days": "Transit time (days)",
    "cost": "Cost (USD per TEU)",
    "generalized": "Generalized cost (USD per TEU)",
    "border_crossings": "Border crossings",
    "gauge_changes": "Gauge changes",
}


def plot_timeline(
    table: pd.DataFrame,
    *,
    metric: str = "days",
    end: date | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    group: str = "pair",
) -> tuple[Figure, Axes]:
    """Step lines of a :func:`corridors.timeline.timeline` table: one line per pair (or option).

    A pair appears from the date it first connects; a gap means it is not connected then.

    Parameters
    ----------
    table
        Rows with ``date``, ``connected`` and the metric column (``days`` is hours / 24).
    metric
        ``km``, ``hours``, ``days``, ``cost``, ``generalized``, ``border_crossings`` or ``gauge_changes``.
    end
        The last date on the x axis (default: the last row's date plus a year).
    group
        The column naming the lines.

    Returns
    -------
    tuple of Figure and Axes

    Examples
    --------
    >>> t = pd.DataFrame({"pair": ["A", "A"], "date": [date(2020, 1, 1), date(2022, 1, 1)],
    ...                   "connected": [True, True], "hours": [100.0, 80.0]})
    >>> fig, ax = plot_timeline(t, metric="hours")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['A']
    """
    if metric not in METRIC_LABELS:
        msg = f"unknown metric {metric!r}; use one of {', '.join(METRIC_LABELS)}"
        raise ValueError(msg)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.5, 4.6))
    else:
        fig = ax.figure  # type: ignore[assignment]
    data = table.copy()
    if metric == "days":
        data["days"] = pd.to_numeric(data["hours"]) / 24
    last = max(data["date"]) if len(data) else date.today()
    end = end or (last + timedelta(days=365))
    for i, (name, g) in enumerate(data.groupby(group, sort=False)):
        g = g.sort_values("date")
        xs, ys = [], []
        for rec in g.to_dict("records"):
            xs.append(rec["date"])
            ys.append(float(rec[metric]) if rec["connected"] else float("nan"))
        xs.append(end)
        ys.append(ys[-1])
        ax.step(xs, ys, where="post", color=PALETTE[i % len(PALETTE)], linewidth=2.2, label=str(name))
        for x, y in zip(xs[:-1], ys[:-1], strict=True):
            if y == y:
                ax.plot([x], [y], "o", color=PALETTE[i % len(PALETTE)], markersize=3.5)
    ax.set_ylabel(METRIC_LABELS[metric], fontsize=FONT["legend"] + 2)
    first = min(data["date"]) if len(data) else end
    ax.set_xlim(first, end)  # type: ignore[arg-type]
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=FONT["legend"] + 1, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title, loc="left", fontsize=FONT["title"], fontweight="bold")
    ax.text(
        0,
        -0.14,
        "A line starts when the pair first connects by rail; steps mark openings.",
        transform=ax.transAxes,
        fontsize=FONT["attribution"] + 1,
        color="#666666",
    )
    return fig, ax
