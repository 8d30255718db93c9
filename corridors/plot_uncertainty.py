"""Charts of Monte Carlo results: a fan chart of transit time over dates, and P(connected) over dates."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from corridors._errors import UsageError
from corridors.style import PALETTE
from corridors.uncertainty import MonteCarloResult

__all__ = ["plot_connection", "plot_fan"]

_UNITS = {"hours": ("h", 1.0), "days": ("days", 24.0), "cost": ("", 1.0), "km": ("km", 1.0)}


def _fig_ax(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.get_figure(), ax  # type: ignore[return-value]


def _which(result: MonteCarloResult, options: Sequence[str] | None) -> list[int]:
    if options is None:
        return list(range(len(result.names)))
    unknown = [o for o in options if o not in result.names]
    if unknown:
        msg = f"no option {unknown[0]!r} in the result; options: {', '.join(result.names)}"
        raise UsageError(msg)
    return [result.names.index(o) for o in options]


def plot_fan(
    result: MonteCarloResult,
    *,
    measure: str = "days",
    options: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (8.0, 4.5),
) -> tuple[Figure, Axes]:
    """Fan chart: P10–P90 band and P50 line of each option's transit time (or cost) over the dates.

    Percentiles are over the draws with a route; a date where fewer than half the draws have a
    route is drawn with a dotted median line.

    Parameters
    ----------
    result
        From :func:`corridors.uncertainty.monte_carlo_options` (several dates make the fan).
    measure
        ``days``, ``hours``, ``cost`` or ``km``.
    options
        Option names to draw (all by default).
    ax
        Axes to draw on; a new figure when None.
    title
        Title above the chart; a default names the draws and seed.
    figsize
        Size of a new figure, inches.

    Returns
    -------
    tuple of Figure and Axes

    Raises
    ------
    UsageError
        For an unknown measure or option.
    """
    if measure not in _UNITS:
        msg = f"measure must be one of {', '.join(_UNITS)}, got {measure!r}"
        raise UsageError(msg)
    fig, ax = _fig_ax(ax, figsize)
    unit, div = _UNITS[measure]
    unit = unit or result.cost_unit
    arr = getattr(result, "hours" if measure == "days" else measure) / div
    x = np.array(result.dates, dtype="datetime64[D]")
    drawn = 0
    for n, i in enumerate(_which(result, options)):
        colour = PALETTE[n % len(PALETTE)]
        q = np.full((3, len(x)), np.nan)
        for t in range(len(x)):
            v = arr[i, t][np.isfinite(arr[i, t])]
            if len(v):
                q[:, t] = np.percentile(v, [10, 50, 90])
        if np.isnan(q).all():
            continue
        drawn += 1
        ax.fill_between(x, q[0], q[2], color=colour, alpha=0.2, linewidth=0, label=f"{result.names[i]} P10–P90")
        ax.plot(x, q[1], color=colour, linewidth=2, label=f"{result.names[i]} P50")
        sparse = result.connected[i].mean(axis=1) < 0.5
        if sparse.any():
            ax.plot(x[sparse], q[1][sparse], linestyle="none", marker="o", mfc="white", color=colour)
    if not drawn:
        warnings.warn("no option has a route in any draw: the fan chart is empty", UserWarning, stacklevel=2)
    ax.set_ylabel(f"transit {measure} ({unit})" if measure != "cost" else f"cost ({unit})")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", frameon=False)
    ax.set_title(
        title or f"Transit {measure}: P10–P90 over {result.n_draws:,} draws (seed {result.seed})",
        loc="left",
        fontsize="medium",
    )
    return fig, ax


def plot_connection(
    result: MonteCarloResult,
    *,
    options: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    figsize: tuple[float, float] = (8.0, 4.0),
) -> tuple[Figure, Axes]:
    """The probability that each option has a route, over the dates (a step per date).

    Parameters
    ----------
    result
        From :func:`corridors.uncertainty.monte_carlo_options`, e.g. on 1 January of every year.
    options
        Option names to draw (all by default).
    ax
        Axes to draw on; a new figure when None.
    title
        Title above the chart.
    figsize
        Size of a new figure, inches.

    Returns
    -------
    tuple of Figure and Axes
    """
    fig, ax = _fig_ax(ax, figsize)
    x = np.array(result.dates, dtype="datetime64[D]")
    for n, i in enumerate(_which(result, options)):
        p = result.connected[i].mean(axis=1)
        ax.step(x, p, where="post", color=PALETTE[n % len(PALETTE)], linewidth=2, label=result.names[i])
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("P(route exists)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", frameon=False)
    ax.set_title(
        title or f"Probability of a route, {result.n_draws:,} draws (seed {result.seed})", loc="left", fontsize="medium"
    )
    return fig, ax
