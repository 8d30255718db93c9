"""Maps of the network, of routes, of two states side by side and of the network's growth.

Every function draws on a Matplotlib axes (a new one when ``ax`` is None), returns
``(fig, ax)`` (or ``(fig, axes)``) and saves nothing: scripts and the CLI save. All styling
comes from :mod:`corridors.style`; every map uses the same equal-area projection
(:data:`corridors.style.MAP_CRS`).
"""

from __future__ import annotations

import functools
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
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox
from shapely import Point, box

from corridors.geo import load_countries
from corridors.network import Network, is_open
from corridors.routing import Route
from corridors.style import FONT, GAUGE, KEY_STATIONS, MAP_CRS, PALETTE, ROLE, STATUS, STYLE

__all__ = [
    "draw_growth_frame",
    "map_extent",
    "plot_comparison",
    "plot_growth",
    "plot_network",
    "plot_routes",
    "route_label",
    "segment_status_on",
]

log = logging.getLogger(__name__)

Extent = tuple[float, float, float, float]  # xmin, xmax, ymin, ymax in MAP_CRS metres
_STATUS_ORDER = ["proposed", "planned", "under_construction", "closed", "operational"]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _get_fig_ax(ax: Axes | None, figsize: tuple[float, float] | None = None) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize or STYLE["figsize"])
        return fig, ax
    return ax.figure, ax  # type: ignore[return-value]


@functools.cache
def _countries_projected() -> gpd.GeoDataFrame:
    return load_countries().to_crs(MAP_CRS)


def _project(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(MAP_CRS)


def map_extent(geoms: gpd.GeoSeries | gpd.GeoDataFrame, *, margin: float | None = None, aspect: float = 1.3) -> Extent:
    """Extent in map coordinates that fits the geometries with a margin and a given width/height ratio.

    Parameters
    ----------
    geoms
        Geometries in any CRS.
    margin
        Share of the larger side added on every side; ``style.STYLE["margin"]`` by default.
    aspect
        Width / height of the extent (the axes' shape), so the map fills the frame.

    Examples
    --------
    >>> from corridors import load_network
    >>> xmin, xmax, ymin, ymax = map_extent(load_network().segments)
    >>> xmax > xmin and ymax > ymin
    True
    """
    proj = geoms.to_crs(MAP_CRS)
    xmin, ymin, xmax, ymax = proj.total_bounds
    m = (STYLE["margin"] if margin is None else margin) * max(xmax - xmin, ymax - ymin, 50_000)
    xmin, xmax, ymin, ymax = xmin - m, xmax + m, ymin - m, ymax + m
    w, h = xmax - xmin, ymax - ymin
    if w / h < aspect:
        pad = (aspect * h - w) / 2
        xmin, xmax = xmin - pad, xmax + pad
    else:
        pad = (w / aspect - h) / 2
        ymin, ymax = ymin - pad, ymax + pad
    return float(xmin), float(xmax), float(ymin), float(ymax)


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


def _draw_countries(ax: Axes, extent: Extent, *, labels: bool = True) -> list[Any]:
    frame = box(extent[0], extent[2], extent[1], extent[3])
    c = _countries_projected()
    c = c[c.intersects(frame)]
    ax.set_facecolor(STYLE["sea"])
    if c.empty:  # a network outside the shipped country polygons: draw it on plain land colour
        ax.set_facecolor(STYLE["land"])
        return []
    c.plot(ax=ax, color=STYLE["land"], edgecolor=STYLE["border"], linewidth=STYLE["border_width"], zorder=1)
    texts: list[Any] = []
    if not labels:
        return texts
    area = frame.area
    for _, row in c.iterrows():
        clipped = row.geometry.intersection(frame)
        if clipped.is_empty or clipped.area < 0.004 * area:
            continue
        p = clipped.representative_point()
        texts.append(
            ax.text(
                p.x,
                p.y,
                str(row["name"]).upper(),
                fontsize=FONT["country"],
                color=STYLE["country_label"],
                ha="center",
                va="center",
                zorder=2,
                fontfamily=FONT["family"],
                alpha=0.9,
                fontweight="light",
                clip_on=True,
            )
        )
    return texts


def _draw_segments(ax: Axes, segs: gpd.GeoDataFrame, status: pd.Series, *, zorder: float = 3) -> dict[str, Any]:
    """Draw segments by status (dash) and gauge (colour, width); return artists per (status, gauge)."""
    artists: dict[str, Any] = {}
    proj = _project(segs)
    for st in _STATUS_ORDER:
        for gauge, gstyle in GAUGE.items():
            sel = proj[(status == st).to_numpy() & (proj["gauge"] == gauge).to_numpy()]
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
    return _project(st)


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


def _place_labels(
    ax: Axes,
    points: list[tuple[float, float, str, dict[str, Any]]],
    avoid_lines: list[np.ndarray],
    obstacles: Sequence[Any] = (),
) -> list[Any]:
    """Place labels greedily, without overlaps.

    For each point in priority order try eight positions around it and keep the one that overlaps
    no placed label, marker or obstacle and covers the fewest line vertices; drop the label when
    every position collides.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    to_disp = ax.transData.transform
    ax_box = ax.get_window_extent(renderer)
    line_px = np.vstack([to_disp(c) for c in avoid_lines]) if avoid_lines else np.empty((0, 2))
    px_per_pt = fig.dpi / 72
    markers = [_marker_box(to_disp((x, y)), 3 * px_per_pt) for x, y, _, _ in points]
    placed: list[Bbox] = [o.get_window_extent(renderer) for o in obstacles]
    texts = []
    offsets = [
        (5, 3, "left", "bottom"),
        (5, -3, "left", "top"),
        (-5, 3, "right", "bottom"),
        (-5, -3, "right", "top"),
        (0, 6, "center", "bottom"),
        (0, -6, "center", "top"),
        (7, 0, "left", "center"),
        (-7, 0, "right", "center"),
    ]
    for i, (x, y, text, kw) in enumerate(points):
        best = None
        for dx, dy, ha, va in offsets:
            t = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=kw.get("fontsize", FONT["label"]),
                fontweight=kw.get("fontweight", "normal"),
                color=kw.get("color", "#222222"),
                zorder=8,
                fontfamily=FONT["family"],
                bbox={"boxstyle": "round,pad=0.12", "fc": STYLE["halo"], "ec": "none", "alpha": 0.75},
            )
            bb = t.get_window_extent(renderer).expanded(1.05, 1.1)
            inside = ax_box.x0 <= bb.x0 and bb.x1 <= ax_box.x1 and ax_box.y0 <= bb.y0 and bb.y1 <= ax_box.y1
            # No label ever covers another label. Key stations may cover other stations' markers
            # when every position does, choosing the position that covers fewest.
            covered = sum(bb.overlaps(m) for j, m in enumerate(markers) if j != i)
            clash = not inside or any(bb.overlaps(p) for p in placed) or (covered and not kw.get("key"))
            if clash:
                t.remove()
                continue
            hits = 0
            if len(line_px):
                hits = int(
                    (
                        (line_px[:, 0] > bb.x0)
                        & (line_px[:, 0] < bb.x1)
                        & (line_px[:, 1] > bb.y0)
                        & (line_px[:, 1] < bb.y1)
                    ).sum()
                )
            score = (covered, hits)
            if best is None or score < best[0]:
                if best is not None:
                    best[1].remove()
                best = (score, t, bb)
                if score == (0, 0):
                    break
            else:
                t.remove()
        if best is not None:
            placed.append(best[2])
            texts.append(best[1])
    return texts


def _marker_box(center: Any, half: float) -> Bbox:
    cx, cy = float(center[0]), float(center[1])
    return Bbox.from_extents(cx - half, cy - half, cx + half, cy + half)


def _densified(segs: gpd.GeoDataFrame, step_m: float = 8_000) -> list[np.ndarray]:
    out = []
    for g in _project(segs).geometry:
        if g is None or g.is_empty:
            continue
        n = max(int(g.length / step_m), 1)
        out.append(np.array([g.interpolate(i / n, normalized=True).coords[0] for i in range(n + 1)]))
    return out


def _scale_bar(ax: Axes, extent: Extent) -> None:
    width_km = (extent[1] - extent[0]) / 1000
    target = width_km / 5
    length = max((v for v in (50, 100, 200, 250, 500, 1000, 2000) if v <= target), default=50)
    x0 = extent[0] + 0.04 * (extent[1] - extent[0])
    y0 = extent[2] + 0.05 * (extent[3] - extent[2])
    h = 0.008 * (extent[3] - extent[2])
    half = length * 500
    ax.add_patch(
        Rectangle(
            (x0 - 0.015 * (extent[1] - extent[0]), y0 - 2 * h),
            2 * half + 0.04 * (extent[1] - extent[0]),
            8.5 * h,
            facecolor="white",
            edgecolor="none",
            alpha=0.8,
            zorder=8.9,
        )
    )
    ax.add_patch(Rectangle((x0, y0), half, h, facecolor="#222222", edgecolor="#222222", zorder=9, lw=0.6))
    ax.add_patch(Rectangle((x0 + half, y0), half, h, facecolor="white", edgecolor="#222222", zorder=9, lw=0.6))
    for xv, label in ((x0, "0"), (x0 + half, f"{length // 2}"), (x0 + 2 * half, f"{length} km")):
        ax.text(
            xv,
            y0 + 1.6 * h,
            label,
            ha="center",
            va="bottom",
            fontsize=FONT["legend"],
            zorder=9,
            fontfamily=FONT["family"],
        )


def _legend(
    ax: Axes,
    statuses: Sequence[str],
    gauges: Sequence[str],
    roles: set[str],
    extra: Sequence[tuple[Any, str]] = (),
    title: str | None = None,
    loc: str = "lower right",
    legend_kw: dict[str, Any] | None = None,
) -> Any:
    handles: list[Any] = []
    labels: list[str] = []

    def header(text: str) -> None:
        handles.append(Line2D([], [], linestyle="none"))
        labels.append(f"$\\bf{{{text}}}$".replace(" ", "\\ "))

    if extra:
        header(title or "Routes")
        for h, lab in extra:
            handles.append(h)
            labels.append(lab)
    if gauges:
        header("Gauge")
        for g in gauges:
            gs = GAUGE[g]
            line = Line2D([], [], color=gs["color"], linewidth=gs["linewidth"])
            if "inner" in gs:
                handles.append((line, Line2D([], [], color=gs["inner"], linewidth=gs["linewidth"] / 3)))
            else:
                handles.append(line)
            labels.append(gs["label"])
    if statuses:
        header("Status")
        for st in statuses:
            handles.append(Line2D([], [], color="#444444", linewidth=1.6, linestyle=STATUS[st]["linestyle"]))
            labels.append(STATUS[st]["label"])
    if roles:
        header("Stations")
        for role in ROLE:
            if role in roles:
                rs = ROLE[role]
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker=rs["marker"],
                        linestyle="none",
                        markersize=(rs["size"] ** 0.5),
                        markerfacecolor=rs["color"],
                        markeredgecolor=rs["edge"],
                    )
                )
                labels.append(rs["label"])
    from matplotlib.legend_handler import HandlerTuple

    kw: dict[str, Any] = {
        "fontsize": FONT["legend"],
        "frameon": True,
        "framealpha": 0.92,
        "edgecolor": "#bbbbbb",
        "handlelength": 2.6,
        "borderpad": 0.6,
        "labelspacing": 0.35,
    }
    kw.update(legend_kw or {})
    leg = ax.legend(handles, labels, loc=loc, handler_map={tuple: HandlerTuple(ndivide=1, pad=0)}, **kw)  # type: ignore[call-overload]
    leg.set_zorder(10)
    return leg


def _titles(ax: Axes, title: str | None, subtitle: str | None) -> None:
    if title:
        ax.set_title(
            title,
            loc="left",
            fontsize=FONT["title"],
            fontweight="bold",
            pad=20 if subtitle else 8,
            fontfamily=FONT["family"],
        )
    if subtitle:
        ax.text(
            0,
            1.012,
            subtitle,
            transform=ax.transAxes,
            fontsize=FONT["subtitle"],
            color="#444444",
            ha="left",
            va="bottom",
            fontfamily=FONT["family"],
        )


def _attribution(ax: Axes, y: float = -0.015) -> None:
    ax.text(
        0.0,
        y,
        STYLE["attribution"],
        transform=ax.transAxes,
        fontsize=FONT["attribution"],
        color="#666666",
        ha="left",
        va="top",
        fontfamily=FONT["family"],
    )


def _frame(ax: Axes, extent: Extent) -> None:
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#999999")
        spine.set_linewidth(0.6)


def _used(status: pd.Series, segs: gpd.GeoDataFrame) -> tuple[list[str], list[str]]:
    shown = status.notna().to_numpy()
    statuses = [s for s in STATUS if s in set(status[shown])]
    gauges = [g for g in GAUGE if g in set(segs.loc[shown, "gauge"])]
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
    fig, ax = _get_fig_ax(ax, figsize)
    segs = net.segments
    status = segment_status_on(segs, as_of, show_unbuilt=show_unbuilt)
    shown = segs[status.notna().to_numpy()]
    if extent is None:
        bbox, (w, h) = ax.get_position(), fig.get_size_inches()
        extent = map_extent(shown if not shown.empty else net.stations, aspect=(bbox.width * w) / (bbox.height * h))
    country_labels = _draw_countries(ax, extent)
    _draw_segments(ax, segs, status)
    on_map = set(shown["from"]) | set(shown["to"])
    st = _station_points(net, on_map)
    roles = _draw_stations(ax, st)
    _frame(ax, extent)
    order = [s for s in _label_priority(net, labels) if s in on_map][:max_labels]
    pts = st.set_index("id")
    points: list[tuple[float, float, str, dict[str, Any]]] = [
        (pts.loc[s].geometry.x, pts.loc[s].geometry.y, str(pts.loc[s, "name"]), {"key": s in KEY_STATIONS})
        for s in order
    ]
    _place_labels(ax, points, _densified(shown), obstacles=country_labels)
    if legend:
        statuses, gauges = _used(status, segs)
        _legend(ax, statuses, gauges, roles)
    if scale_bar:
        _scale_bar(ax, extent)
    if subtitle is None:
        when = f"as of {as_of.isoformat()}" if as_of else "current status of every segment"
        subtitle = f"{when}; {len(shown)} segments, {shown['length_geodesic_km'].sum():,.0f} km shown"
    _titles(ax, title, subtitle)
    if attribution:
        _attribution(ax)
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
    fig, ax = _get_fig_ax(ax, figsize)
    lines = gpd.GeoSeries([r.geometry for r in routes], crs="EPSG:4326")
    if extent is None:
        bbox, (w, h) = ax.get_position(), fig.get_size_inches()
        extent = map_extent(lines, margin=0.12, aspect=(bbox.width * w) / (bbox.height * h))
    _draw_countries(ax, extent)
    status = segment_status_on(net.segments, as_of, show_unbuilt=True)
    base = _draw_segments(ax, net.segments, status, zorder=3)
    for artist in base.values():
        artist.set_alpha(0.35)
    handles = []
    label_points: list[tuple[float, float, str, dict[str, Any]]] = []
    st = net.stations.set_index("id")
    st_proj = _project(net.stations).set_index("id")
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
        name = names[i] if names else (f"Route {i + 1}" if n > 1 else "Route")
        text = route_label(r)
        handles.append((Line2D([], [], color=color, linewidth=5), text if text.startswith(name) else f"{name}: {text}"))
        for sid in (r.origin, r.destination):
            q = st_proj.loc[sid].geometry
            label_points.append((q.x, q.y, str(st.loc[sid, "name"]), {"fontweight": "bold", "fontsize": 8.5}))
    for p in list(label_points):  # endpoint markers
        ax.scatter([p[0]], [p[1]], s=42, c="white", edgecolors="#111111", linewidths=1.3, zorder=7.7)
    seen: set[str] = set()
    unique = [p for p in label_points if not (p[2] in seen or seen.add(p[2]))]  # type: ignore[func-returns-value]
    _frame(ax, extent)
    _place_labels(
        ax, unique, [np.array(gpd.GeoSeries([r.geometry], crs=4326).to_crs(MAP_CRS).iloc[0].coords) for r in routes]
    )
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
    statuses, gauges = _used(status, net.segments)
    # The network key sits inside the map where it hides least; the routes' key with their totals
    # goes under the map, where long lines have room.
    key = _legend(
        ax,
        statuses,
        gauges,
        set(),
        extra=markers,
        title="On the routes",
        loc="best",
        legend_kw={"fontsize": FONT["legend"] - 0.6},
    )
    ax.add_artist(key)
    route_key = ax.legend(
        [h for h, _ in handles],
        [t for _, t in handles],
        loc="upper left",
        bbox_to_anchor=(0.0, -0.045),
        fontsize=FONT["legend"] + 0.8,
        frameon=False,
        handlelength=2.2,
        borderaxespad=0.0,
    )
    route_key.set_zorder(10)
    _scale_bar(ax, extent)
    if title is None:
        title = (
            "Rail routes"
            if len(routes) > 1
            else f"{routes[0].name(routes[0].origin)} to {routes[0].name(routes[0].destination)} by rail"
        )
    if subtitle is None:
        r0 = routes[0]
        subtitle = f"best route by {r0.criterion}, network as of {r0.as_of or 'today'}"
    _titles(ax, title, subtitle)
    if attribution:
        _attribution(ax, y=-0.05 - 0.035 * len(routes))  # below the routes' key
    return fig, ax


def _scale_bar_right(ax: Axes, extent: Extent) -> None:
    width = extent[1] - extent[0]
    shifted = (extent[0] + 0.72 * width, extent[1] + 0.72 * width, extent[2], extent[3])
    _scale_bar(ax, shifted)


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
                _project(new).plot(ax=ax, color="#f1c40f", linewidth=7, alpha=0.55, zorder=2.5)
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
        _frame(ax, extent)
    highlight = [(Line2D([], [], color="#f1c40f", linewidth=7, alpha=0.55), "opened since the first panel")]
    _legend(
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
    fig.text(0.01, 0.0, STYLE["attribution"], fontsize=FONT["attribution"], color="#666666", va="top")
    return fig, flat[:n]


def draw_growth_frame(
    net: Network, year: int, *, ax: Axes, extent: Extent, expected: bool = False, legend: bool = False
) -> Axes:
    """One frame of the growth maps: open lines on 1 January of ``year``, with km open."""
    on = date(year, 1, 1)
    segs = net.segments
    if expected:
        status = pd.Series(
            ["operational" if is_open(r, on, expected=True) else None for r in segs.to_dict("records")],
            index=segs.index,
            dtype=object,
        )
    else:
        status = segment_status_on(segs, on, show_unbuilt=False)
    _draw_countries(ax, extent, labels=False)
    _draw_segments(ax, segs, status)
    _frame(ax, extent)
    km = segs.loc[status.notna().to_numpy(), "length_geodesic_km"].sum()
    ax.set_title(f"{year}", loc="left", fontsize=FONT["title"] - 2, fontweight="bold", fontfamily=FONT["family"])
    ax.text(
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
    if legend:
        _, gauges = _used(status, segs)
        _legend(ax, [], gauges, set())
    return ax
