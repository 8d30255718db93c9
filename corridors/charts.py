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

__all__ = ["METRIC_LABELS", "plot_timeline", "y_range"]


def y_range(values: list[float], *, margin: float = 0.2) -> tuple[float, float]:
    """Limits of a value axis fitted to the data, with a margin above and below.

    The axis starts at zero when the data come within a third of their maximum of it;
    otherwise it is fitted to the data, so small differences between options are visible.

    Examples
    --------
    >>> y_range([7.8, 8.8])
    (7.6, 9.0)
    >>> y_range([1.0, 9.0])
    (0.0, 10.6)
    >>> y_range([])
    (0.0, 1.0)
    """
    finite = [v for v in values if v == v]
    if not finite:
        return 0.0, 1.0
    lo, hi = min(finite), max(finite)
    span = max(hi - lo, 0.1 * abs(hi), 1e-9)
    top = hi + margin * span
    if lo - margin * span <= 0 or lo < hi / 3:
        return 0.0, round(top, 6)
    return round(lo - margin * span, 6), round(top, 6)


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
    values: list[float] = []
    for i, (name, g) in enumerate(data.groupby(group, sort=False)):
        color = PALETTE[i % len(PALETTE)]
        g = g.sort_values("date")
        xs, ys = [], []
        for rec in g.to_dict("records"):
            xs.append(rec["date"])
            ys.append(float(rec[metric]) if rec["connected"] else float("nan"))
        xs.append(end)
        ys.append(ys[-1])
        ax.step(xs, ys, where="post", color=color, linewidth=2.2, label=str(name), zorder=3)
        for x, y in zip(xs[:-1], ys[:-1], strict=True):
            if y == y:
                ax.plot([x], [y], "o", color=color, markersize=3.5, zorder=3)
                values.append(y)
        if ys[-1] == ys[-1]:  # the value at the end, written at the line's end
            ax.annotate(
                f"{ys[-1]:,.1f}" if abs(ys[-1]) < 100 else f"{ys[-1]:,.0f}",
                (end, ys[-1]),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=FONT["legend"] + 1,
                color=color,
                fontweight="bold",
            )
    ax.set_ylabel(METRIC_LABELS[metric], fontsize=FONT["legend"] + 2)
    first = min(data["date"]) if len(data) else end
    span_days = max((end - first).days, 1)
    # a little room left of the first date, so a line starting there does not sit on the axis
    ax.set_xlim(first - timedelta(days=round(span_days * 0.015)), end)  # type: ignore[arg-type]
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    lo, hi = y_range(values)
    ax.set_ylim(lo, hi)
    n = data[group].nunique() if len(data) else 0
    ax.legend(
        fontsize=FONT["legend"] + 1,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(0.0, -0.1),
        ncol=1 if n > 3 else max(n, 1),
        borderaxespad=0.0,
    )
    if title:
        ax.set_title(title, loc="left", fontsize=FONT["title"], fontweight="bold")
    note = "A line starts when the option first has a rail route; steps mark openings."
    if lo > 0:
        note += f" The axis starts at {lo:,.3g}, not zero."
    ax.text(
        0,
        -0.16 - 0.06 * (n if n > 3 else 1),
        note,
        transform=ax.transAxes,
        fontsize=FONT["attribution"] + 1,
        color="#666666",
        va="top",
    )
    return fig, ax
