"""Graph <-> GeoDataFrames round trips and file exports."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from conftest import COUNTRIES, segment, station, write_network
from corridors import (
    graph_from_gdfs,
    graph_to_gdfs,
    load_network,
    network_from_gdfs,
    to_geojson,
    to_geopackage,
    to_graphml,
)


@pytest.fixture
def net(tmp_path: Path):  # type: ignore[no-untyped-def]
    r"""
      a ===== b      two parallel segments a-b (1520 and 1435) and a branch b-c
       \
        c
    """
    path = write_network(
        tmp_path / "n",
        [
            station("a", 0, 0, alt_names=["Ä", "آ"], gauge_change=["transloading"]),
            station("b", 1, 0),
            station("c", 0.5, -1, "AAA", role="port"),
        ],
        [
            segment("ab1", [(0, 0), (0.5, 0.1), (1, 0)], "a", "b", corridors=["five_nation"], length_km=120.0),
            segment(
                "ab2",
                [(0, 0), (1, 0)],
                "a",
                "b",
                gauge="1435",
                status="planned",
                opened=None,
                expected_opening="2030",
                estimated=["expected_opening"],
            ),
            segment("ac", [(0, 0), (0.5, -1)], "a", "c", notes="näive ü"),
        ],
    )
    return load_network(path, countries=COUNTRIES)


def test_graph_to_gdfs_round_trip_is_lossless(net) -> None:  # type: ignore[no-untyped-def]
    st, sg = graph_to_gdfs(net.graph)
    assert st.equals(net.stations) and sg.equals(net.segments)
    assert list(sg.columns) == list(net.segments.columns)
    assert st.crs == net.stations.crs


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True  # both NaN
    if hasattr(a, "equals_exact"):
        return bool(a.equals_exact(b, 0))  # type: ignore[attr-defined]
    return a == b


def test_gdfs_to_graph_round_trip_is_lossless(net) -> None:  # type: ignore[no-untyped-def]
    G = net.graph
    G2 = graph_from_gdfs(*graph_to_gdfs(G), graph_attrs={k: G.graph[k] for k in ("source", "name")})
    assert G2.graph == G.graph
    assert list(G2.nodes) == list(G.nodes)
    assert list(G2.edges(keys=True)) == list(G.edges(keys=True))
    for n in G:
        assert all(_same(G.nodes[n][k], G2.nodes[n][k]) for k in G.nodes[n])
    for u, v, k, d in G.edges(keys=True, data=True):
        assert d.keys() == G2.edges[u, v, k].keys()
        assert all(_same(d[a], G2.edges[u, v, k][a]) for a in d), (u, v, k)
    assert G2.number_of_edges("a", "b") == 2  # parallel segments survive


def test_geojson_and_geopackage_reload(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for back in (
        load_network(to_geojson(net.stations, net.segments, tmp_path / "gj"), countries=COUNTRIES),
        load_network(to_geopackage(net.stations, net.segments, tmp_path / "n.gpkg"), countries=COUNTRIES),
    ):
        assert list(back.segments["id"]) == list(net.segments["id"])
        for col in ("gauge", "status", "opened", "expected_opening", "corridors", "estimated", "notes"):
            assert list(back.segments[col]) == list(net.segments[col]), col
        assert list(back.stations["alt_names"]) == list(net.stations["alt_names"])
        assert back.segments["length_km"].fillna(-1).tolist() == net.segments["length_km"].fillna(-1).tolist()
        assert all(a.equals_exact(b, 1e-9) for a, b in zip(back.segments.geometry, net.segments.geometry, strict=True))


def test_graphml_keeps_every_attribute(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = to_graphml(net.graph, tmp_path / "n.graphml")
    G = nx.read_graphml(path, force_multigraph=True)
    assert G.number_of_edges() == 3
    attrs = G.edges["a", "b", "ab1"]
    assert attrs["gauge"] == "1520" and attrs["corridors"] == '["five_nation"]'
    assert attrs["geometry"].startswith("LINESTRING")
    assert G.nodes["a"]["alt_names"] == '["Ä", "آ"]'
    assert "expected_opening" not in attrs  # missing values are left out, never ""


def test_graphml_reads_in_networkx_and_igraph_with_numeric_weights(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import warnings
    import xml.etree.ElementTree as ET

    import igraph
    import pandas as pd

    prices = pd.DataFrame({"hours": [2.0, 3.0, 4.0], "cost": [10.0, 20.0, 30.0]}, index=["ab1", "ab2", "ac"])
    path = to_graphml(net.graph, tmp_path / "n.graphml", prices=prices)
    keys = ET.parse(path).getroot().findall("{http://graphml.graphdrawing.org/xmlns}key")
    names = [(k.get("for"), k.get("attr.name")) for k in keys]
    assert len(names) == len(set(names))  # one key per attribute
    types = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in keys}
    for name in ("length_km", "length_geodesic_km", "hours", "cost"):
        assert types[("edge", name)] == "double", name
    assert types[("node", "lon")] == types[("node", "lat")] == "double"
    assert 'key="length_documented_km"></data>' not in path.read_text(encoding="utf-8")

    G = nx.read_graphml(path, force_multigraph=True)
    assert G.number_of_edges("a", "b") == 2  # parallel segments survive
    assert G.edges["a", "b", "ab1"]["length_km"] == 120.0  # the documented length routing counts
    assert G.edges["a", "b", "ab2"]["hours"] == 3.0 and G.edges["a", "c", "ac"]["cost"] == 30.0
    assert nx.shortest_path_length(G, "c", "b", weight="length_km") == pytest.approx(
        G.edges["a", "c", "ac"]["length_km"] + min(G.edges["a", "b", k]["length_km"] for k in ("ab1", "ab2"))
    )
    assert isinstance(G.nodes["c"]["lon"], float) and G.nodes["c"]["lat"] == -1.0

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # igraph warns on duplicate or conflicting attributes
        ig = igraph.Graph.Read_GraphML(str(path))
    assert ig.ecount() == 3 and ig.vcount() == 3
    assert sorted(ig.es["segment"]) == ["ab1", "ab2", "ac"]
    assert all(isinstance(x, float) for x in ig.es["length_km"]) and all(isinstance(x, float) for x in ig.vs["lon"])
    ab = [e.index for e in ig.es if {ig.vs[e.source]["id"], ig.vs[e.target]["id"]} == {"a", "b"}]
    assert len(ab) == 2


def test_geopackage_round_trip_types_and_no_new_warnings(net, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3
    import warnings

    import pyogrio

    from corridors.network import validate_network

    folder = to_geojson(net.stations, net.segments, tmp_path / "gj")
    path = to_geopackage(net.stations, net.segments, tmp_path / "n.gpkg", countries=COUNTRIES)
    assert [tuple(x) for x in pyogrio.list_layers(path)][:2] == [("stations", "Point"), ("segments", "LineString")]
    info = pyogrio.read_info(path, layer="segments")
    ogr = dict(zip(info["fields"], zip(info["ogr_types"], info["ogr_subtypes"], strict=True), strict=True))
    assert ogr["opened"][0] == "OFTDate" and ogr["expected_opening"][0] == "OFTDate"
    assert ogr["corridors"] == ("OFTString", "OFSTJSON") and ogr["estimated"][1] == "OFSTJSON"
    assert ogr["length_km"][0] == "OFTReal"
    with sqlite3.connect(path) as db:
        described = dict(db.execute("SELECT table_name, description FROM gpkg_contents").fetchall())
    assert set(described) == {"stations", "segments", "countries"} and all(described.values())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = load_network(path, countries=COUNTRIES)
    assert back.stations.equals(net.stations)
    assert back.segments.drop(columns="geometry").equals(net.segments.drop(columns="geometry"))
    assert all(a.equals_exact(b, 1e-12) for a, b in zip(back.segments.geometry, net.segments.geometry, strict=True))

    def problems(p: Path) -> list[tuple[str, object, object, str]]:
        return sorted((x.severity, x.feature, x.field, x.message) for x in validate_network(p, countries=COUNTRIES))

    assert problems(path) == problems(folder)  # no new warnings


def test_geojson_written_is_rfc7946(tmp_path: Path) -> None:
    import json

    import geopandas as gpd
    import shapely

    from corridors.io import write_geojson

    cw = shapely.Polygon([(0, 0), (0, 2), (2, 2), (2, 0)], holes=[[(0.5, 0.5), (1, 0.5), (1, 1), (0.5, 1)]])
    gdf = gpd.GeoDataFrame({"n": [1]}, geometry=[cw], crs="EPSG:3857")
    doc = json.loads(write_geojson(gdf, tmp_path / "x.geojson").read_text(encoding="utf-8"))
    assert "crs" not in doc
    rings = doc["features"][0]["geometry"]["coordinates"]
    assert shapely.LinearRing(rings[0]).is_ccw and not shapely.LinearRing(rings[1]).is_ccw
    assert abs(rings[0][0][0]) < 1  # reprojected to longitude/latitude


def test_shipped_countries_file_is_rfc7946() -> None:
    import json

    import shapely

    from corridors.data import get_path

    doc = json.loads(get_path("countries.geojson").read_text(encoding="utf-8"))
    assert "crs" not in doc
    for feat in doc["features"]:
        g = feat["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for rings in polys:
            assert shapely.LinearRing(rings[0]).is_ccw, feat["properties"]["name"]
            assert all(not shapely.LinearRing(r).is_ccw for r in rings[1:]), feat["properties"]["name"]


def test_network_from_gdfs_checks_like_files(net) -> None:  # type: ignore[no-untyped-def]
    again = network_from_gdfs(net.stations, net.segments, countries=COUNTRIES)
    assert again.segments["length_geodesic_km"].tolist() == pytest.approx(net.segments["length_geodesic_km"].tolist())
    bad = net.segments.copy()
    bad.loc[0, "to"] = "nowhere"
    from corridors import DataError

    with pytest.raises(DataError, match="segment 'ab1', field 'to': unknown station 'nowhere'"):
        network_from_gdfs(net.stations, bad, countries=COUNTRIES)


def test_failed_write_leaves_no_file(net, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import corridors.io as cio

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(cio.nx, "write_graphml", boom)
    with pytest.raises(OSError, match="disk full"):
        to_graphml(net.graph, tmp_path / "x.graphml")
    assert list(tmp_path.glob("*x.graphml*")) == []
