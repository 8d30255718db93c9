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
