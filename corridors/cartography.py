"""Shared cartography: projection, countries, one label-placement pass, legend, scale bar, titles.

Every map of :mod:`corridors.plot` (and any other module that draws a map) builds on these
helpers so that all maps share one projection (:data:`corridors.style.MAP_CRS`), one look and
one attribution line. Functions draw on a given Matplotlib axes and save nothing.

Labels of every kind (stations, places, country names) go through :func:`place_labels`, one
greedy pass that never lets two labels overlap and never lets a label leave the frame.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from shapely import box
from shapely.ops import polylabel

from corridors.geo import load_countries
from corridors.style import FONT, GAUGE, MAP_CRS, ROLE, STATUS, STYLE

__all__ = [
    "EXPORT_RC",
    "OSM_ATTRIBUTION",
    "Extent",
    "Label",
    "attribution",
    "attribution_text",
    "countries_projected",
    "country_labels",
    "densified",
    "draw_countries",
    "draw_legend",
    "export_style",
    "frame",
    "get_fig_ax",
    "map_extent",
    "needs_osm_attribution",
    "place_labels",
    "project",
    "scale_bar",
    "titles",
]

Extent = tuple[float, float, float, float]  # xmin, xmax, ymin, ymax in MAP_CRS metres

#: Matplotlib settings for files readers edit or search: TrueType (Type 42) fonts in PDF and
#: PostScript, real text (not paths) in SVG.
EXPORT_RC: dict[str, Any] = {"pdf.fonttype": 42, "ps.fonttype": 42, "svg.fonttype": "none"}

#: Attribution required by the ODbL when any drawn geometry comes from OpenStreetMap.
OSM_ATTRIBUTION = "Geometry © OpenStreetMap contributors (ODbL)."

#: Gid given to every label placed by :func:`place_labels` (tests and SVG users find them by it).
LABEL_GID = "corridors-label"


@contextlib.contextmanager
def export_style() -> Iterator[None]:
    """A Matplotlib style context with :data:`EXPORT_RC` (real text in PDF and SVG files).

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with export_style():
    ...     mpl.rcParams["pdf.fonttype"]
    42
    """
    with mpl.rc_context(EXPORT_RC):  # type: ignore[arg-type]
        yield


def get_fig_ax(ax: Axes | None, figsize: tuple[float, float] | None = None) -> tuple[Figure, Axes]:
    """Return ``(fig, ax)``: the given axes and its figure, or a new figure of ``figsize``.

    Examples
    --------
    >>> fig, ax = get_fig_ax(None, (4, 3))
    >>> get_fig_ax(ax)[1] is ax
    True
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize or STYLE["figsize"])
        return fig, ax
    return ax.figure, ax  # type: ignore[return-value]


@functools.cache
def countries_projected() -> gpd.GeoDataFrame:
    """The shipped country polygons in :data:`~corridors.style.MAP_CRS` (cached; do not modify).

    Examples
    --------
    >>> "TJK" in countries_projected().index
    True
    """
    return load_countries().to_crs(MAP_CRS)


def project(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` in :data:`~corridors.style.MAP_CRS`."""
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

    Returns
    -------
    tuple of float
        ``(xmin, xmax, ymin, ymax)`` in metres.

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


def axes_aspect(ax: Axes) -> float:
    """Width / height of an axes on its figure, for :func:`map_extent`."""
    bbox, (w, h) = ax.get_position(), ax.figure.get_size_inches()  # type: ignore[union-attr]
    return float((bbox.width * w) / (bbox.height * h))


# --------------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------------
def draw_countries(ax: Axes, extent: Extent, *, labels: bool = True, border_style: Any = "-") -> list[Text]:
    """Draw sea, land and borders; with ``labels``, place the country names by themselves.

    Maps that also label stations pass ``labels=False`` and give :func:`country_labels` to
    their own :func:`place_labels` call, so that every label goes through one collision pass.

    Returns
    -------
    list of matplotlib.text.Text
        The country labels placed (empty without ``labels``).
    """
    frame_geom = box(extent[0], extent[2], extent[1], extent[3])
    c = countries_projected()
    c = c[c.intersects(frame_geom)]
    ax.set_facecolor(STYLE["sea"])
    if c.empty:  # a network outside the shipped country polygons: draw it on plain land colour
        ax.set_facecolor(STYLE["land"])
        return []
    c.plot(
        ax=ax,
        color=STYLE["land"],
        edgecolor=STYLE["border"],
        linewidth=STYLE["border_width"],
        linestyle=border_style,
        zorder=1,
    )
    if not labels:
        return []
    return place_labels(ax, country_labels(extent), [])


@dataclass
class Label:
    """A label to place: text, candidate anchors and style.

    Attributes
    ----------
    text
        What the label says.
    anchors
        Candidate anchor points in map coordinates, best first.
    offsets
        Candidate ``(dx, dy, ha, va)`` offsets in points around each anchor.
    style
        Keyword arguments for :meth:`matplotlib.axes.Axes.annotate` (font size, weight, colour).
    key
        A key label may cover other points' markers when every position does.
    halo
        Draw a white halo (outline) instead of a box behind the text.
    marker
        Whether the first anchor is a drawn point that other labels must not cover.
    max_hits
        Drop the label rather than let it cover more line points than this (None: no limit).
    """

    text: str
    anchors: list[tuple[float, float]]
    offsets: list[tuple[float, float, str, str]] = field(default_factory=lambda: list(STATION_OFFSETS))
    style: dict[str, Any] = field(default_factory=dict)
    key: bool = False
    halo: bool = False
    marker: bool = True
    max_hits: int | None = None


#: Eight positions around a point, in order of preference.
STATION_OFFSETS: list[tuple[float, float, str, str]] = [
    (5, 3, "left", "bottom"),
    (5, -3, "left", "top"),
    (-5, 3, "right", "bottom"),
    (-5, -3, "right", "top"),
    (0, 6, "center", "bottom"),
    (0, -6, "center", "top"),
    (7, 0, "left", "center"),
    (-7, 0, "right", "center"),
]


def country_labels(extent: Extent, *, min_share: float = 0.004, max_hits: int | None = None) -> list[Label]:
    """Labels for the countries that show a share of at least ``min_share`` of the frame.

    Each label has several candidate points inside the country's visible part (its pole of
    inaccessibility first), so :func:`place_labels` can move it out of the way of lines and
    other labels.
    """
    frame_geom = box(extent[0], extent[2], extent[1], extent[3])
    inner = frame_geom.buffer(-0.04 * min(extent[1] - extent[0], extent[3] - extent[2]))
    c = countries_projected()
    c = c[c.intersects(frame_geom)]
    out = []
    area = frame_geom.area
    for _, row in c.iterrows():
        visible = row.geometry.intersection(inner)
        if visible.is_empty or visible.area < min_share * area:
            continue
        part = max(getattr(visible, "geoms", [visible]), key=lambda g: g.area)
        anchors = []
        with contextlib.suppress(Exception):
            p = polylabel(part, tolerance=max(part.length / 500, 100.0))
            anchors.append((p.x, p.y))
        for p in (part.representative_point(), part.centroid):
            if part.contains(p):
                anchors.append((p.x, p.y))
        # a few more points inside, spread over the shape
        minx, miny, maxx, maxy = part.bounds
        for fx, fy in ((0.3, 0.5), (0.7, 0.5), (0.5, 0.3), (0.5, 0.7), (0.3, 0.3), (0.7, 0.7), (0.3, 0.7), (0.7, 0.3)):
            x, y = minx + fx * (maxx - minx), miny + fy * (maxy - miny)
            if part.contains(gpd.points_from_xy([x], [y])[0]):
                anchors.append((x, y))
        big = visible.area > 0.05 * area
        out.append(
            Label(
                str(row["name"]).upper(),
                anchors,
                offsets=[(0, 0, "center", "center")],
                style={
                    "fontsize": FONT["country"] + (0.5 if big else -0.5),
                    "color": STYLE["country_label"],
                    "fontweight": "normal",
                },
                halo=True,
                marker=False,
                max_hits=max_hits,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------
def densified(segs: gpd.GeoDataFrame | gpd.GeoSeries, step_m: float = 8_000) -> list[np.ndarray]:
    """Points every ``step_m`` metres along each line, in map coordinates (for label scoring)."""
    out = []
    geoms = segs.to_crs(MAP_CRS).geometry if isinstance(segs, gpd.GeoDataFrame) else segs.to_crs(MAP_CRS)
    for g in geoms:
        if g is None or g.is_empty:
            continue
        n = max(int(g.length / step_m), 1)
        out.append(np.array([g.interpolate(i / n, normalized=True).coords[0] for i in range(n + 1)]))
    return out


def _marker_box(center: Any, half: float) -> Bbox:
    cx, cy = float(center[0]), float(center[1])
    return Bbox.from_extents(cx - half, cy - half, cx + half, cy + half)


def place_labels(
    ax: Axes,
    labels: Sequence[Label | tuple[float, float, str, dict[str, Any]]],
    avoid_lines: list[np.ndarray],
    obstacles: Sequence[Any] = (),
    *,
    line_pad: float = 0.0,
) -> list[Text]:
    """Place labels greedily in priority order, without overlaps and inside the frame.

    For each label try every candidate position and keep the one that overlaps no placed label,
    marker or obstacle and covers the fewest line vertices; drop the label when every position
    collides. Station labels get a light box, country names a halo; both are never clipped.

    Parameters
    ----------
    ax
        The map, with its final limits set (see :func:`frame`).
    labels
        :class:`Label` objects, or ``(x, y, text, style)`` tuples for point labels (``style`` may
        hold ``key``, ``fontsize``, ``fontweight``, ``color``).
    avoid_lines
        Arrays of map coordinates of lines that labels should not cover.
    obstacles
        Artists (legends, boxes) that labels must not overlap.
    line_pad
        Half the width of the drawn lines, in points: a label closer than that to a line point
        covers it.

    Returns
    -------
    list of matplotlib.text.Text
        The labels placed, each with gid ``corridors-label``.
    """
    items = [lab if isinstance(lab, Label) else _point_label(*lab) for lab in labels]
    fig = ax.figure
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    to_disp = ax.transData.transform
    ax_box = ax.get_window_extent(renderer)
    line_px = np.vstack([to_disp(c) for c in avoid_lines]) if avoid_lines else np.empty((0, 2))
    px_per_pt = fig.dpi / 72
    markers = [_marker_box(to_disp(lab.anchors[0]), 3 * px_per_pt) if lab.marker else None for lab in items]
    placed: list[Bbox] = [o.get_window_extent(renderer) for o in obstacles]
    texts = []
    for i, lab in enumerate(items):
        best = None
        for anchor in lab.anchors:
            for dx, dy, ha, va in lab.offsets:
                t = _annotate(ax, lab, anchor, dx, dy, ha, va)
                bb = t.get_window_extent(renderer).expanded(1.05, 1.1)
                inside = ax_box.x0 <= bb.x0 and bb.x1 <= ax_box.x1 and ax_box.y0 <= bb.y0 and bb.y1 <= ax_box.y1
                covered = sum(bb.overlaps(m) for j, m in enumerate(markers) if j != i and m is not None)
                clash = not inside or any(bb.overlaps(p) for p in placed) or (covered and not lab.key)
                if clash:
                    t.remove()
                    continue
                hits = 0
                if len(line_px):
                    pad = line_pad * px_per_pt
                    hits = int(
                        (
                            (line_px[:, 0] > bb.x0 - pad)
                            & (line_px[:, 0] < bb.x1 + pad)
                            & (line_px[:, 1] > bb.y0 - pad)
                            & (line_px[:, 1] < bb.y1 + pad)
                        ).sum()
                    )
                if lab.max_hits is not None and hits > lab.max_hits:
                    t.remove()
                    continue
                score = (covered, hits)
                if best is None or score < best[0]:
                    if best is not None:
                        best[1].remove()
                    best = (score, t, bb)
                else:
                    t.remove()
            if best is not None and best[0] == (0, 0):
                break
        if best is not None:
            placed.append(best[2])
            texts.append(best[1])
    return texts


def _point_label(x: float, y: float, text: str, kw: dict[str, Any]) -> Label:
    style = {k: v for k, v in kw.items() if k != "key"}
    return Label(text, [(x, y)], style=style, key=bool(kw.get("key")))


def _annotate(ax: Axes, lab: Label, anchor: tuple[float, float], dx: float, dy: float, ha: str, va: str) -> Text:
    kw: dict[str, Any] = {"fontsize": FONT["label"], "fontweight": "normal", "color": "#222222"} | lab.style
    if lab.halo:
        kw["path_effects"] = [pe.withStroke(linewidth=2.4, foreground=STYLE["halo"], alpha=0.9)]
    else:
        kw["bbox"] = {"boxstyle": "round,pad=0.12", "fc": STYLE["halo"], "ec": "none", "alpha": 0.75}
    t = ax.annotate(
        lab.text,
        anchor,
        xytext=(dx, dy),
        textcoords="offset points",
        ha=ha,
        va=va,
        zorder=8 if not lab.halo else 2.5,
        fontfamily=FONT["family"],
        annotation_clip=False,
        **kw,
    )
    t.set_clip_on(False)
    t.set_gid(LABEL_GID)
    return t


# --------------------------------------------------------------------------------------------
# Furniture: scale bar, legend, titles, attribution, frame
# --------------------------------------------------------------------------------------------
def scale_bar(ax: Axes, extent: Extent) -> Rectangle:
    """Draw a two-part scale bar in the lower left corner of the map (true at the map's centre).

    Returns
    -------
    matplotlib.patches.Rectangle
        Its white background (an obstacle for :func:`place_labels`).
    """
    width_km = (extent[1] - extent[0]) / 1000
    target = width_km / 5
    length = max((v for v in (50, 100, 200, 250, 500, 1000, 2000) if v <= target), default=50)
    x0 = extent[0] + 0.04 * (extent[1] - extent[0])
    y0 = extent[2] + 0.05 * (extent[3] - extent[2])
    h = 0.008 * (extent[3] - extent[2])
    half = length * 500
    background = Rectangle(
        (x0 - 0.015 * (extent[1] - extent[0]), y0 - 2 * h),
        2 * half + 0.04 * (extent[1] - extent[0]),
        8.5 * h,
        facecolor="white",
        edgecolor="none",
        alpha=0.8,
        zorder=8.9,
    )
    ax.add_patch(background)
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
    return background


def gauge_handle(gauge: str, *, alpha: float = 1.0, width_scale: float = 1.0) -> Any:
    """A legend handle drawn exactly like a segment of ``gauge`` (colour, width, two-tone, alpha)."""
    gs = GAUGE[gauge]
    line = Line2D([], [], color=gs["color"], linewidth=gs["linewidth"] * width_scale, alpha=alpha)
    if "inner" in gs:
        return (line, Line2D([], [], color=gs["inner"], linewidth=gs["linewidth"] * width_scale / 3, alpha=alpha))
    return line


def draw_legend(
    ax: Axes,
    statuses: Sequence[str],
    gauges: Sequence[str],
    roles: set[str],
    extra: Sequence[tuple[Any, str]] = (),
    title: str | None = None,
    loc: str = "lower right",
    legend_kw: dict[str, Any] | None = None,
    *,
    gauge_alpha: float = 1.0,
    gauge_width: float = 1.0,
) -> Legend:
    """Draw the map key: optional extra entries, then gauges, statuses and station roles used.

    ``gauge_alpha`` and ``gauge_width`` make the gauge swatches look exactly as the lines are
    drawn (route maps fade and widen the background network).
    """
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
            handles.append(gauge_handle(g, alpha=gauge_alpha, width_scale=gauge_width))
            labels.append(GAUGE[g]["label"])
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
    return leg  # type: ignore[no-any-return]


def titles(ax: Axes, title: str | None, subtitle: str | None) -> None:
    """Draw a bold title and a grey subtitle above the map, aligned left, wrapped to the map's width."""
    import textwrap

    width_pt = ax.get_position().width * ax.figure.get_size_inches()[0] * 72  # type: ignore[union-attr]
    if title:
        title = textwrap.fill(title, max(20, int(width_pt / (FONT["title"] * 0.62))))
    if subtitle:
        subtitle = textwrap.fill(subtitle, max(30, int(width_pt / (FONT["subtitle"] * 0.55))))
    if title:
        ax.set_title(
            title,
            loc="left",
            fontsize=FONT["title"],
            fontweight="bold",
            pad=(8 + 12 * (subtitle.count("\n") + 1)) if subtitle else 8,
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


def needs_osm_attribution(*frames: pd.DataFrame | None) -> bool:
    """Whether any feature's ``geometry_source`` starts with ``osm`` (ODbL attribution needed).

    Examples
    --------
    >>> needs_osm_attribution(pd.DataFrame({"geometry_source": ["drawn", "osm_track"]}))
    True
    >>> needs_osm_attribution(pd.DataFrame({"id": ["a"]}), None)
    False
    """
    for df in frames:
        if df is None or "geometry_source" not in df.columns:
            continue
        if df["geometry_source"].map(lambda v: isinstance(v, str) and v.startswith("osm")).any():
            return True
    return False


def attribution_text(*frames: pd.DataFrame | None) -> str:
    """The attribution line for a map drawn from these frames (OSM credited when needed).

    Examples
    --------
    >>> "OpenStreetMap" in attribution_text(pd.DataFrame({"geometry_source": ["osm_node"]}))
    True
    """
    text: str = STYLE["attribution"]
    if needs_osm_attribution(*frames):
        text = f"{text} {OSM_ATTRIBUTION}"
    return text


def attribution(ax: Axes, y: float = -0.015, *, frames: Sequence[pd.DataFrame | None] = (), wrap: int = 150) -> Text:
    """Write the attribution under the map; credits OpenStreetMap when ``frames`` need it.

    Parameters
    ----------
    ax
        The map.
    y
        Vertical position in axes coordinates (top of the text).
    frames
        The stations/segments drawn; see :func:`needs_osm_attribution`.
    wrap
        Wrap the text at this many characters so it never sticks out right of the frame.
    """
    import textwrap

    width_in = ax.get_position().width * ax.figure.get_size_inches()[0]  # type: ignore[union-attr]
    chars = max(60, min(wrap, int(width_in * 72 / (FONT["attribution"] * 0.55))))
    return ax.text(
        0.0,
        y,
        textwrap.fill(attribution_text(*frames), chars),
        transform=ax.transAxes,
        fontsize=FONT["attribution"],
        color="#666666",
        ha="left",
        va="top",
        fontfamily=FONT["family"],
    )


def frame(ax: Axes, extent: Extent) -> None:
    """Set the map's limits and equal aspect, and draw a thin frame without ticks."""
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
