"""A generated continental-scale rail network for benchmarks (not real data).

Stations sit on a jittered lon/lat grid (0.06 degrees apart, about 6 km); segments are a random
spanning tree of the grid plus random extra grid links, so the network is connected, planar and
sparse like a real rail network. Countries are lon/lat boxes with a gauge each; segments inside a
country carry its gauge (a few are dual gauge), border segments the gauge of their first end, and
some stations at breaks of gauge have a transloading or bogie-exchange facility.

Two ways to build the model:

* :func:`build_network_checked` goes through :func:`corridors.network_from_gdfs` (every record
  validated, kilometres per country from the country polygons for every segment) -- the normal
  path, too slow at this scale to run whole in a benchmark (see ``bench_od.py``);
* :func:`build_network_fast` makes the same :class:`corridors.Network` with vectorized geodesic
  lengths, kilometres per country from the polygons only for segments whose ends lie in two
  countries (a segment between two stations of one box country lies wholly inside it), and a
  graph of the segment ids only. It skips the record checks: the generator's output is valid by
  construction.

Usage::

    python benchmarks/continental.py            # build both ways on a slice and compare, then time the full build
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from pyproj import Geod
from scipy.sparse.csgraph import minimum_spanning_tree
from shapely import linestrings, points
from shapely.geometry import box

from corridors.geo import km_by_country
from corridors.network import Network, network_from_gdfs

GEOD = Geod(ellps="WGS84")
STEP = 0.06  # degrees between grid stations
LON0, LAT0 = 30.0, 20.0


def countries_grid(ncols: int, nrows: int, cx: int = 6, cy: int = 4) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Box countries tiling the grid: ``cx`` by ``cy`` of them, codes ``XAA``, ``XAB``, ..."""
    xs = np.linspace(LON0 - STEP, LON0 + ncols * STEP, cx + 1)
    ys = np.linspace(LAT0 - STEP, LAT0 + nrows * STEP, cy + 1)
    codes, geoms = [], []
    for j in range(cy):
        for i in range(cx):
            k = j * cx + i
            codes.append("X" + chr(65 + k // 26) + chr(65 + k % 26))
            geoms.append(box(xs[i], ys[j], xs[i + 1], ys[j + 1]))
    gdf = gpd.GeoDataFrame({"country": codes, "name": codes}, geometry=geoms, crs="EPSG:4326")
    return gdf.set_index("country", drop=False), np.array([xs, ys], dtype=object)


def generate(
    n_stations: int = 200_000,
    n_segments: int = 250_000,
    *,
    seed: int = 0,
    road_share: float = 0.0,
    ferry_share: float = 0.0,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Stations, segments (in the corridors schema) and box countries of a continental network.

    With ``road_share`` / ``ferry_share`` that share of the segments are road or ferry legs (a
    ferry sails daily), and a third of the stations where modes meet are terminals offering every
    change of mode between them.
    """
    rng = np.random.default_rng(seed)
    nrows = int(np.sqrt(n_stations / 1.25))
    ncols = -(-n_stations // nrows)
    n = ncols * nrows
    ix, iy = np.arange(n) % ncols, np.arange(n) // ncols
    lon = LON0 + ix * STEP + rng.uniform(-0.015, 0.015, n)
    lat = LAT0 + iy * STEP + rng.uniform(-0.015, 0.015, n)
    # candidate links: right and up neighbours on the grid
    right = np.flatnonzero(ix < ncols - 1)
    up = np.flatnonzero(iy < nrows - 1)
    cu = np.concatenate([right, up])
    cv = np.concatenate([right + 1, up + ncols])
    w = rng.uniform(1.0, 2.0, len(cu))
    tree = minimum_spanning_tree(sp.coo_array((w, (cu, cv)), shape=(n, n)).tocsr()).tocoo()
    tu, tv = tree.row.astype(np.int64), tree.col.astype(np.int64)
    in_tree = set(zip(np.minimum(tu, tv).tolist(), np.maximum(tu, tv).tolist(), strict=True))
    rest = np.array([k for k, (a, b) in enumerate(zip(cu.tolist(), cv.tolist(), strict=True)) if (a, b) not in in_tree])
    extra = rng.choice(rest, size=n_segments - len(tu), replace=False)
    su = np.concatenate([tu, cu[extra]])
    sv = np.concatenate([tv, cv[extra]])

    countries, (xs, ys) = countries_grid(ncols, nrows)
    cx = np.clip(np.searchsorted(xs, lon) - 1, 0, len(xs) - 2)
    cy = np.clip(np.searchsorted(ys, lat) - 1, 0, len(ys) - 2)
    ccode = countries["country"].to_numpy()[cy * (len(xs) - 1) + cx]
    # a gauge per country: mostly 1520, a standard-gauge block and one broad-gauge country
    gauge_of = {
        c: ("1435" if k % 5 == 1 else "1676" if k == 17 else "1520") for k, c in enumerate(countries["country"])
    }
    sgauge = np.array([gauge_of[c] for c in ccode[su]], dtype=object)
    dual = rng.random(len(su)) < 0.02
    sgauge[dual] = "dual"
    # stations where gauges meet; a third of them get a facility
    st_gauges: list[set[str]] = [set() for _ in range(n)]
    for a, b, g in zip(su.tolist(), sv.tolist(), sgauge.tolist(), strict=True):
        gs = {"1520", "1435"} if g == "dual" else {g}
        st_gauges[a] |= gs
        st_gauges[b] |= gs
    breaks = np.array([len(gs) > 1 for gs in st_gauges])
    facility = np.full(n, None, dtype=object)
    pick = np.flatnonzero(breaks & (rng.random(n) < 0.35))
    choice = rng.integers(0, 3, len(pick))
    methods = [["transloading"], ["bogie_exchange"], ["transloading", "bogie_exchange"]]
    for k, c in zip(pick.tolist(), choice.tolist(), strict=True):
        facility[k] = methods[c]
    facility = np.array([f if f is not None else [] for f in facility], dtype=object)
    border = ccode[su] != ccode[sv]
    role = np.where(breaks, "junction", "station").astype(object)
    role[np.unique(np.concatenate([su[border], sv[border]]))] = "border_station"

    u = rng.random(len(su))
    mode = np.where(u < road_share, "road", np.where(u < road_share + ferry_share, "ferry", "rail")).astype(object)
    sgauge[mode != "rail"] = None
    st_modes: list[set[str]] = [set() for _ in range(n)]
    for a, b, md in zip(su.tolist(), sv.tolist(), mode.tolist(), strict=True):
        st_modes[a].add(md)
        st_modes[b].add(md)
    transfers: list[list[str]] = [[] for _ in range(n)]
    pairs = ("rail-road", "rail-ferry", "road-ferry")
    for k in np.flatnonzero(rng.random(n) < 0.35).tolist():
        transfers[k] = [p for p in pairs if set(p.split("-")) <= st_modes[k]]

    ids = np.array([f"s{k}" for k in range(n)], dtype=object)
    stations = gpd.GeoDataFrame(
        {
            "id": ids,
            "name": np.array([f"Station {k}" for k in range(n)], dtype=object),
            "alt_names": [[] for _ in range(n)],
            "country": ccode,
            "role": role,
            "gauge_change": list(facility),
            "transfers": transfers,
            "source": "generated",
        },
        geometry=points(np.column_stack([lon, lat])),
        crs="EPSG:4326",
    )
    m = len(su)
    coords = np.stack([np.column_stack([lon[su], lat[su]]), np.column_stack([lon[sv], lat[sv]])], axis=1)
    segments = gpd.GeoDataFrame(
        {
            "id": np.array([f"e{k}" for k in range(m)], dtype=object),
            "from": ids[su],
            "to": ids[sv],
            "mode": mode,
            "gauge": sgauge,
            "departures_per_week": np.where(mode == "ferry", 7.0, np.nan),
            "status": "operational",
            "opened": "2000",
            "source": "generated",
        },
        geometry=linestrings(coords),
        crs="EPSG:4326",
    )
    return stations, segments, countries


def build_network_checked(
    stations: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, countries: gpd.GeoDataFrame
) -> Network:
    """The normal path: :func:`corridors.network_from_gdfs` (validation and polygon splits for all)."""
    return network_from_gdfs(stations, segments, countries=countries, source="continental")


def build_network_fast(stations: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> Network:
    """The same network built with vectorized derivations and no record checks (see module doc)."""
    st = stations.copy()
    for col, default in (("estimated", None), ("notes", ""), ("source_url", "")):
        if col not in st.columns:
            st[col] = [[] for _ in range(len(st))] if default is None else default
    sg = segments.copy()
    for col in ("name", "expected_opening", "closed", "length_km", "sailing_h", "departures_per_week"):
        if col not in sg.columns:
            sg[col] = None if col != "name" else ""
    for col in ("length_km", "sailing_h", "departures_per_week"):
        sg[col] = pd.to_numeric(sg[col]).astype(float)
    if "mode" not in sg.columns:
        sg["mode"] = "rail"
    if "transfers" not in st.columns:
        st["transfers"] = [[] for _ in range(len(st))]
    for col in ("corridors", "estimated"):
        if col not in sg.columns:
            sg[col] = [[] for _ in range(len(sg))]
    for col in ("notes", "source_url"):
        if col not in sg.columns:
            sg[col] = ""
    xy = np.array([g.coords[:] for g in sg.geometry])  # two-point lines
    _, _, dist = GEOD.inv(xy[:, 0, 0], xy[:, 0, 1], xy[:, 1, 0], xy[:, 1, 1])
    km = dist / 1000.0
    sg["length_geodesic_km"] = km
    country = dict(zip(st["id"], st["country"], strict=True))
    cf = sg["from"].map(country).to_numpy()
    ct = sg["to"].map(country).to_numpy()
    parts: list[dict[str, float]] = [{c: float(k)} for c, k in zip(cf.tolist(), km.tolist(), strict=True)]
    cross = np.flatnonzero(cf != ct)
    for k, split in zip(cross.tolist(), km_by_country(sg.geometry.iloc[cross], countries), strict=True):
        parts[k] = split
    sg["km_by_country"] = [{} if m == "ferry" else p for p, m in zip(parts, sg["mode"], strict=True)]
    return Network(st, sg, source="continental (generated)", description="all segments, any status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=200_000)
    parser.add_argument("--segments", type=int, default=250_000)
    args = parser.parse_args()
    t = time.perf_counter()
    stations, segments, countries = generate(args.stations, args.segments)
    print(f"generated {len(stations):,} stations, {len(segments):,} segments in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    net = build_network_fast(stations, segments, countries)
    print(f"fast build: {time.perf_counter() - t:.1f} s ({net})")
    info: dict[str, Any] = {
        "border segments": int((net.segments["km_by_country"].map(len) > 1).sum()),
        "gauges": net.segments["gauge"].value_counts().to_dict(),
        "facilities": int(net.stations["gauge_change"].map(bool).sum()),
    }
    print(info)


if __name__ == "__main__":
    main()
