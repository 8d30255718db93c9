"""Tracing curated segments along OpenStreetMap track, and placing stations on OSM station nodes.

The shipped segments are drawn through the towns their sources name; OpenStreetMap has the
track. For each segment, :func:`trace_segments` looks for the path on the OSM track graph between
the segment's two stations that stays near the drawn line (a shortest path whose edge weights grow
with the distance from the drawn line), and replaces the drawing with it only when the result is
plausible: inside a corridor around the drawing, of a sane length, and closer to the documented
``length_km`` if there is one. Where the extracts hold no track at all (the Iranian interior,
Kazakhstan, Kyrgyzstan), the line is drawn through the OSM station points along it instead.
:func:`match_stations` moves stations to the OSM station of the same name nearby.

Status, dates, gauge and documented lengths never come from OpenStreetMap: only geometry does,
and every feature changed says so in ``geometry_source`` and ``osm_ids``
(© OpenStreetMap contributors, ODbL 1.0).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from pyproj import Transformer
from shapely import LineString, Point

from corridors.data import data_dir
from corridors.geo import geodesic_km, load_countries, point_distance_km
from corridors.network import normalize_name
from corridors.osm import ATTRIBUTION, OsmStation, OsmWay, read_osm, track_graph

__all__ = [
    "TraceOptions",
    "TrackIndex",
    "length_agreement",
    "match_stations",
    "read_extracts",
    "trace_segments",
    "track_index",
]

log = logging.getLogger(__name__)

#: A planar projection of the region in kilometres (equidistant conic, scale within ~2 %).
_PROJ = "+proj=eqdc +lat_0=38 +lon_0=65 +lat_1=30 +lat_2=45 +datum=WGS84 +units=km +no_defs"
_FWD = Transformer.from_crs("EPSG:4326", _PROJ, always_xy=True)
_INV = Transformer.from_crs(_PROJ, "EPSG:4326", always_xy=True)
#: Words that do not distinguish one station name from another.
_STOP_WORDS = {
    "station",
    "railway",
    "rail",
    "train",
    "junction",
    "halt",
    "stantsiya",
    "stantsiyasi",
    "vokzal",
    "temir",
    "yol",
    "yoli",
    "bekati",
    "menzili",
    "passenger",
    "passazhirskaya",
    "tovarnaya",
    "dry",
    "port",
    "border",
    "st",
    "ist",
    "istgah",
    "ایستگاه",
    "راه",
    "آهن",
    "станция",
    "вокзал",
}


def _to_km(geom: Any) -> Any:
    return shapely.transform(geom, lambda xy: np.column_stack(_FWD.transform(xy[:, 0], xy[:, 1])))


def _to_lonlat(geom: Any) -> Any:
    return shapely.transform(geom, lambda xy: np.column_stack(_INV.transform(xy[:, 0], xy[:, 1])))


@dataclass
class TrackIndex:
    """OpenStreetMap track pieces (merged between junctions) and station points, ready for tracing.

    Attributes
    ----------
    lines_km
        Track pieces in the planar kilometre projection.
    ends
        ``(u, v)`` node keys of each piece.
    ways
        OSM way ids of each piece, in order.
    status
        Our status of each piece (``operational``, ``under_construction``, ``proposed``).
    stations
        OSM station points: ``id``, ``name``, ``names`` (normalised), geometry (lon, lat).
    way_lines
        Each OSM way's line in the planar projection (to tell which ways a trace runs along).
    """

    lines_km: np.ndarray
    ends: list[tuple[Any, Any]]
    ways: list[list[int]]
    status: list[str]
    stations: gpd.GeoDataFrame
    way_lines: dict[int, Any] = field(default_factory=dict)
    tree: shapely.STRtree = field(init=False, repr=False)
    stations_km: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tree = shapely.STRtree(self.lines_km)
        self.stations_km = np.asarray(_to_km(self.stations.geometry.to_numpy()), dtype=object)


@dataclass(frozen=True)
class TraceOptions:
    """Tolerances of tracing (kilometres unless said otherwise).

    Attributes
    ----------
    snap_km
        Distance from a station within which its segment's trace starts on the nearest tracks.
    far_snap_km
        Where no track lies within ``snap_km`` (the mapped track ends short of the station), the
        trace may start this far away, joined to the station by a straight line.
    corridor_km, corridor_share, max_corridor_km
        Half-width of the corridor around the drawn line that a trace must stay in:
        ``corridor_share`` of the line's length, at least ``corridor_km`` and at most
        ``max_corridor_km``.
    documented_corridor_km
        Half-width searched for a segment with a documented length, where the length itself is
        the test of a trace (drawings through towns can be far from valley alignments).
    penalty_km
        Distance from the drawn line at which an edge's weight doubles (weights grow with the square).
    ratio_range
        Allowed trace length / drawn length.
    station_match_km
        Largest move of a station to the OSM station point of the same name.
    stations_corridor_km
        Half-width of the corridor in which OSM station points are taken where there is no track.
    coverage_km
        A drawn line with less than a fifth of its points within this of any track has no track here.
    gap_km
        A dangling end of track this close to other track is joined to it (files whose ways do not
        share nodes, or two extracts meeting).
    simplify_km
        Tolerance of the simplification of traced lines (Douglas-Peucker; 5 m keeps length to ~0.01 %).
    """

    snap_km: float = 8.0
    far_snap_km: float = 25.0
    corridor_km: float = 10.0
    corridor_share: float = 0.3
    max_corridor_km: float = 40.0
    documented_corridor_km: float = 60.0
    penalty_km: float = 4.0
    ratio_range: tuple[float, float] = (0.85, 1.6)
    station_match_km: float = 12.0
    stations_corridor_km: float = 6.0
    coverage_km: float = 5.0
    simplify_km: float = 0.005
    gap_km: float = 1.0


def read_extracts(folder: str | Path | None = None) -> tuple[list[OsmWay], list[OsmStation]]:
    """Read every OpenStreetMap extract of a folder (``geodata/osm/`` by default).

    Examples
    --------
    >>> ways, stations = read_extracts()
    >>> len(ways) > 10_000 and len(stations) > 5_000
    True
    """
    folder = Path(folder) if folder is not None else data_dir() / "osm"
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.lower().endswith((".md", ".txt")))
    return read_osm(files)


def track_index(
    ways: list[OsmWay], stations: list[OsmStation], *, countries: gpd.GeoDataFrame | None = None
) -> TrackIndex:
    """Build the track graph pieces and the station point table used by :func:`trace_segments`.

    Examples
    --------
    >>> idx = track_index([OsmWay(1, [(60, 35), (61, 35)], {"railway": "rail"})], [])
    >>> idx.ways, idx.status
    ([[1]], ['operational'])
    """
    lines, ends, way_ids, status = track_graph(ways, countries=countries)
    rows = []
    for st in stations:
        names = [v for k, v in st.tags.items() if k.startswith("name") and v]
        rows.append(
            {
                "id": st.id,
                "name": st.tags.get("name", ""),
                "names": sorted({_name_key(n) for n in names} - {""}),
                "geometry": Point(st.lon, st.lat),
            }
        )
    table = gpd.GeoDataFrame(rows, columns=["id", "name", "names", "geometry"], geometry="geometry", crs="EPSG:4326")
    table = table.drop_duplicates("id").reset_index(drop=True)
    lines_km = np.asarray(_to_km(np.asarray(lines, dtype=object)), dtype=object)
    used = {w for ids in way_ids for w in ids}
    way_lines: dict[int, Any] = {}
    for w in ways:
        if w.id in used:
            line = _to_km(LineString(w.coords))
            way_lines[w.id] = line if w.id not in way_lines else shapely.union(way_lines[w.id], line)
    return TrackIndex(lines_km, ends, way_ids, status, table, way_lines)


def _ways_along(index: TrackIndex, line_km: Any, candidates: list[int]) -> list[int]:
    """The candidate ways that the traced line actually runs along (not just shares a piece with)."""
    near = line_km.buffer(0.01)
    out = []
    for w in candidates:
        g = index.way_lines.get(w)
        if g is None:
            out.append(w)
            continue
        overlap = g.intersection(near).length
        if overlap >= min(0.5, 0.5 * g.length):
            out.append(w)
    return out


def _name_key(name: str) -> str:
    words = [w for w in normalize_name(name).split() if w not in _STOP_WORDS and not w.isdigit()]
    return " ".join(words)


def _station_keys(row: Any) -> set[str]:
    names = [row["name"], *(row.get("alt_names") or [])]
    sid = str(row["id"])
    names.append(sid.split("_", 1)[1] if "_" in sid else sid)
    return {_name_key(n) for n in names if n} - {""}


def match_stations(
    stations: gpd.GeoDataFrame,
    index: TrackIndex,
    *,
    options: TraceOptions | None = None,
    countries: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Move stations to the OSM station point of the same name nearby.

    Names are compared normalised (case, diacritics, separators, and words like "station" or
    "vokzal" ignored), against the station's name, alternative names and id. The nearest
    matching OSM point within ``options.station_match_km`` wins, if it lies in the station's
    country. The input is not modified.

    Returns
    -------
    tuple
        A copy of ``stations`` (moved ones with ``geometry_source`` ``osm_node``, ``osm_ids``
        ``["node/<id>"]`` and ``coordinates`` removed from ``estimated``), and a table of the
        moves (``id``, ``osm_id``, ``osm_name``, ``moved_km``).

    Examples
    --------
    >>> st = gpd.GeoDataFrame({"id": ["x_herat"], "name": ["Herat"], "alt_names": [[]], "estimated": [["coordinates"]]},
    ...                       geometry=[Point(62.20, 34.35)], crs=4326)
    >>> idx = track_index([], [OsmStation(7, 62.25, 34.30, {"name": "Herat Railway Station"})])
    >>> moved, table = match_stations(st, idx, countries=None)
    >>> moved.loc[0, "osm_ids"], moved.loc[0, "estimated"]
    (['node/7'], [])
    """
    opts = options or TraceOptions()
    out = stations.copy()
    for col in ("geometry_source", "osm_ids"):
        if col not in out.columns:
            out[col] = None
    moves = []
    osm = index.stations
    sindex = osm.sindex if len(osm) else None
    for i, row in out.iterrows():
        keys = _station_keys(row)
        p: Point = row.geometry
        if sindex is None or not keys:
            continue
        deg = opts.station_match_km / 80.0
        cand = sindex.query(shapely.box(p.x - deg, p.y - deg, p.x + deg, p.y + deg))
        best: tuple[float, int] | None = None
        for j in cand:
            if not keys & set(osm.at[j, "names"]):
                continue
            q = osm.geometry.iloc[j]
            d = point_distance_km(p.x, p.y, q.x, q.y)
            if d <= opts.station_match_km and (best is None or d < best[0]):
                best = (d, int(j))
        if best is None:
            continue
        q = osm.geometry.iloc[best[1]]
        if countries is not None and row.get("country") in countries.index:
            poly = countries.loc[row["country"], "geometry"]
            if not poly.contains(q) and poly.boundary.distance(q) * 100 > 2.0:
                continue  # the OSM point lies in another country: a namesake across the border
        node = int(osm.at[best[1], "id"])
        out.at[i, "geometry"] = q
        out.at[i, "geometry_source"] = "osm_node"
        out.at[i, "osm_ids"] = [f"node/{node}"]
        est = row.get("estimated")
        if isinstance(est, list):
            out.at[i, "estimated"] = [e for e in est if e != "coordinates"]
        moves.append({"id": row["id"], "osm_id": node, "osm_name": osm.at[best[1], "name"], "moved_km": best[0]})
    log.info("moved %d of %d stations to OpenStreetMap station nodes", len(moves), len(out))
    return out, pd.DataFrame(moves, columns=["id", "osm_id", "osm_name", "moved_km"])


def _allowed_status(status: str) -> set[str]:
    if status in ("operational", "closed"):
        return {"operational", "under_construction"}
    if status == "under_construction":
        return {"operational", "under_construction", "proposed"}
    return {"under_construction", "proposed"}


def _sample_distances(lines: Sequence[Any], ref: Any, step_km: float = 1.0) -> list[np.ndarray]:
    out = []
    for g in lines:
        n = max(2, math.ceil(g.length / step_km) + 1)
        pts = shapely.line_interpolate_point(g, np.linspace(0.0, 1.0, n), normalized=True)
        out.append(shapely.distance(pts, ref))
    return out


def _weight(length: float, dists: np.ndarray, penalty_km: float, factor: float) -> float:
    return float(length * np.mean(1.0 + (dists / penalty_km) ** 2) * factor)


@dataclass
class _Trace:
    line_km: Any
    ways: list[int]
    reason: str = ""


def _trace_one(
    index: TrackIndex,
    drawn_km: Any,
    a_km: Any,
    b_km: Any,
    status: str,
    opts: TraceOptions,
    corridor: float,
) -> _Trace | str:
    buffer = drawn_km.buffer(corridor)
    cand = index.tree.query(buffer, predicate="intersects")
    allowed = _allowed_status(status)
    cand = np.asarray([int(c) for c in cand if index.status[c] in allowed], dtype=int)
    if not len(cand):
        return "no OSM track in the corridor"
    lines = [index.lines_km[c] for c in cand]
    dists = _sample_distances(lines, drawn_km)
    G = nx.MultiGraph()
    edges: list[tuple[Any, Any, Any, dict[str, Any]]] = []
    for c, g, d in zip(cand.tolist(), lines, dists, strict=True):
        factor = 1.0 if index.status[c] == status or status not in ("operational", "closed") else 1.5
        u, v = index.ends[c]
        data = {"line": g, "start": u, "ways": index.ways[c], "w": _weight(g.length, d, opts.penalty_km, factor)}
        G.add_edge(u, v, key=c, **data)
        G.nodes[u]["pt"], G.nodes[v]["pt"] = Point(g.coords[0]), Point(g.coords[-1])
        edges.append((u, v, c, data))
    tree = shapely.STRtree(lines)
    # Requests to split edges: edge position -> [(t, node)]; connectors added afterwards.
    splits: dict[int, list[tuple[float, Any]]] = {}
    connectors: list[tuple[Any, Any, Any, float]] = []  # (from node, to node, line or None, weight)

    def request(j: int, p: Any, node: Any) -> Any:
        """Return the graph node at the projection of p on edge j (an end, or a new split node)."""
        u, v, _, data = edges[j]
        g = data["line"]
        t = g.project(p)
        if t <= 1e-6:
            return data["start"]
        if t >= g.length - 1e-6:
            return v if data["start"] == u else u
        splits.setdefault(j, []).append((t, node))
        G.add_node(node, pt=g.interpolate(t))
        return node

    # Bridge gaps: a dangling end within gap_km of other track joins it (files without shared nodes).
    dangling = [n for n in G if G.degree(n) == 1]
    if dangling:
        pts = np.asarray([G.nodes[n]["pt"] for n in dangling], dtype=object)
        ip, ie = tree.query(pts, predicate="dwithin", distance=opts.gap_km)
        best: dict[int, tuple[float, int]] = {}
        for i, j in zip(ip.tolist(), ie.tolist(), strict=True):
            u, v, _, _ = edges[j]
            if dangling[i] in (u, v):
                continue
            gap = float(lines[j].distance(pts[i]))
            if i not in best or gap < best[i][0]:
                best[i] = (gap, j)
        for i, (gap, j) in best.items():
            n = dangling[i]
            target = request(j, pts[i], ("gap", n))
            q = G.nodes[target]["pt"]
            if target != n:
                connectors.append((n, target, LineString([pts[i], q]) if gap > 1e-9 else None, 2.0 * gap + 0.05))

    for p, tag in ((a_km, "src"), (b_km, "dst")):
        near = tree.query(p, predicate="dwithin", distance=opts.snap_km)
        if not len(near):  # the mapped track ends short of the station: join it by a straight line
            near = tree.query(p, predicate="dwithin", distance=opts.far_snap_km)
        if not len(near):
            return f"no OSM track within {opts.far_snap_km:g} km of the {'from' if tag == 'src' else 'to'} station"
        d = shapely.distance(np.asarray([lines[j] for j in near], dtype=object), p)
        for n, k in enumerate(np.argsort(d)[:12]):
            target = request(int(near[k]), p, (tag, n))
            connectors.append((tag, target, None, 3.0 * float(d[k])))

    for j, items in splits.items():
        u, v, key, data = edges[j]
        g, start = data["line"], data["start"]
        end = v if start == u else u
        G.remove_edge(u, v, key=key)
        cuts = sorted(items, key=lambda x: x[0])
        prev_t, prev_n = 0.0, start
        for t, node in [*cuts, (g.length, end)]:
            if t - prev_t <= 1e-9:
                connectors.append((prev_n, node, None, 0.0))
            else:
                piece = shapely.ops.substring(g, prev_t, t)
                w = data["w"] * (t - prev_t) / g.length
                G.add_edge(prev_n, node, key=(key, prev_t), line=piece, start=prev_n, ways=data["ways"], w=w)
            prev_t, prev_n = t, node
    for u, v, line, w in connectors:
        G.add_edge(u, v, key=("c", u, v), line=line, start=u, ways=[], w=w)
    try:
        path = nx.dijkstra_path(G, "src", "dst", weight=lambda u, v, d: min(e["w"] for e in d.values()))
    except nx.NetworkXNoPath:
        return "no connected OSM track between the two stations inside the corridor"
    coords: list[tuple[float, float]] = []
    ways: list[int] = []
    for u, v in itertools.pairwise(path):
        data = min(G.get_edge_data(u, v).values(), key=lambda e: e["w"])
        g = data["line"]
        if g is None:
            continue
        seq = list(g.coords) if data["start"] == u else list(g.coords)[::-1]
        coords.extend(seq if not coords else seq[1:])
        for w in data["ways"]:
            if w not in ways:
                ways.append(w)
    if len(coords) < 2:
        return "the two stations attach to the same point of track"
    return _Trace(LineString(coords), ways)


def _coverage(index: TrackIndex, drawn_km: Any, opts: TraceOptions) -> float:
    n = max(2, int(drawn_km.length / 2.0) + 1)
    pts = shapely.line_interpolate_point(drawn_km, np.linspace(0, 1, n), normalized=True)
    near = index.tree.query(pts, predicate="dwithin", distance=opts.coverage_km)
    return len(set(near[0].tolist())) / n


def _through_stations(
    index: TrackIndex, drawn_km: Any, a_km: Any, b_km: Any, opts: TraceOptions
) -> tuple[list[Any], list[int]] | str:
    if not len(index.stations):
        return "no OSM station points"
    d = shapely.distance(index.stations_km, drawn_km)
    near = np.flatnonzero(d <= opts.stations_corridor_km)
    total = drawn_km.length
    picked = []
    for j in near:
        p = index.stations_km[j]
        t = drawn_km.project(p)
        if t < 3.0 or t > total - 3.0 or p.distance(a_km) < 3.0 or p.distance(b_km) < 3.0:
            continue
        picked.append((t, int(j), p))
    picked.sort(key=lambda x: x[0])
    seq: list[tuple[float, int, Any]] = []
    for item in picked:
        if seq and item[0] - seq[-1][0] < 2.0:
            continue
        seq.append(item)
    # drop zigzags: points that make a detour of more than 25 % between their neighbours
    changed = True
    while changed and seq:
        changed = False
        pts = [a_km, *(s[2] for s in seq), b_km]
        worst, worst_i = 1.25, -1
        for i in range(1, len(pts) - 1):
            direct = pts[i - 1].distance(pts[i + 1])
            via = pts[i - 1].distance(pts[i]) + pts[i].distance(pts[i + 1])
            if direct > 0 and via / direct > worst:
                worst, worst_i = via / direct, i - 1
        if worst_i >= 0:
            del seq[worst_i]
            changed = True
    if not seq:
        return "no OSM station points along the drawn line"
    return [index.stations.geometry.iloc[s[1]] for s in seq], [int(index.stations.at[s[1], "id"]) for s in seq]


def _set_ends(coords: list[tuple[float, float]], a: Point, b: Point) -> list[tuple[float, float]]:
    out = list(coords)
    if point_distance_km(a.x, a.y, *out[0]) > 0.005:
        out.insert(0, (a.x, a.y))
    else:
        out[0] = (a.x, a.y)
    if point_distance_km(b.x, b.y, *out[-1]) > 0.005:
        out.append((b.x, b.y))
    else:
        out[-1] = (b.x, b.y)
    return out


def trace_segments(
    stations: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    index: TrackIndex,
    *,
    options: TraceOptions | None = None,
    countries: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame]:
    """Move stations to OSM station nodes, then trace every segment along OSM track.

    Parameters
    ----------
    stations, segments
        A network in the data schema (not modified).
    index
        OpenStreetMap track and stations (:func:`track_index`).
    options
        Tolerances (:class:`TraceOptions`).
    countries
        Country polygons for the station check; the shipped ones by default.

    Returns
    -------
    tuple
        New stations and segments (``geometry_source`` and ``osm_ids`` set on every segment,
        every other property kept), and a table with one row per segment: ``id``, ``status``, ``result``
        (``osm_track``, ``osm_stations`` or ``drawn``), ``reason``, ``km_drawn``, ``km_new``,
        ``length_km``.

    Examples
    --------
    >>> st = gpd.GeoDataFrame({"id": ["a", "b"], "name": ["A", "B"], "alt_names": [[], []], "country": ["TKM"] * 2,
    ...                        "estimated": [[], []]}, geometry=[Point(60.0, 38.0), Point(60.5, 38.0)], crs=4326)
    >>> sg = gpd.GeoDataFrame({"id": ["ab"], "from": ["a"], "to": ["b"], "status": ["operational"],
    ...                        "length_km": [None], "estimated": [[]]},
    ...                       geometry=[LineString([(60.0, 38.0), (60.5, 38.0)])], crs=4326)
    >>> way = OsmWay(9, [(60.0, 38.01), (60.25, 38.03), (60.5, 38.01)], {"railway": "rail"})
    >>> _, traced, table = trace_segments(st, sg, track_index([way], []))
    >>> table.loc[0, "result"], traced.loc[0, "osm_ids"]
    ('osm_track', ['way/9'])
    """
    opts = options or TraceOptions()
    countries = load_countries() if countries is None else countries
    new_st, _ = match_stations(stations, index, options=opts, countries=countries)
    pos = dict(zip(new_st["id"], new_st.geometry, strict=True))
    out = segments.copy()
    out["geometry_source"] = "drawn"
    out["osm_ids"] = [[] for _ in range(len(out))]
    rows = []
    for i, seg in segments.iterrows():
        a, b = pos[seg["from"]], pos[seg["to"]]
        drawn = seg.geometry
        drawn_coords = list(drawn.coords)
        drawn_coords[0], drawn_coords[-1] = (a.x, a.y), (b.x, b.y)
        drawn_fixed = LineString(drawn_coords)
        km_drawn = geodesic_km(drawn_fixed)
        drawn_km = _to_km(drawn_fixed)
        a_km, b_km = _to_km(a), _to_km(b)
        corridor = min(max(opts.corridor_km, opts.corridor_share * drawn_km.length), opts.max_corridor_km)
        doc = seg.get("length_km")
        doc = None if doc is None or (isinstance(doc, float) and math.isnan(doc)) else float(doc)
        result, reason, geom, ids = "drawn", "", drawn_fixed, []
        # A documented length is strong evidence: then a wider corridor is searched.
        search = opts.documented_corridor_km if doc is not None else corridor
        traced = _trace_one(index, drawn_km, a_km, b_km, str(seg["status"]), opts, search)
        if isinstance(traced, _Trace):
            simple = traced.line_km.simplify(opts.simplify_km, preserve_topology=False)
            track = list(_to_lonlat(simple).coords)
            line = LineString(_set_ends(track, a, b))
            km = geodesic_km(line)
            dev = float(np.max(_sample_distances([traced.line_km], drawn_km)[0]))
            ratio = km / max(km_drawn, 1e-9)
            joins = [point_distance_km(a.x, a.y, *track[0]), point_distance_km(b.x, b.y, *track[-1])]
            if sum(joins) > 0.3 * km:
                reason = f"mapped track covers too little: straight joins of {joins[0]:.1f} and {joins[1]:.1f} km"
            elif doc is not None:
                closer = abs(km - doc) <= abs(km_drawn - doc) + 0.01 or abs(km / doc - 1) <= 0.05
                if not closer:
                    reason = f"trace {km:.1f} km is further from the documented {doc:g} km than the drawing"
            elif dev > corridor:
                reason = f"trace leaves the corridor ({dev:.1f} km from the drawn line > {corridor:.1f} km)"
            elif not opts.ratio_range[0] <= ratio <= opts.ratio_range[1]:
                reason = f"trace length {km:.1f} km is {ratio:.2f} x the drawn {km_drawn:.1f} km"
            if not reason:
                along = _ways_along(index, traced.line_km, traced.ways)
                result, geom, ids = "osm_track", line, [f"way/{w}" for w in along]
                if max(joins) > 1.0:
                    reason = f"joined to its stations by straight lines of {joins[0]:.1f} and {joins[1]:.1f} km"
        else:
            reason = traced
        # A line drawn through station points by an earlier run is kept as it is (drawing it again
        # through the points near itself would drift); track found since then still replaces it.
        redraw = seg.get("geometry_source") != "osm_stations"
        if result == "drawn" and redraw and seg["status"] in ("operational", "closed"):
            cov = _coverage(index, drawn_km, opts)
            if cov < 0.2:
                through = _through_stations(index, drawn_km, a_km, b_km, opts)
                if isinstance(through, str):
                    reason = f"{reason}; little OSM track near the drawn line and {through}"
                else:
                    pts, nodes = through
                    line = LineString([(a.x, a.y), *((p.x, p.y) for p in pts), (b.x, b.y)])
                    km = geodesic_km(line)
                    better = doc is None or abs(km - doc) <= abs(km_drawn - doc) or abs(km / doc - 1) <= 0.05
                    if better and km / max(km_drawn, 1e-9) <= 1.35:
                        result, geom, ids = "osm_stations", line, [f"node/{n}" for n in nodes]
                        reason = (
                            f"{reason}; little OSM track near the drawn line: through {len(nodes)} OSM station points"
                        )
                    else:
                        reason = (
                            f"{reason}; little OSM track near the drawn line, and the line through station points "
                            f"({km:.1f} km) is no better"
                        )
        previous = seg.get("geometry_source")
        if result == "drawn" and previous in ("osm_track", "osm_stations"):
            # A re-run: the drawing is itself OSM geometry from an earlier run; keep saying so.
            result, ids = str(previous), list(seg.get("osm_ids") or [])
            reason = f"kept the {previous} geometry of an earlier run ({reason})"
        out.at[i, "geometry"] = geom
        out.at[i, "geometry_source"] = result
        out.at[i, "osm_ids"] = ids
        rows.append(
            {
                "id": seg["id"],
                "status": seg["status"],
                "result": result,
                "reason": reason,
                "km_drawn": km_drawn,
                "km_new": geodesic_km(geom),
                "length_km": doc,
            }
        )
    table = pd.DataFrame(rows, columns=["id", "status", "result", "reason", "km_drawn", "km_new", "length_km"])
    log.info(
        "traced %d of %d segments along OSM track, %d through OSM station points (%s)",
        int((table["result"] == "osm_track").sum()),
        len(table),
        int((table["result"] == "osm_stations").sum()),
        ATTRIBUTION,
    )
    return new_st, out, table


def length_agreement(segments: gpd.GeoDataFrame, *, tolerance: float = 0.15) -> dict[str, float]:
    """Compare geometry lengths with documented ones (segments carrying ``length_km``).

    Returns
    -------
    dict
        ``n`` (segments with a documented length), ``median_ratio`` (geodesic / documented)
        and ``share_off`` (share of those off by more than ``tolerance``).

    Examples
    --------
    >>> sg = gpd.GeoDataFrame({"length_km": [111.3, 50.0, None]}, geometry=[LineString([(0, 0), (1, 0)])] * 3, crs=4326)
    >>> m = length_agreement(sg)
    >>> m["n"], round(m["median_ratio"], 2), m["share_off"]
    (2, 1.61, 0.5)
    """
    doc = pd.to_numeric(segments["length_km"], errors="coerce")
    has = doc.notna() & (doc > 0)
    km = np.array([geodesic_km(g) for g in segments.geometry[has]])
    ratio = km / doc[has].to_numpy(dtype=float)
    if len(ratio) == 0:
        return {"n": 0, "median_ratio": float("nan"), "share_off": float("nan")}
    return {
        "n": len(ratio),
        "median_ratio": float(np.median(ratio)),
        "share_off": float(np.mean(np.abs(ratio - 1) > tolerance)),
    }
