"""Importing OpenStreetMap railways as a corridors network.

Reads OpenStreetMap data (``.osm.pbf`` / ``.osm`` XML through pyosmium) and OpenStreetMap-derived
line files (GeoPackage/shapefile of ways with an OSM id and a ``fclass`` or ``railway`` column,
GeoJSON FeatureCollections, and JSON way lists ``[{id, type, geometry: [[lat, lon], ...]}]`` with
station lists ``[{id, lat, lon, name, type}]``), keeps the freight-relevant track, splits the ways
where they meet and at stations, merges chains of ways into segments between junctions, stations
and ends, and returns stations and segments in the data schema (``geodata/README.md``).

Everything read here is © OpenStreetMap contributors under the Open Database Licence 1.0; every
feature produced names its OSM elements in ``source`` and ``osm_ids``.
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod
from shapely import LineString, Point

from corridors.geo import load_countries
from corridors.io import to_geojson
from corridors.osm_read import NO_OSM_ID, OsmStation, OsmWay, read_osm
from corridors.output import atomic_folder
from corridors.schema import DATE_PATTERN

__all__ = [
    "ATTRIBUTION",
    "ImportSummary",
    "OsmStation",
    "OsmWay",
    "import_osm",
    "read_osm",
    "track_graph",
    "write_network_folder",
    "write_text_folder",
]

log = logging.getLogger(__name__)

#: The attribution every OSM-derived feature carries.
ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
#: A station point further than this from kept track is not attached (km); segment ends must lie
#: within 1 km of their station (``corridors validate``).
STATION_TOLERANCE_KM = 0.5

_GEOD = Geod(ellps="WGS84")
_DROP_STATUS = {"disused", "abandoned", "razed", "dismantled", "historic", "demolished"}
_LIGHT = {"light_rail", "tram", "subway", "miniature", "miniature_railway", "monorail", "funicular", "narrow_gauge"}
_SERVICE = {"siding", "yard", "spur", "crossover"}
_FREIGHT_USAGE = {"main", "branch", "industrial", "freight"}
#: Gauge of unmapped track by country (ISO3): the region's 1520 mm network, China's and Iran's
#: standard gauge, Pakistan's broad gauge.
DEFAULT_GAUGE = {
    "UZB": "1520",
    "TKM": "1520",
    "TJK": "1520",
    "KGZ": "1520",
    "KAZ": "1520",
    "AFG": "1520",
    "AZE": "1520",
    "GEO": "1520",
    "ARM": "1520",
    "RUS": "1520",
    "MNG": "1520",
    "IRN": "1435",
    "CHN": "1435",
    "TUR": "1435",
    "IRQ": "1435",
    "PAK": "1676",
    "IND": "1676",
}
_GAUGE_MM = {"1520": "1520", "1524": "1520", "1435": "1435", "1676": "1676"}


@dataclass
class ImportSummary:
    """What an import read, kept and dropped.

    Attributes
    ----------
    ways_read, ways_kept
        OpenStreetMap ways (or line features) read and kept.
    dropped
        ``{reason: number of ways}`` for ways not kept.
    km_by_status, km_by_gauge
        Geodesic km of kept track by our status and gauge.
    stations_read, stations_attached
        Station/halt nodes read, and attached to kept track.
    stations_dropped
        ``{reason: number of nodes}`` for stations not attached.
    stations, segments
        Rows of the network produced (stations include junctions and track ends).
    """

    ways_read: int = 0
    ways_kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    km_by_status: dict[str, float] = field(default_factory=dict)
    km_by_gauge: dict[str, float] = field(default_factory=dict)
    stations_read: int = 0
    stations_attached: int = 0
    stations_dropped: dict[str, int] = field(default_factory=dict)
    stations: int = 0
    segments: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as plain JSON-ready data."""
        return {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.__dict__.items()}

    def lines(self) -> list[str]:
        """Return the summary as short lines of text (for the command line).

        Examples
        --------
        >>> ImportSummary(ways_read=3, ways_kept=2, dropped={"service=siding": 1}).lines()[0]
        'ways read 3, kept 2'
        """
        out = [f"ways read {self.ways_read}, kept {self.ways_kept}"]
        for reason, n in sorted(self.dropped.items(), key=lambda kv: -kv[1]):
            out.append(f"  dropped {n} way(s): {reason}")
        out.append("km kept by status: " + ", ".join(f"{k} {v:,.1f}" for k, v in sorted(self.km_by_status.items())))
        out.append("km kept by gauge: " + ", ".join(f"{k} {v:,.1f}" for k, v in sorted(self.km_by_gauge.items())))
        out.append(f"station nodes read {self.stations_read}, attached {self.stations_attached}")
        for reason, n in sorted(self.stations_dropped.items(), key=lambda kv: -kv[1]):
            out.append(f"  not attached {n} station(s): {reason}")
        out.append(f"network: {self.stations} stations (incl. junctions and ends), {self.segments} segments")
        return out


# --------------------------------------------------------------------------------------------
# Tags


def _classify(tags: dict[str, str], *, keep_service: bool, keep_light: bool) -> tuple[str | None, str]:
    """Return (our status or None, reason dropped)."""
    railway = tags.get("railway", "")
    if NO_OSM_ID in tags:
        return None, "no OpenStreetMap id in the file"
    if not railway:
        return None, "no railway tag"
    if railway in _DROP_STATUS:
        return None, f"railway={railway}"
    kind = railway
    status = "operational"
    if railway in ("construction", "proposed"):
        status = "under_construction" if railway == "construction" else "proposed"
        kind = tags.get(railway, "rail") or "rail"
    if kind in _LIGHT and not keep_light:
        if not (kind == "narrow_gauge" and tags.get("usage") in _FREIGHT_USAGE):
            return None, f"railway={kind} (not a freight line)"
    elif kind not in ("rail", *_LIGHT, "yes"):
        return None, f"railway={kind} (not a railway line)"
    if tags.get("service") in _SERVICE and not keep_service:
        return None, f"service={tags['service']}"
    return status, ""


def _gauge(value: str | None, country: str) -> tuple[str | None, bool]:
    """Map an OSM ``gauge`` tag to (our gauge, estimated); (None, False) for a gauge we lack."""
    if value:
        parts = {_GAUGE_MM.get(v.strip(), "?") for v in value.split(";")}
        if parts == {"1520", "1435"}:
            return "dual", False
        if len(parts) == 1 and "?" not in parts:
            return parts.pop(), False
        if "?" in parts and parts != {"?"} and len(parts - {"?"}) == 1 and "1435" not in parts:
            return (parts - {"?"}).pop(), False  # e.g. 1520;1067 on a 1520 line
        try:
            float(value.split(";")[0])
            return None, False
        except ValueError:
            pass  # "standard", "broad": fall back to the country default
    return DEFAULT_GAUGE.get(country, "1520"), True


def _date(value: str | None) -> str | None:
    return value if value and DATE_PATTERN.match(value.strip()) else None


# --------------------------------------------------------------------------------------------
# Topology


Key = int | tuple[float, float] | tuple[str, int] | tuple[str, int, int]


@dataclass
class _Edge:
    coords: list[tuple[float, float]]
    u: Key
    v: Key
    ways: list[int]
    attrs: tuple[Any, ...]
    tags: dict[str, str]


def _way_km(coords: Sequence[tuple[float, float]]) -> float:
    arr = np.asarray(coords)
    return float(_GEOD.line_length(arr[:, 0], arr[:, 1])) / 1000.0


def _countries_of(points: np.ndarray, countries: gpd.GeoDataFrame) -> list[str]:
    if len(points) == 0:
        return []
    pts = np.asarray(shapely.points(points), dtype=object).reshape(-1)
    polys = countries.geometry.to_numpy()
    codes = countries["country"].to_numpy()
    tree = shapely.STRtree(polys)
    out = [""] * len(pts)
    ip, ic = tree.query(pts, predicate="within")
    for i, c in zip(ip.tolist(), ic.tolist(), strict=True):
        out[i] = out[i] or str(codes[c])
    missing = [i for i, c in enumerate(out) if not c]
    if missing:
        # Points in gaps along border rivers or off the polygons: the nearest country (planar
        # degrees are good enough for the few hundred metres at stake).
        jp, jc = tree.query_nearest(pts[missing], all_matches=False)
        for i, c in zip(jp.tolist(), jc.tolist(), strict=True):
            out[missing[i]] = str(codes[c])
    return out


def _keys(way: OsmWay) -> list[Key]:
    if way.nodes is not None:
        return list(way.nodes)
    return [(round(x, 7), round(y, 7)) for x, y in way.coords]


def _dedupe(coords: list[tuple[float, float]], keys: list[Key]) -> tuple[list[tuple[float, float]], list[Key]]:
    out_c, out_k = [coords[0]], [keys[0]]
    for c, k in zip(coords[1:], keys[1:], strict=True):
        if k != out_k[-1]:
            out_c.append(c)
            out_k.append(k)
    return out_c, out_k


def _attach_stations(
    ways: list[tuple[OsmWay, list[Key]]],
    stations: list[OsmStation],
    tolerance_km: float,
    dropped: Counter[str],
) -> dict[Key, OsmStation]:
    """Insert station vertices into the ways; return ``{vertex key: station}``."""
    attached: dict[Key, OsmStation] = {}
    node_keys = {k for _, keys in ways for k in keys if isinstance(k, int)}
    loose = []
    for st in stations:
        if st.id in node_keys:
            attached[st.id] = st
        else:
            loose.append(st)
    if not loose or not ways:
        dropped.update({"no kept track within tolerance": len(loose)} if loose else {})
        return attached
    lines = [LineString(w.coords) for w, _ in ways]
    tree = shapely.STRtree(lines)
    pts = shapely.points([(s.lon, s.lat) for s in loose])
    # A generous planar radius in degrees; the geodesic check below decides.
    idx_pt, idx_line = tree.query_nearest(pts, max_distance=tolerance_km / 80.0, all_matches=False)
    inserts: dict[int, list[tuple[float, OsmStation]]] = {}
    matched = set()
    for ip, il in zip(idx_pt.tolist(), idx_line.tolist(), strict=True):
        st, line = loose[ip], lines[il]
        t = line.project(pts[ip])
        q = line.interpolate(t)
        d = float(_GEOD.inv(st.lon, st.lat, q.x, q.y)[2]) / 1000.0
        if d <= tolerance_km:
            inserts.setdefault(il, []).append((t, st))
            matched.add(ip)
    n_far = len(loose) - len(matched)
    if n_far:
        dropped[f"farther than {tolerance_km:g} km from kept track"] += n_far
    for il, items in inserts.items():
        way, keys = ways[il]
        line = lines[il]
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(np.asarray(way.coords), axis=0).T))])
        new_c, new_k = list(way.coords), list(keys)
        for t, st in sorted(items, key=lambda x: -x[0]):  # from the end so indices stay valid
            q = line.interpolate(t)
            i = int(np.searchsorted(cum, t, side="right")) - 1
            i = min(max(i, 0), len(cum) - 2)
            key: Key = ("station", st.id)
            if math.isclose(t, cum[i], abs_tol=1e-12):
                new_k[i] = key if not isinstance(new_k[i], int) else new_k[i]
                attached[new_k[i]] = st
                continue
            if math.isclose(t, cum[i + 1], abs_tol=1e-12):
                new_k[i + 1] = key if not isinstance(new_k[i + 1], int) else new_k[i + 1]
                attached[new_k[i + 1]] = st
                continue
            new_c.insert(i + 1, (q.x, q.y))
            new_k.insert(i + 1, key)
            attached[key] = st
        way.coords = new_c
        ways[il] = (way, new_k)
    return attached


def _split(ways: list[tuple[OsmWay, list[Key]]], stops: set[Key], attrs: list[tuple[Any, ...]]) -> list[_Edge]:
    edges = []
    for (way, keys), att in zip(ways, attrs, strict=True):
        start = 0
        for i in range(1, len(keys)):
            if keys[i] in stops or i == len(keys) - 1:
                edges.append(_Edge(way.coords[start : i + 1], keys[start], keys[i], [way.id], att, way.tags))
                start = i
    return edges


def _merge_chains(edges: list[_Edge], keep: set[Key]) -> list[_Edge]:
    """Merge chains of edges through degree-2 nodes whose two edges have equal attributes."""
    incident: dict[Key, list[int]] = {}
    for i, e in enumerate(edges):
        incident.setdefault(e.u, []).append(i)
        incident.setdefault(e.v, []).append(i)

    def is_end(n: Key) -> bool:
        inc = incident[n]
        return n in keep or len(inc) != 2 or inc[0] == inc[1] or edges[inc[0]].attrs != edges[inc[1]].attrs

    ends = {n for n in incident if is_end(n)}
    used = [False] * len(edges)
    out: list[_Edge] = []

    def walk(start: Key, first: int) -> None:
        coords: list[tuple[float, float]] = []
        ways: list[int] = []
        tags: Counter[str] = Counter()
        cur, ei = start, first
        while True:
            used[ei] = True
            e = edges[ei]
            seq = e.coords if e.u == cur else e.coords[::-1]
            coords.extend(seq if not coords else seq[1:])
            for w in e.ways:
                if not ways or ways[-1] != w:
                    ways.append(w)
            tags[json.dumps(e.tags, sort_keys=True)] += len(seq)
            cur = e.v if e.u == cur else e.u
            if cur in ends:
                break
            nxt = [j for j in incident[cur] if not used[j]]
            if not nxt:
                break
            ei = nxt[0]
        main_tags = json.loads(tags.most_common(1)[0][0])
        out.append(_Edge(coords, start, cur, list(dict.fromkeys(ways)), edges[first].attrs, main_tags))

    for n in sorted(ends, key=str):
        for ei in incident[n]:
            if not used[ei]:
                walk(n, ei)
    for ei in range(len(edges)):  # rings with no end: start anywhere
        if not used[ei]:
            ends.add(edges[ei].u)
            walk(edges[ei].u, ei)
    return [half for e in out for half in _split_loop(e)]


def _split_loop(e: _Edge) -> list[_Edge]:
    """Split a segment that starts and ends at the same node at its middle vertex."""
    if e.u != e.v:
        return [e]
    if len(e.coords) < 3:
        return []  # a two-vertex loop has zero length
    i = len(e.coords) // 2
    mid: Key = ("loop", e.ways[0], i)
    return [
        _Edge(e.coords[: i + 1], e.u, mid, e.ways, e.attrs, e.tags),
        _Edge(e.coords[i:], mid, e.v, e.ways, e.attrs, e.tags),
    ]


@dataclass
class _Built:
    edges: list[_Edge]
    stations: dict[Key, OsmStation]
    summary: ImportSummary
    countries: gpd.GeoDataFrame


def _build(
    ways: list[OsmWay],
    stations: list[OsmStation],
    *,
    bbox: tuple[float, float, float, float] | None,
    keep_service: bool,
    keep_light: bool,
    station_tolerance_km: float,
    countries: gpd.GeoDataFrame | None,
    progress: Callable[[str], None] | None = None,
) -> _Built:
    summary = ImportSummary(ways_read=len(ways), stations_read=len(stations))
    dropped: Counter[str] = Counter()
    countries = load_countries() if countries is None else countries
    if bbox is not None:
        w, s, e, n = bbox
        box = shapely.box(w, s, e, n)
        inside = shapely.intersects(box, [LineString(way.coords) for way in ways]) if ways else np.zeros(0, bool)
        dropped["outside the bbox"] += int(len(ways) - np.count_nonzero(inside))
        ways = [way for way, ok in zip(ways, inside, strict=True) if ok]
        stations = [st for st in stations if w <= st.lon <= e and s <= st.lat <= n]
    if progress:
        progress("classifying ways")
    kept: list[tuple[OsmWay, list[Key]]] = []
    statuses: list[str] = []
    for way in ways:
        status, reason = _classify(way.tags, keep_service=keep_service, keep_light=keep_light)
        if status is None:
            dropped[reason] += 1
            continue
        coords, keys = _dedupe(way.coords, _keys(way))
        if len(coords) < 2:
            dropped["fewer than two distinct vertices"] += 1
            continue
        kept.append((OsmWay(way.id, coords, way.tags, way.nodes), keys))
        statuses.append(status)
    mids = np.array([w.coords[len(w.coords) // 2] for w, _ in kept]).reshape(-1, 2)
    codes = _countries_of(mids, countries)
    attrs: list[tuple[Any, ...]] = []
    final: list[tuple[OsmWay, list[Key]]] = []
    for (way, keys), status, code in zip(kept, statuses, codes, strict=True):
        gauge, est = _gauge(way.tags.get("gauge"), code)
        if gauge is None:
            dropped[f"gauge {way.tags.get('gauge')} mm (not in the schema)"] += 1
            continue
        opened = _date(way.tags.get("start_date")) if status == "operational" else None
        expected = _date(way.tags.get("opening_date")) if status != "operational" else None
        attrs.append((status, gauge, est, opened, expected))
        final.append((way, keys))
    summary.ways_kept = len(final)
    for (way, _), att in zip(final, attrs, strict=True):
        km = _way_km(way.coords)
        summary.km_by_status[att[0]] = summary.km_by_status.get(att[0], 0.0) + km
        summary.km_by_gauge[att[1]] = summary.km_by_gauge.get(att[1], 0.0) + km
    if progress:
        progress("attaching stations")
    st_dropped: Counter[str] = Counter()
    attached = _attach_stations(final, stations, min(station_tolerance_km, 1.0), st_dropped)
    summary.stations_attached = len(attached)
    if progress:
        progress("splitting and merging")
    uses: Counter[Key] = Counter()
    for _, keys in final:
        uses.update(keys)
    stops = {k for k, c in uses.items() if c > 1} | set(attached)
    stops |= {keys[0] for _, keys in final} | {keys[-1] for _, keys in final}
    edges = _merge_chains(_split(final, stops, attrs), set(attached))
    summary.dropped = dict(dropped)
    summary.stations_dropped = dict(st_dropped)
    return _Built(edges, attached, summary, countries)


# --------------------------------------------------------------------------------------------
# Output


def _ascii_snake(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def _station_names(tags: dict[str, str], fallback: str) -> tuple[str, list[str]]:
    names = [tags.get(k) for k in ("name:en", "name", "int_name", "name:local", "name:ru", "name:uz", "name:fa")]
    names += [v for k, v in sorted(tags.items()) if k.startswith(("name:", "alt_name", "old_name"))]
    uniq = list(dict.fromkeys(n for n in names if n))
    if not uniq:
        return fallback, []
    return uniq[0], uniq[1:]


def _frames(built: _Built) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    edges = built.edges
    degree: Counter[Key] = Counter()
    pos: dict[Key, tuple[float, float]] = {}
    for e in edges:
        degree[e.u] += 1
        degree[e.v] += 1
        pos.setdefault(e.u, e.coords[0])
        pos.setdefault(e.v, e.coords[-1])
    nodes = sorted(pos, key=str)
    geoms = [(built.stations[k].lon, built.stations[k].lat) if k in built.stations else pos[k] for k in nodes]
    codes = _countries_of(np.array(geoms).reshape(-1, 2), built.countries)
    taken: set[str] = set()
    rows = []
    node_id: dict[Key, str] = {}
    for k, xy, code in zip(nodes, geoms, codes, strict=True):
        iso = code.lower() or "xxx"
        st = built.stations.get(k)
        if st is not None:
            name, alts = _station_names(st.tags, f"station node/{st.id}")
            sid = f"{iso}_{_ascii_snake(name) or st.id}"
            if sid in taken:
                sid = f"{sid}_{st.id}"
            osm_ids = [f"node/{st.id}"]
            rec: dict[str, Any] = {
                "name": name,
                "alt_names": alts,
                "role": "station",
                "source": f"OpenStreetMap node/{st.id} ({ATTRIBUTION})",
                "source_url": f"https://www.openstreetmap.org/node/{st.id}",
                "estimated": [],
                "notes": f"OpenStreetMap railway={st.tags.get('railway', 'station')}.",
                "geometry_source": "osm_node",
            }
        else:
            osm_node = k if isinstance(k, int) else None
            end = degree[k] == 1
            where = f"node/{osm_node}" if osm_node is not None else f"{xy[1]:.5f} N, {xy[0]:.5f} E"
            name = f"{'Track end' if end else 'Junction'} at {where}"
            sid = f"{iso}_{'end' if end else 'junction'}_{osm_node if osm_node is not None else _ascii_snake(where)}"
            osm_ids = [f"node/{osm_node}"] if osm_node is not None else []
            rec = {
                "name": name,
                "alt_names": [],
                "role": "junction",
                "source": f"OpenStreetMap {'node/' + str(osm_node) if osm_node is not None else 'track'} "
                f"({ATTRIBUTION})",
                "source_url": f"https://www.openstreetmap.org/node/{osm_node}" if osm_node is not None else None,
                "estimated": ["role"] if end or degree[k] == 2 else [],
                "notes": (
                    "End of the mapped track (or of the imported extract)."
                    if end
                    else (
                        f"Point where {degree[k]} pieces of track meet."
                        if degree[k] > 2
                        else "Point where the track's status, gauge or dates change."
                    )
                ),
                "geometry_source": "osm_track",
            }
        while sid in taken:
            sid += "_"
        taken.add(sid)
        node_id[k] = sid
        rows.append({"id": sid, "country": code, "gauge_change": [], "osm_ids": osm_ids, **rec, "geometry": Point(*xy)})
    if rows:
        stations = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    else:
        stations = gpd.GeoDataFrame(columns=["id", "name", "country", "geometry"], geometry="geometry", crs="EPSG:4326")

    seg_rows = []
    seg_taken: Counter[str] = Counter()
    for e in edges:
        status, gauge, est, opened, expected = e.attrs
        base = f"osm_way_{e.ways[0]}"
        seg_taken[base] += 1
        sid = base if seg_taken[base] == 1 else f"{base}_{seg_taken[base]}"
        estimated = (["gauge"] if est else []) + (["opened"] if status == "operational" and not opened else [])
        kept_tags = ("usage", "electrified", "operator", "service")
        notes = "; ".join(f"OSM {k}={e.tags[k]}" for k in kept_tags if k in e.tags)
        ids = [f"way/{w}" for w in e.ways]
        seg_rows.append(
            {
                "id": sid,
                "name": e.tags.get("name:en") or e.tags.get("name") or "",
                "from": node_id[e.u],
                "to": node_id[e.v],
                "gauge": gauge,
                "status": status,
                "opened": opened,
                "expected_opening": expected,
                "closed": None,
                "length_km": None,
                "corridors": [],
                "source": f"OpenStreetMap {', '.join(ids)} ({ATTRIBUTION})",
                "source_url": f"https://www.openstreetmap.org/way/{e.ways[0]}",
                "estimated": estimated,
                "notes": notes,
                "geometry_source": "osm_track",
                "osm_ids": ids,
                "geometry": LineString(e.coords),
            }
        )
    if seg_rows:
        segments = gpd.GeoDataFrame(seg_rows, geometry="geometry", crs="EPSG:4326")
    else:
        segments = gpd.GeoDataFrame(columns=["id", "from", "to", "geometry"], geometry="geometry", crs="EPSG:4326")
    return stations, segments


def import_osm(
    path: str | Path | Sequence[str | Path],
    *,
    bbox: tuple[float, float, float, float] | None = None,
    keep_service: bool = False,
    keep_light: bool = False,
    station_tolerance_km: float = STATION_TOLERANCE_KM,
    countries: gpd.GeoDataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, ImportSummary]:
    """Import OpenStreetMap railways as a network in the data schema.

    Ways are kept by their tags (``railway=rail`` is operational, ``construction`` under
    construction, ``proposed`` proposed; disused, abandoned and razed track, sidings, yards,
    spurs, crossovers, light rail, trams, subways, monorails, miniature and non-freight narrow
    gauge lines are dropped), split at shared nodes (shared coordinates, to 1e-7 degree, in files
    without node ids) and at stations, and chains through degree-2 nodes are merged, so segments
    run between junctions, stations and ends. A way crossing the bbox edge is kept whole.

    Station and halt nodes within ``station_tolerance_km`` of kept track become stations (the
    track is split at their projection); junctions and track ends become stations of role
    ``junction``. Gauges come from the ``gauge`` tag (1524 mm counts as 1520, ``1520;1435`` as
    dual); without one, the country's usual gauge is used and ``gauge`` is listed in
    ``estimated``. Operational track without a ``start_date`` has no ``opened`` date: ``opened``
    is listed in ``estimated`` (unknown), never invented.

    Parameters
    ----------
    path
        One file or several (see :func:`read_osm`); ways and stations of all are combined.
    bbox
        ``(west, south, east, north)`` in degrees: keep only ways touching this box.
    keep_service, keep_light
        Keep sidings/yards/spurs/crossovers, and light rail/tram/subway/monorail/narrow gauge.
    station_tolerance_km
        Largest distance from a station node to the track it is attached to (at most 1 km).
    countries
        Country polygons (ISO3 ``country`` column); the shipped Natural Earth extract by default.
    progress
        Called with the name of each stage (for a progress display).

    Returns
    -------
    tuple
        ``(stations, segments, summary)``: GeoDataFrames in EPSG:4326 that
        :func:`corridors.network.network_from_gdfs` accepts, and an :class:`ImportSummary`.

    Raises
    ------
    DataError
        If a file cannot be read (the message names it).

    Examples
    --------
    >>> from corridors.data import get_path
    >>> st, sg, summary = import_osm(get_path("osm/earm_china_xinjiang.geojson.gz"), bbox=(75.9, 39.4, 76.1, 39.6))
    >>> set(sg["geometry_source"]) == {"osm_track"} and summary.ways_kept > 0
    True
    """
    ways, station_nodes = read_osm(path)
    if progress:
        progress("read")
    built = _build(
        ways,
        station_nodes,
        bbox=bbox,
        keep_service=keep_service,
        keep_light=keep_light,
        station_tolerance_km=station_tolerance_km,
        countries=countries,
        progress=progress,
    )
    if progress:
        progress("building the network")
    stations, segments = _frames(built)
    built.summary.stations = len(stations)
    built.summary.segments = len(segments)
    log.info(
        "imported %d ways (%d kept) into %d stations and %d segments",
        built.summary.ways_read,
        built.summary.ways_kept,
        len(stations),
        len(segments),
    )
    return stations, segments, built.summary


def track_graph(
    ways: list[OsmWay],
    *,
    keep_service: bool = False,
    keep_light: bool = False,
    countries: gpd.GeoDataFrame | None = None,
) -> tuple[list[LineString], list[tuple[Key, Key]], list[list[int]], list[str]]:
    """Return the merged track pieces of a set of ways: geometry, end keys, way ids, status.

    The same topology as :func:`import_osm` (split where ways meet, degree-2 chains merged),
    without stations; used by :mod:`corridors.trace`.

    Examples
    --------
    >>> w = [OsmWay(1, [(0, 0), (1, 0)], {"railway": "rail"}), OsmWay(2, [(1, 0), (2, 0)], {"railway": "rail"})]
    >>> lines, ends, ids, status = track_graph(w)
    >>> ids, status
    ([[1, 2]], ['operational'])
    """
    built = _build(
        ways,
        [],
        bbox=None,
        keep_service=keep_service,
        keep_light=keep_light,
        station_tolerance_km=STATION_TOLERANCE_KM,
        countries=countries,
    )
    return (
        [LineString(e.coords) for e in built.edges],
        [(e.u, e.v) for e in built.edges],
        [e.ways for e in built.edges],
        [str(e.attrs[0]) for e in built.edges],
    )


def write_network_folder(
    stations: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame,
    folder: str | Path,
    *,
    command: str,
    force: bool = False,
) -> Path:
    """Write a network folder atomically (see :func:`corridors.output.atomic_folder`).

    The folder is written beside its destination and renamed into place when complete; an
    existing folder is replaced only with ``force=True`` and only if it is empty or corridors
    wrote it (its marker file), so a folder corridors did not write is never overwritten.

    Parameters
    ----------
    stations, segments
        The network in the data schema.
    folder
        Destination.
    command
        What wrote it, recorded in the marker.
    force
        Replace an existing folder written by corridors.

    Returns
    -------
    pathlib.Path
        The folder.

    Raises
    ------
    OutputExistsError
        If the folder exists and ``force`` is off, or it is neither empty nor corridors' output.

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> empty = gpd.GeoDataFrame(columns=["id", "geometry"], geometry="geometry", crs=4326)
    >>> out = write_network_folder(empty, empty, Path(tempfile.mkdtemp()) / "net", command="doctest")
    >>> sorted(p.name for p in out.iterdir())
    ['.corridors-output.json', 'segments.geojson', 'stations.geojson']
    """
    folder = Path(folder)
    with atomic_folder(folder, force=force, command=command) as tmp:
        to_geojson(stations, segments, tmp)
    return folder


def write_text_folder(folder: str | Path, files: dict[str, str], *, command: str, force: bool = False) -> Path:
    """Write text files into a new folder atomically, with corridors' marker file.

    The same rules as :func:`write_network_folder`; used where files are written in their own
    format (e.g. keeping the shipped GeoJSON's one-feature-per-line layout).

    Raises
    ------
    OutputExistsError
        As for :func:`write_network_folder`.

    Examples
    --------
    >>> import tempfile
    >>> out = write_text_folder(Path(tempfile.mkdtemp()) / "f", {"a.txt": "hi"}, command="doctest")
    >>> (out / "a.txt").read_text()
    'hi'
    """
    folder = Path(folder)
    with atomic_folder(folder, force=force, command=command) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
    return folder
