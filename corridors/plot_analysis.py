"""Maps and charts of network analysis results: segment criticality and transit shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from corridors import cartography as carto
from corridors._errors import DataError
from corridors.network import Network

__all__ = ["plot_criticality", "plot_transit_shares"]


def plot_criticality(
    net: Network,
    table: pd.DataFrame,
    *,
    column: str = "pairs_disconnected",
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    top: int = 8,
    cmap: str = "YlOrRd",
    figsize: tuple[float, float] | None = None,
) -> tuple[Figure, Axes]:
    """Map of segments coloured by how critical they are.

    Parameters
    ----------
    net
        The network state the table was computed on (its segments are drawn).
    table
        From :func:`segment_criticality`.
    column
        What colours the segments: ``pairs_disconnected`` (shown as a share of the OD pairs),
        ``added`` or ``pairs_longer``.
    ax
        Axes to draw on; a new figure when None.
    title, subtitle
        Texts above the map; sensible defaults.
    top
        Label this many of the most critical segments by rank.
    cmap
        A Matplotlib colour map name.
    figsize
        Size of a new figure, inches.

    Returns
    -------
    tuple of Figure and Axes

    Raises
    ------
    DataError
        If ``column`` is not in the table.

    Examples
    --------
    >>> from datetime import date
    >>> from corridors import load_network, network_as_of
    >>> from corridors.criticality import segment_criticality
    >>> from corridors.network import select_stations
    >>> net = network_as_of(load_network(), date(2026, 11, 28))
    >>> t = segment_criticality(net, select_stations(net, countries=["TJK", "UZB"]))
    >>> fig, ax = plot_criticality(net, t)
    >>> ax.get_title(loc="left").startswith("Segment criticality")
    True
    """
    from corridors.style import FONT, MAP_CRS, STYLE

    if column not in table.columns:
        msg = f"column {column!r} is not in the criticality table; use pairs_disconnected, added or pairs_longer"
        raise DataError(msg)
    fig, ax = carto.get_fig_ax(ax, figsize or (STYLE["figsize"][0], STYLE["figsize"][1] + 0.6))
    segs = net.segments[["id", "geometry"]].merge(table, left_on="id", right_on="segment", how="left")
    segs = gpd.GeoDataFrame(segs, geometry="geometry", crs=net.segments.crs).to_crs(MAP_CRS)
    values = segs[column].fillna(0.0).to_numpy(dtype=float)
    pairs = max(int(table.attrs.get("pairs", 0)), 1)
    unit = str(table.attrs.get("unit", ""))
    if column == "pairs_disconnected":
        values = 100.0 * values / pairs
        label = "OD pairs disconnected if the segment closes (% of pairs)"
    elif column == "added":
        label = f"added {unit} summed over OD pairs if the segment closes"
    else:
        label = f"{column.replace('_', ' ')} if the segment closes"
    bbox, (w, h) = ax.get_position(), fig.get_size_inches()
    extent = carto.map_extent(
        net.segments if len(net.segments) else net.stations, aspect=(bbox.width * w) / (bbox.height * h)
    )
    carto.draw_countries(ax, extent)
    zero = values <= 0
    if zero.any():
        segs[zero].plot(ax=ax, color="#9a9a9a", linewidth=1.0, zorder=3)
    vmax = float(values.max()) if len(values) and values.max() > 0 else 1.0
    norm = Normalize(vmin=0.0, vmax=vmax)
    colormap = plt.get_cmap(cmap)
    hot = segs[~zero].assign(_v=values[~zero]).sort_values("_v")
    for _, row in hot.iterrows():
        x, y = row.geometry.xy
        ax.plot(
            x,
            y,
            color=colormap(0.25 + 0.75 * norm(row["_v"])),
            linewidth=1.6 + 3.2 * norm(row["_v"]),
            solid_capstyle="round",
            zorder=4 + norm(row["_v"]),
        )
    mappable = plt.cm.ScalarMappable(norm=norm, cmap=_truncated(colormap))
    cbar = fig.colorbar(mappable, ax=ax, orientation="horizontal", fraction=0.045, pad=0.07, shrink=0.8)
    cbar.set_label(label, fontsize=FONT["legend"] + 0.5)
    cbar.ax.tick_params(labelsize=FONT["legend"])
    cbar.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    carto.frame(ax, extent)
    carto.scale_bar(ax, extent)
    # the most critical segments: a dot at the middle, their rank placed beside it without overlaps
    # (by the mapped column, so with the default column the numbers are the table's ranks)
    ranked = table[table[column] > 0].sort_values([column, "rank"], ascending=[False, True]).head(top)
    geo = segs.set_index("id")
    points: list[tuple[float, float, str, dict[str, Any]]] = []
    for n, seg_id in enumerate(ranked["segment"], 1):
        if seg_id in geo.index:
            p = geo.loc[seg_id].geometry.interpolate(0.5, normalized=True)
            points.append((p.x, p.y, f"#{n}", {"fontweight": "bold", "fontsize": FONT["label"] + 0.5}))
    if points:
        ax.scatter([q[0] for q in points], [q[1] for q in points], s=14, c="#111111", zorder=8)
        carto.place_labels(ax, points, [])
    handles = [
        Line2D([], [], color="#9a9a9a", linewidth=1.0),
        Line2D([], [], marker="o", markersize=4, linestyle="none", color="#111111"),
    ]
    labels = [
        {
            "pairs_disconnected": "closing it cuts no OD pair (routes may get longer)",
            "added": "closing it lengthens no route",
        }.get(column, f"{column.replace('_', ' ')}: 0"),
        "#n: the n-th largest value on this map",
    ]
    leg = ax.legend(handles, labels, loc="lower right", fontsize=FONT["legend"], framealpha=0.92, edgecolor="#bbbbbb")
    leg.set_zorder(10)
    by = table.attrs.get("by", "")
    carto.titles(
        ax,
        title or "Segment criticality",
        subtitle
        if subtitle is not None
        else f"effect of closing each segment on {pairs:,} OD pairs (best routes by {by}); {net.description}",
    )
    carto.attribution(ax, frames=(net.segments, net.stations))
    return fig, ax


def _truncated(cmap: Any) -> Any:
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("trunc", cmap(np.linspace(0.25, 1.0, 128)))


def plot_transit_shares(
    shares: Mapping[str, pd.DataFrame],
    *,
    column: str = "transit_share",
    countries: Sequence[str] | None = None,
    highlight: Sequence[str] = (),
    names: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> tuple[Figure, Axes]:
    """Grouped bars of each country's transit share in several network states.

    Parameters
    ----------
    shares
        ``{state label: table from country_shares}``, in the order to draw.
    column
        ``transit_share`` (default), ``transit_demand_share`` or ``km_share``.
    countries
        Countries to show, in order; every country with a non-zero value by default.
    highlight
        Countries (ISO3) whose labels are set in bold.
    names
        Labels of the countries by ISO3 code; Natural Earth's English names by default.
    ax
        Axes to draw on; a new figure when None.
    title, subtitle
        Texts above the chart.
    figsize
        Size of a new figure, inches.

    Returns
    -------
    tuple of Figure and Axes

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"transit_share": [0.5, 0.2]}, index=["TKM", "UZB"])
    >>> b = pd.DataFrame({"transit_share": [0.4, 0.3]}, index=["TKM", "AFG"])
    >>> fig, ax = plot_transit_shares({"today": a, "scenario": b})
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Turkmenistan', 'Afghanistan', 'Uzbekistan']
    """
    from corridors.style import FONT, PALETTE

    if not shares:
        msg = "plot_transit_shares needs at least one table"
        raise DataError(msg)
    labels = list(shares)
    wide = pd.concat({k: v[column] for k, v in shares.items()}, axis=1).fillna(0.0)
    if countries is None:
        wide = wide[(wide > 0).any(axis=1)]
        order = wide.max(axis=1).sort_values(ascending=False).index.tolist()
    else:
        order = list(countries)
        wide = wide.reindex(order).fillna(0.0)
    wide = wide.loc[order]
    n_c, n_s = len(order), len(labels)
    fig, ax = carto.get_fig_ax(ax, figsize or (7.5, 0.9 + 0.32 * n_c * max(n_s, 2)))
    height = 0.8 / n_s
    y = np.arange(n_c)
    for i, lab in enumerate(labels):
        vals = 100.0 * wide[lab].to_numpy()
        bars = ax.barh(
            y + (i - (n_s - 1) / 2) * height, vals, height=height * 0.92, color=PALETTE[i % len(PALETTE)], label=lab
        )
        for rect, v in zip(bars, vals, strict=True):
            ax.text(
                rect.get_width() + 0.8,
                rect.get_y() + rect.get_height() / 2,
                f"{v:.0f}%",
                va="center",
                fontsize=FONT["legend"],
                color="#333333",
            )
    if names is None:
        from corridors.geo import load_countries

        names = load_countries()["name"].to_dict()
    ax.set_yticks(y, [str(names.get(c, c)) for c in order])
    for t, code in zip(ax.get_yticklabels(), order, strict=True):
        if code in highlight:
            t.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    what = {"transit_share": "best routes", "transit_demand_share": "demand", "km_share": "route km"}.get(
        column, column
    )
    ax.set_xlabel(
        f"share of {what} in transit through the country (%)" if column != "km_share" else "share of route km (%)"
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(0.0, -0.6 / (ax.get_position().height * fig.get_size_inches()[1])),  # under the x label
        fontsize=FONT["legend"] + 0.5,
        frameon=False,
        borderaxespad=0.0,
    )
    if title:
        lines = subtitle.count("\n") + 1 if subtitle else 0
        ax.set_title(
            title, loc="left", fontsize=FONT["title"], fontweight="bold", pad=8 + 1.35 * FONT["subtitle"] * lines + 4
        )
    if subtitle:
        ax.annotate(
            subtitle,
            (0, 1),
            xycoords="axes fraction",
            xytext=(0, 8),
            textcoords="offset points",
            fontsize=FONT["subtitle"],
            color="#444444",
            va="bottom",
        )
    return fig, ax
