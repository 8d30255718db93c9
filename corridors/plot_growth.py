"""Growth of the rail network over time: a strip of yearly maps and the frames of the growth GIF."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from corridors import cartography as carto
from corridors.cartography import Extent, attribution_text, map_extent
from corridors.network import Network, is_open, with_modes
from corridors.plot import draw_segments, segment_status_on, style_keys
from corridors.style import FONT, GAUGE

__all__ = ["NEW_LINE_COLOR", "draw_growth_frame", "plot_growth"]


def plot_growth(
    net: Network,
    years: Sequence[int],
    *,
    ncols: int | None = None,
    figsize: tuple[float, float] | None = None,
    expected: bool = False,
) -> tuple[Figure, np.ndarray]:
    """Small multiples of the network on 1 January of each year (a strip of growth frames).

    Parameters
    ----------
    net
        The full network.
    years
        Years to draw.
    ncols
        Panels per row (all in one row by default).
    expected
        Count unbuilt segments from their expected opening (a projection).

    Returns
    -------
    tuple of Figure and numpy array of Axes

    Examples
    --------
    >>> from corridors import load_network
    >>> fig, axes = plot_growth(load_network(), [2000, 2010, 2020])
    >>> len(axes)
    3
    """
    net = with_modes(net, ["rail"])  # growth of the rail network
    n = len(years)
    ncols = ncols or n
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize or (3.4 * ncols, 3.3 * nrows), squeeze=False)
    flat = axes.ravel()
    bbox, (w, h) = flat[0].get_position(), fig.get_size_inches()
    extent = map_extent(net.segments, aspect=(bbox.width * w) / (bbox.height * h))
    for ax, year in zip(flat, years, strict=False):
        draw_growth_frame(net, year, ax=ax, extent=extent, expected=expected)
    for ax in flat[n:]:
        ax.set_visible(False)
    fig.text(
        0.01, 0.0, attribution_text(net.segments, net.stations), fontsize=FONT["attribution"], color="#666666", va="top"
    )
    return fig, flat[:n]


def _status_for_growth(segs: gpd.GeoDataFrame, on: date, expected: bool) -> pd.Series:
    if expected:
        return pd.Series(
            ["operational" if is_open(r, on, expected=True) else None for r in segs.to_dict("records")],
            index=segs.index,
            dtype=object,
        )
    return segment_status_on(segs, on, show_unbuilt=False)


#: Colour of the band under lines opened since the previous frame.
NEW_LINE_COLOR = "#f1c40f"


def draw_growth_frame(
    net: Network,
    year: int,
    *,
    ax: Axes,
    extent: Extent,
    expected: bool = False,
    legend: bool = False,
    on: date | None = None,
    previous: date | None = None,
    places: Sequence[str] | None = None,
    title: str | None = None,
) -> Axes:
    """One frame of the growth maps: lines open on 1 January of ``year`` (or on ``on``), with km open.

    Parameters
    ----------
    net
        The full network.
    year
        The frame's year (1 January) unless ``on`` is given.
    ax, extent
        Where to draw, and the extent shared by every frame.
    expected
        Count unbuilt segments from their expected opening (a projection).
    legend
        Draw a key that is the same on every frame (every gauge of the network, and the
        highlight of new lines).
    on
        The frame's date (overrides ``year``); openings on that very day are included.
    previous
        The previous frame's date: lines opened since then are highlighted.
    places
        Station ids to label on every frame (in the same place on every frame).
    title
        A title in the frame's top left corner; the year by default.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from corridors import load_network
    >>> import matplotlib.pyplot as plt
    >>> net = load_network()
    >>> _, ax = plt.subplots()
    >>> ax = draw_growth_frame(net, 2020, ax=ax, extent=map_extent(net.segments), previous=date(2019, 1, 1))
    >>> ax.get_title(loc="left")
    '2020'
    """
    net = with_modes(net, ["rail"])
    on = on or date(year, 1, 1)
    segs = net.segments
    status = _status_for_growth(segs, on, expected)
    carto.draw_countries(ax, extent, labels=False)
    if previous is not None:
        before = _status_for_growth(segs, previous, expected)
        new = segs[status.notna().to_numpy() & before.isna().to_numpy()]
        if not new.empty:
            carto.project(new).plot(ax=ax, color=NEW_LINE_COLOR, linewidth=6, alpha=0.7, zorder=2.5)
    draw_segments(ax, segs, status)
    carto.frame(ax, extent)
    km = segs.loc[status.notna().to_numpy(), "length_geodesic_km"].sum()
    ax.set_title(
        title or f"{year}", loc="left", fontsize=FONT["title"] - 2, fontweight="bold", fontfamily=FONT["family"]
    )
    box_text = ax.text(
        0.02,
        0.97,
        f"{km:,.0f} km open",
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize=FONT["legend"] + 1,
        zorder=10,
        bbox={"fc": "white", "ec": "#bbbbbb", "alpha": 0.9, "boxstyle": "round,pad=0.3"},
    )
    obstacles: list[Any] = [box_text]
    if legend:
        gauges = [g for g in GAUGE if g in set(style_keys(segs))]
        extra = [(Line2D([], [], color=NEW_LINE_COLOR, linewidth=6, alpha=0.7), "opened since the last frame")]
        obstacles.append(carto.draw_legend(ax, [], gauges, set(), extra=extra, title="Lines", loc="lower right"))
    if places:
        pts = carto.project(net.stations[net.stations["id"].isin(places)]).set_index("id")
        ids = [p for p in places if p in pts.index]
        ax.scatter(
            [pts.loc[p].geometry.x for p in ids],
            [pts.loc[p].geometry.y for p in ids],
            s=10,
            c="white",
            edgecolors="#333333",
            linewidths=0.6,
            zorder=7,
        )
        # Labels avoid every line of the network (not only the open ones), so they stay put
        # from frame to frame.
        points = [
            (pts.loc[p].geometry.x, pts.loc[p].geometry.y, str(pts.loc[p, "name"]), {"fontsize": 6.5}) for p in ids
        ]
        carto.place_labels(ax, points, carto.densified(segs, step_m=20_000), obstacles=obstacles)
    return ax
