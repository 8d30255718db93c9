"""Lossless conversion between a network graph and its station and segment GeoDataFrames."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd

__all__ = ["graph_from_gdfs", "graph_to_gdfs"]


def graph_from_gdfs(
    stations: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, *, graph_attrs: dict[str, Any] | None = None
) -> nx.MultiGraph:
    """Build the network graph from station and segment GeoDataFrames.

    Nodes are station ids carrying every station column (``geometry`` included); edges are
    keyed by segment id and carry every segment column. Rail segments are run in both
    directions, so the graph is an undirected :class:`networkx.MultiGraph` (two stations may be
    joined by parallel segments, e.g. of different gauges). The CRS is kept in ``G.graph["crs"]``.

    Parameters
    ----------
    stations, segments
        GeoDataFrames with an ``id`` column; segments with ``from`` and ``to`` columns.
    graph_attrs
        Extra graph-level attributes.

    Returns
    -------
    networkx.MultiGraph

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, LineString
    >>> st = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[Point(0, 0), Point(1, 0)], crs=4326)
    >>> sg = gpd.GeoDataFrame({"id": ["ab"], "from": ["a"], "to": ["b"]},
    ...                       geometry=[LineString([(0, 0), (1, 0)])], crs=4326)
    >>> G = graph_from_gdfs(st, sg)
    >>> list(G.edges(keys=True))
    [('a', 'b', 'ab')]
    """
    G = nx.MultiGraph()
    G.graph["crs"] = stations.crs.to_string() if stations.crs is not None else None
    G.graph["station_columns"] = list(stations.columns)
    G.graph["segment_columns"] = list(segments.columns)
    G.graph["station_dtypes"] = {c: str(t) for c, t in stations.dtypes.items() if c != "geometry"}
    G.graph["segment_dtypes"] = {c: str(t) for c, t in segments.dtypes.items() if c != "geometry"}
    G.graph.update(graph_attrs or {})
    for rec in stations.to_dict("records"):
        G.add_node(rec["id"], **rec)
    for rec in segments.to_dict("records"):
        G.add_edge(rec["from"], rec["to"], key=rec["id"], **rec)
    return G


def graph_to_gdfs(G: nx.MultiGraph) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return the station and segment GeoDataFrames of a network graph.

    The inverse of :func:`graph_from_gdfs`: columns, their order, values and the CRS survive
    the round trip.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        ``(stations, segments)``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import Point, LineString
    >>> st = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[Point(0, 0), Point(1, 0)], crs=4326)
    >>> sg = gpd.GeoDataFrame({"id": ["ab"], "from": ["a"], "to": ["b"]},
    ...                       geometry=[LineString([(0, 0), (1, 0)])], crs=4326)
    >>> st2, sg2 = graph_to_gdfs(graph_from_gdfs(st, sg))
    >>> st2.equals(st) and sg2.equals(sg)
    True
    """
    crs = G.graph.get("crs")
    st_cols = G.graph.get("station_columns") or sorted({k for _, d in G.nodes(data=True) for k in d})
    sg_cols = G.graph.get("segment_columns") or sorted({k for *_, d in G.edges(data=True) for k in d})
    # Build as object columns (keeps None as None), then restore each column's recorded dtype.
    st_df = pd.DataFrame([d for _, d in G.nodes(data=True)], columns=st_cols, dtype=object)
    sg_df = pd.DataFrame([d for *_, d in G.edges(keys=True, data=True)], columns=sg_cols, dtype=object)
    for df, key in ((st_df, "station_dtypes"), (sg_df, "segment_dtypes")):
        for col, dtype in G.graph.get(key, {}).items():
            if col in df.columns and str(df[col].dtype) != dtype:
                df[col] = df[col].astype(dtype)
    stations = gpd.GeoDataFrame(st_df, geometry="geometry", crs=crs)
    segments = gpd.GeoDataFrame(sg_df, geometry="geometry", crs=crs)
    return stations, segments
