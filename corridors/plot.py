"""Maps of the network, of routes, of two states side by side and of the network's growth.

Every function draws on a Matplotlib axes (a new one when ``ax`` is None), returns
``(fig, ax)`` (or ``(fig, axes)``) and saves nothing: scripts and the CLI save. All styling
comes from :mod:`corridors.style`; every map uses the same equal-area projection
(:data:`corridors.style.MAP_CRS`).
"""

from __future__ import annotations

import logging
import textwrap
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
from shapely import Point

from corridors import cartography as carto
from corridors.cartography import Extent, Label, country_labels, map_extent
from corridors.geo import load_countries
from corridors.network import Network, is_open, with_modes
from corridors.routing import Route
from corridors.style import FONT, GAUGE, KEY_STATIONS, MAP_CRS, PALETTE, ROLE, STATUS, STYLE, style_key

__all__ = [
    "draw_segments",
    "map_extent",
    "plot_comparison",
    "plot_network",
    "plot_routes",
    "route_label",
    "segment_status_on",
    "style_keys",
]

log = logging.getLogger(__name__)


#: Opacity of the network drawn under routes (the legend's gauge swatches use the same).
BASE_ALPHA = 0.5
#: Border dash pattern on route maps (dash-dot, unlike any line status).
BORDER_DASH: Any = (0, (7, 2, 1.5, 2))
_MARK_STYLE = {"fontsize": 6.8, "color": "#333333", "fontstyle": "italic"}

_STATUS_ORDER = ["proposed", "planned", "under_construction", "closed", "operational"]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def segment_status_on(segments: gpd.GeoDataFrame, on: date | None, *, show_unbuilt: bool = True) -> pd.Series:
    """How each segment is drawn on a map of a date: its status then, or None to hide it.

    Open that day -> ``operational``; closed by then -> ``closed``; not yet built ->
    its current status (under construction, planned, proposed) if ``show_unbuilt``; an
    operational line that opened later is hidden (what it was before is not in the data).

    Examples
    --------
    >>> from corridors import load_network
    >>> s = segment_status_on(load_network().segments, date(1900, 1, 1), show_unbuilt=False)
    >>> set(s.dropna()) <= {"operational"}
    True
    """
    if on is None:
        return pd.Series(segments["status"].to_numpy(), index=segments.index, dtype=object)
    out: list[str | None] = []
    for rec in segments[["status", "opened", "expected_opening", "closed"]].to_dict("records"):
        if is_open(rec, on):
            out.append("operational")
        elif rec["status"] == "closed" and rec["closed"] and str(rec["closed"]) <= on.isoformat():
            out.append("closed")
        elif rec["status"] in ("under_construction", "planned", "proposed"):
            out.append(rec["status"] if show_unbuilt else None)
        else:
            out.append(None)
    return pd.Series(out, index=segments.index, dtype=object)


def style_keys(segs: pd.DataFrame) -> pd.Series:
    """Each segment's line-style key: its gauge on rail, else its mode (road, ferry, sea)."""
    modes = segs["mode"] if "mode" in segs else pd.Series("rail", index=segs.index)
    return pd.Series([style_key(g, m) for g, m in zip(segs["gauge"], modes, strict=True)], index=segs.index)


def draw_segments(ax: Axes, segs: gpd.GeoDataFrame, status: pd.Series, *, zorder: float = 3) -> dict[str, Any]:
    """Draw segments by status (dash) and gauge (colour, width); return artists per (status, gauge)."""
    artists: dict[str, Any] = {}
    proj = carto.project(segs)
    keys = style_keys(proj)
    for st in _STATUS_ORDER:
        for gauge, gstyle in GAUGE.items():
            sel = proj[(status == st).to_numpy() & (keys == gauge).to_numpy()]
            if sel.empty:
                continue
            sstyle = STATUS[st]
            z = zorder + _STATUS_ORDER.index(st) * 0.1
            base = sel.plot(
                ax=ax,
                color=gstyle["color"],
                linewidth=gstyle["linewidth"],
                linestyle=sstyle["linestyle"],
                alpha=sstyle["alpha"],
                zorder=z,
            )
            artists[f"{st}/{gauge}"] = base.collections[-1]
            if "inner" in gstyle:
                sel.plot(
                    ax=ax,
                    color=gstyle["inner"],
                    linewidth=gstyle["linewidth"] / 3,
                    linestyle=sstyle["linestyle"],
                    zorder=z + 0.01,
                )
    return artists


def _station_points(net: Network, keep: set[str] | None) -> gpd.GeoDataFrame:
    st = net.stations if keep is None else net.stations[net.stations["id"].isin(keep)]
    return carto.project(st)


def _draw_stations(ax: Axes, stations: gpd.GeoDataFrame, *, zorder: float = 5) -> set[str]:
    used: set[str] = set()
    for role, rs in ROLE.items():
        if role == "gauge_change":
            sel = stations[stations["gauge_change"].map(bool)]
        else:
            sel = stations[stations["role"] == role]
        if sel.empty:
            continue
        used.add(role)
        ax.scatter(
            sel.geometry.x,
            sel.geometry.y,
            s=rs["size"],
            marker=rs["marker"],
            c=rs["color"],
            edgecolors=rs["edge"],
            linewidths=0.6,
            zorder=zorder + (1 if role == "gauge_change" else 0),
            label=f"_station_{role}",
        )
    return used


def _label_priority(net: Network, station_ids: Sequence[str] | None) -> list[str]:
    if station_ids is not None:
        return list(station_ids)
    degree = dict(net.graph.degree())
    rank = {"port": 0, "dry_port": 1, "junction": 2, "border_station": 3, "station": 4}
    st = net.stations.copy()
    st["deg"] = st["id"].map(degree).fillna(0)
    st["r"] = st["role"].map(rank).fillna(5) - st["gauge_change"].map(bool) * 1.5
    st = st.sort_values(["r", "deg"], ascending=[True, False])
    ids = list(st["id"])
    return [s for s in KEY_STATIONS if s in ids] + [s for s in ids if s not in KEY_STATIONS]


def _used(status: pd.Series, segs: gpd.GeoDataFrame) -> tuple[list[str], list[str]]:
    shown = status.notna().to_numpy()
    statuses = [s for s in STATUS if s in set(status[shown])]
    gauges = [g for g in GAUGE if g in set(style_keys(segs.loc[shown]))]
    return statuses, gauges


# --------------------------------------------------------------------------------------------
# Public plots
# --------------------------------------------------------------------------------------------
def plot_network(
    net: Network,
    *,
    ax: Axes | None = None,
    as_of: date | None = None,
    show_unbuilt: bool = True,
    extent: Extent | None = None,
    title: str | None = "Rail network of Iran, Afghanistan and Central Asia",
    subtitle: str | None = None,
    labels: Sequence[str] | None = None,
    max_labels: int = 45,
    legend: bool = True,
    scale_bar: bool = True,
    attribution: bool = True,
    figsize: tuple[float, float] | None = None,
    modes: Sequence[str] = ("rail",),
) -> tuple[Figure, Axes]:
    """Map of the network: segments by status and gauge, stations by role, labels, legend, scale bar.

    Parameters
    ----------
    net
        The network (not modified).
    ax
        Axes to draw on; a new figure when None.
    as_of
        Draw the network as it stood on this date (see :func:`segment_status_on`); the segments'
        current status when None.
    show_unbuilt
        Also draw lines not yet open (dashed/dotted by status).
    extent
        ``(xmin, xmax, ymin, ymax)`` in :data:`~corridors.style.MAP_CRS` metres; fits the network
        when None (see :func:`map_extent`).
    title, subtitle
        Texts above the map; the subtitle defaults to the date and counts.
    labels
        Station ids to label, in priority order; key stations (ports, junctions, gauge-change
        and border stations) by default. Labels that would overlap are dropped.
    max_labels
        At most this many labels.
    legend, scale_bar, attribution
        Whether to draw them.
    figsize
        Size of a new figure, inches.
    modes
        The modes whose segments are drawn (rail only by default; ``road``, ``ferry``, ``sea``).

    Returns
    -------
    tuple of Figure and Axes

    Examples
    --------
    >>> from corridors import load_network
    >>> fig, ax = plot_network(load_network(), as_of=date(2026, 11, 28))
    >>> ax.get_legend() is not None
    True
    """
    fig, ax = carto.get_fig_ax(ax, figsize)
    net = with_modes(net, modes)
    segs = net.segments
    status = segment_status_on(segs, as_of, show_unbuilt=show_unbuilt)
    shown = segs[status.notna().to_numpy()]
    if extent is None:
        bbox, (w, h) = ax.get_position(), fig.get_size_inches()
        extent = map_extent(shown if not shown.empty else net.stations, aspect=(bbox.width * w) / (bbox.height * h))
    carto.draw_countries(ax, extent, labels=False)
    draw_segments(ax, segs, status)
    on_map = set(shown["from"]) | set(shown["to"])
    st = _station_points(net, on_map)
    roles = _draw_stations(ax, st)
    carto.frame(ax, extent)
    obstacles: list[Any] = []
    if legend:
        statuses, gauges = _used(status, segs)
        obstacles.append(carto.draw_legend(ax, statuses, gauges, roles))
    if scale_bar:
        obstacles.append(carto.scale_bar(ax, extent))
    order = [s for s in _label_priority(net, labels) if s in on_map][:max_labels]
    pts = st.set_index("id")
    points: list[Label | tuple[float, float, str, dict[str, Any]]] = [
        (pts.loc[s].geometry.x, pts.loc[s].geometry.y, str(pts.loc[s, "name"]), {"key": s in KEY_STATIONS})
        for s in order
    ]
    # One pass for every label: stations first, then country names where room is left.
    carto.place_labels(ax, [*points, *country_labels(extent)], carto.densified(shown), obstacles=obstacles)
    if subtitle is None:
        when = f"as of {as_of.isoformat()}" if as_of else "current status of every segment"
        subtitle = f"{when}; {len(shown)} segments, {shown['length_geodesic_km'].sum():,.0f} km shown"
    carto.titles(ax, title, subtitle)
    if attribution:
        carto.attribution(ax, frames=(net.segments, net.stations))
    log.info("network map: %d segments, %d stations", len(shown), len(st))
    return fig, ax


def _border_point(route: Route, net: Network, seg_id: str, a: str, b: str) -> Point:
    geom = net.segments.set_index("id").loc[seg_id].geometry
    countries = load_countries()
    ca = net.stations.set_index("id").loc[a, "country"]
    if ca in countries.index:
        cut = geom.intersection(countries.loc[ca].geometry.boundary)
        if not cut.is_empty:
            return cut if isinstance(cut, Point) else Point(cut.centroid.coords[0])
    return Point(geom.interpolate(0.5, normalized=True).coords[0])


def route_label(route: Route) -> str:
    """A one-line legend text with a route's totals."""
    return (
        f"{route.name(route.origin)} → {route.name(route.destination)}: {route.km:,.0f} km, "
        f"{route.hours / 24:,.1f} days, {route.cost:,.0f} {route.cost_unit.replace('USD per ', '$/')}; "
        f"{len(route.borders)} border(s), {len(route.gauge_changes)} gauge change(s)"
    )


def plot_routes(
    net: Network,
    routes: Sequence[Route],
    *,
    ax: Axes | None = None,
    names: Sequence[str] | None = None,
    as_of: date | None = None,
    extent: Extent | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    figsize: tuple[float, float] | None = None,
    attribution: bool = True,
) -> tuple[Figure, Axes]:
    """Map of one or several routes over the network, each in its own colour with its totals.

    Border crossings (where the route's line meets the border) and gauge changes are marked on
    each route; origin and destination are labelled; the extent fits the routes.

    Parameters
    ----------
    net
        The full network, drawn faintly under the routes.
    routes
        Routes from :func:`corridors.route`.
    names
        Legend names for the routes (default ``Route 1``, ...).
    as_of
        Draw the background network as of this date.

    Returns
    -------
    tuple of Figure and Axes

    Examples
    --------
    >>> from corridors import load_network, route
    >>> net = load_network()
    >>> r = route(net, "Tashkent", "Mashhad", as_of=date(2026, 11, 28))
    >>> fig, ax = plot_routes(net, [r])
    >>> ax.get_legend().get_texts()[0].get_text().startswith("Route: Tashkent")
    True
    """
    if not routes:
        msg = "plot_routes needs at least one route"
        raise ValueError(msg)
    fig, ax = carto.get_fig_ax(ax, figsize)
    lines = gpd.GeoSeries([r.geometry for r in routes], crs="EPSG:4326")
    if extent is None:
        bbox, (w, h) = ax.get_position(), fig.get_size_inches()
        extent = map_extent(lines, margin=0.12, aspect=(bbox.width * w) / (bbox.height * h))
    # Borders dash-dotted here, so the faded network under the routes never reads as a border.
    carto.draw_countries(ax, extent, labels=False, border_style=BORDER_DASH)
    # the network under the routes: rail, and any other mode a route uses
    net = with_modes(net, {"rail"} | {leg.mode for r in routes for leg in r.legs})
    status = segment_status_on(net.segments, as_of, show_unbuilt=True)
    base = draw_segments(ax, net.segments, status, zorder=3)
    for artist in base.values():
        artist.set_alpha(BASE_ALPHA)
    handles = []
    ends: list[tuple[float, float, str, dict[str, Any]]] = []
    marks: list[Label] = []
    st = net.stations.set_index("id")
    st_proj = carto.project(net.stations).set_index("id")
    n = len(routes)
    for i, r in enumerate(routes):
        color = PALETTE[i % len(PALETTE)]
        # Earlier (better) routes are drawn wider underneath, so shared track shows as nested bands.
        width = STYLE["route_width"] + 2.6 * (n - 1 - i)
        g = gpd.GeoSeries([r.geometry], crs="EPSG:4326").to_crs(MAP_CRS)
        ax.plot(
            *g.iloc[0].xy,
            color=color,
            linewidth=width,
            alpha=0.8,
            solid_capstyle="round",
            solid_joinstyle="round",
            zorder=6 + i * 0.01,
            label=f"_route_{i}",
        )
        for b in r.borders:
            p = gpd.GeoSeries([_border_point(r, net, b.segment, b.from_station, b.to_station)], crs="EPSG:4326")
            q = p.to_crs(MAP_CRS).iloc[0]
            ax.scatter([q.x], [q.y], marker="|", s=160, linewidths=2.4, color="#111111", zorder=7.5)
            marks.append(Label(f"{b.from_country}–{b.to_country} border", [(q.x, q.y)], style=_MARK_STYLE))
        for gc in r.gauge_changes:
            q = st_proj.loc[gc.station].geometry
            ax.scatter(
                [q.x],
                [q.y],
                marker=ROLE["gauge_change"]["marker"],
                s=90,
                color=color,
                edgecolors="#111111",
                linewidths=0.8,
                zorder=7.6,
            )
            text = f"{st.loc[gc.station, 'name']}: {gc.from_gauge}→{gc.to_gauge} mm"
            marks.append(Label(text, [(q.x, q.y)], style=_MARK_STYLE))
        for tr in r.transfers:
            q = st_proj.loc[tr.station].geometry
            ax.scatter([q.x], [q.y], marker="D", s=60, color="white", edgecolors="#111111", linewidths=1.2, zorder=7.6)
            text = f"{st.loc[tr.station, 'name']}: {tr.from_mode}→{tr.to_mode}"
            marks.append(Label(text, [(q.x, q.y)], style=_MARK_STYLE))
        name = names[i] if names else (f"Route {i + 1}" if n > 1 else "Route")
        text = route_label(r)
        handles.append((Line2D([], [], color=color, linewidth=5), text if text.startswith(name) else f"{name}: {text}"))
        for sid in (r.origin, r.destination):
            q = st_proj.loc[sid].geometry
            ends.append((q.x, q.y, str(st.loc[sid, "name"]), {"fontweight": "bold", "fontsize": 8.5, "key": True}))
    for p in list(ends):  # endpoint markers
        ax.scatter([p[0]], [p[1]], s=42, c="white", edgecolors="#111111", linewidths=1.3, zorder=7.7)
    seen: set[str] = set()
    unique = [p for p in ends if not (p[2] in seen or seen.add(p[2]))]  # type: ignore[func-returns-value]
    # The same mark where routes share it is labelled once (same text within 20 km).
    seen_marks: set[tuple[str, int, int]] = set()
    unique_marks = []
    for m in marks:
        k = (m.text, round(m.anchors[0][0] / 20_000), round(m.anchors[0][1] / 20_000))
        if k not in seen_marks:
            seen_marks.add(k)
            unique_marks.append(m)
    marks = unique_marks
    carto.frame(ax, extent)
    markers = [
        (
            Line2D([], [], marker="|", linestyle="none", markersize=10, markeredgewidth=2.2, color="#111111"),
            "border crossing",
        ),
        (
            Line2D(
                [],
                [],
                marker=ROLE["gauge_change"]["marker"],
                linestyle="none",
                markersize=8,
                markerfacecolor="#bbbbbb",
                markeredgecolor="#111111",
            ),
            "change of gauge",
        ),
    ]
    if any(r.transfers for r in routes):
        markers.append(
            (
                Line2D(
                    [],
                    [],
                    marker="D",
                    linestyle="none",
                    markersize=6,
                    markerfacecolor="white",
                    markeredgecolor="#111111",
                ),
                "change of mode",
            )
        )
    statuses, gauges = _used(status, net.segments)
    # The network key sits inside the map where it hides least; the routes' key with their totals
    # goes under the map, where long lines have room.
    key = carto.draw_legend(
        ax,
        statuses,
        gauges,
        set(),
        extra=markers,
        title="On the routes",
        loc="best",
        legend_kw={"fontsize": FONT["legend"] - 0.6},
        gauge_alpha=BASE_ALPHA,
    )
    ax.add_artist(key)
    fig.canvas.draw()  # fixes where the "best" legend goes, so labels can keep clear of it
    route_lines = carto.densified(lines, step_m=5_000)
    # One pass for every label: endpoints, then what the routes mark, then country names.
    bar = carto.scale_bar(ax, extent)
    carto.place_labels(
        ax,
        [*unique, *marks, *country_labels(extent, max_hits=0)],
        route_lines,
        obstacles=[key, bar],
        line_pad=(STYLE["route_width"] + 2.6 * (n - 1)) / 2,
    )
    chars = int(ax.get_position().width * fig.get_size_inches()[0] * 72 / ((FONT["legend"] + 0.8) * 0.6))
    route_key = ax.legend(
        [h for h, _ in handles],
        [textwrap.fill(t, max(chars, 50), subsequent_indent="   ") for _, t in handles],
        loc="upper left",
        bbox_to_anchor=(0.0, -0.045),
        fontsize=FONT["legend"] + 0.8,
        frameon=False,
        handlelength=2.2,
        borderaxespad=0.0,
    )
    route_key.set_zorder(10)
    if title is None:
        used = list(dict.fromkeys(m for r in routes for m in r.modes))
        by = " and ".join({"sea": "sea"}.get(m, m) for m in used)
        title = (
            ("Rail routes" if used == ["rail"] else "Routes")
            if len(routes) > 1
            else f"{routes[0].name(routes[0].origin)} to {routes[0].name(routes[0].destination)} by {by}"
        )
    if subtitle is None:
        r0 = routes[0]
        subtitle = f"best route by {r0.criterion}, network as of {r0.as_of or 'today'}"
    carto.titles(ax, title, subtitle)
    if attribution:
        lines_in_key = sum(t.get_text().count("\n") + 1 for t in route_key.get_texts())
        carto.attribution(ax, y=-0.05 - 0.035 * lines_in_key, frames=(net.segments, net.stations))  # below the key
    return fig, ax


def plot_comparison(
    nets: Sequence[Network],
    titles: Sequence[str],
    *,
    as_of: Sequence[date | None] | None = None,
    suptitle: str | None = None,
    figsize: tuple[float, float] | None = None,
    max_labels: int = 20,
    extent: Extent | None = None,
) -> tuple[Figure, np.ndarray]:
    """Two or more states of the network side by side, same extent and styling.

    Segments that are open in a panel but not in the first one are drawn over a highlight, so a
    reader sees what opened.

    Parameters
    ----------
    nets
        Networks to compare (e.g. two scenarios, or one network with different ``as_of``).
    titles
        A title per panel.
    as_of
        A date per panel (None: the segments' status as it is in that network).
    extent
        Map extent in :data:`~corridors.style.MAP_CRS` metres (see :func:`map_extent`); fits
        every panel's segments when None.

    Returns
    -------
    tuple of Figure and numpy array of Axes

    Examples
    --------
    >>> from corridors import load_network
    >>> net = load_network()
    >>> fig, axes = plot_comparison([net, net], ["2015", "2026"], as_of=[date(2015, 1, 1), date(2026, 1, 1)])
    >>> len(axes)
    2
    """
    nets = [with_modes(x, ["rail"]) for x in nets]  # the comparison is of the rail network
    n = len(nets)
    if n < 2 or len(titles) != n:
        msg = f"plot_comparison needs two or more networks and one title each, got {n} and {len(titles)}"
        raise ValueError(msg)
    dates = list(as_of) if as_of is not None else [None] * n
    fig, axes = plt.subplots(1, n, figsize=figsize or (5.6 * n + 1.8, 6.0), squeeze=False)
    fig.subplots_adjust(wspace=0.04, left=0.02, right=0.86)
    axes = axes[0]
    all_segs = pd.concat([x.segments for x in nets], ignore_index=True)
    bbox, (w, h) = axes[0].get_position(), fig.get_size_inches()
    if extent is None:
        extent = map_extent(
            gpd.GeoDataFrame(all_segs, geometry="geometry", crs="EPSG:4326"),
            aspect=(bbox.width * w) / (bbox.height * h),
        )
    first_open = set(
        nets[0].segments.loc[segment_status_on(nets[0].segments, dates[0]).eq("operational").to_numpy(), "id"]
    )
    statuses: set[str] = set()
    gauges: set[str] = set()
    roles: set[str] = set()
    for i, (net, ax) in enumerate(zip(nets, axes, strict=True)):
        plot_network(
            net,
            ax=ax,
            as_of=dates[i],
            extent=extent,
            title=textwrap.fill(titles[i], 48),
            subtitle="",
            legend=False,
            scale_bar=(i == 0),
            attribution=(i == 0),
            max_labels=max_labels,
        )
        status = segment_status_on(net.segments, dates[i])
        used_s, used_g = _used(status, net.segments)
        statuses |= set(used_s)
        gauges |= set(used_g)
        roles |= {r for r in ROLE if r != "gauge_change" and (net.stations["role"] == r).any()}
        if net.stations["gauge_change"].map(bool).any():
            roles.add("gauge_change")
        if i > 0:
            new = net.segments[status.eq("operational").to_numpy() & ~net.segments["id"].isin(first_open).to_numpy()]
            if not new.empty:
                carto.project(new).plot(ax=ax, color="#f1c40f", linewidth=7, alpha=0.55, zorder=2.5)
                ax.text(
                    0.02,
                    0.97,
                    f"opened since the first panel: {len(new)} segment(s), "
                    f"{new['length_geodesic_km'].sum():,.0f} km (highlighted)",
                    transform=ax.transAxes,
                    fontsize=FONT["legend"],
                    va="top",
                    ha="left",
                    zorder=11,
                    bbox={"fc": "white", "ec": "#bbbbbb", "alpha": 0.9, "boxstyle": "round,pad=0.3"},
                )
        carto.frame(ax, extent)
    highlight = [(Line2D([], [], color="#f1c40f", linewidth=7, alpha=0.55), "opened since the first panel")]
    carto.draw_legend(
        axes[-1],
        [s for s in STATUS if s in statuses],
        [g for g in GAUGE if g in gauges],
        roles,
        extra=highlight,
        title="Change",
        loc="upper left",
        legend_kw={"bbox_to_anchor": (1.02, 1.0)},
    )
    if suptitle:
        fig.suptitle(suptitle, fontsize=FONT["title"] + 1, fontweight="bold", x=0.02, ha="left", y=1.04)
    return fig, axes
