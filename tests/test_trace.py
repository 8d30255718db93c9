"""Tests of corridors.trace: segments traced along OSM track, stations moved to OSM nodes.

Fixtures sit in Turkmenistan around 60 E, 38 N (the shipped country polygons apply).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely import LineString, Point

from corridors.geo import geodesic_km
from corridors.osm import OsmStation, OsmWay
from corridors.trace import length_agreement, match_stations, trace_segments, track_index

ROOT = Path(__file__).resolve().parents[1]
RAIL = {"railway": "rail"}
A, B = (60.0, 38.0), (61.0, 38.0)


def _network(*, length_km: float | None = None, status: str = "operational") -> tuple[gpd.GeoDataFrame, ...]:
    stations = gpd.GeoDataFrame(
        {
            "id": ["tkm_aye", "tkm_bee"],
            "name": ["Aye", "Bee"],
            "alt_names": [[], ["Bi"]],
            "country": ["TKM", "TKM"],
            "estimated": [["coordinates"], ["coordinates"]],
        },
        geometry=[Point(A), Point(B)],
        crs="EPSG:4326",
    )
    segments = gpd.GeoDataFrame(
        {
            "id": ["ab"],
            "from": ["tkm_aye"],
            "to": ["tkm_bee"],
            "status": [status],
            "gauge": ["1520"],
            "length_km": [length_km],
            "estimated": [["geometry"]],
        },
        geometry=[LineString([A, B])],
        crs="EPSG:4326",
    )
    return stations, segments


def _zigzag() -> OsmWay:
    """The real track: 20 zigzags of +-0.02 degree (2.2 km) along the drawn line, about 124 km.

    ::

        A /\\/\\/\\/\\/\\/\\/\\/\\/\\/\\ B      (drawn line A---B, 88 km)
    """
    pts = [(60.0 + k * 0.05, 38.0 + (0.02 if k % 2 else -0.02) * (0 < k < 20)) for k in range(21)]
    return OsmWay(1, pts, RAIL)


def _decoy() -> OsmWay:
    """A shorter path (about 117 km) that leaves the corridor, 39 km north of the drawn line.

    ::

              /\\
             /  \\
            A    B
    """
    return OsmWay(2, [A, (60.5, 38.35), B], RAIL)


def test_trace_follows_the_corridor_not_the_shorter_decoy() -> None:
    zig, decoy = _zigzag(), _decoy()
    assert geodesic_km(LineString(decoy.coords)) < geodesic_km(LineString(zig.coords))
    stations, segments = _network()
    _, traced, table = trace_segments(stations, segments, track_index([zig, decoy], []))
    row = table.iloc[0]
    assert row["result"] == "osm_track", row["reason"]
    assert traced.iloc[0]["osm_ids"] == ["way/1"] and traced.iloc[0]["geometry_source"] == "osm_track"
    assert row["km_new"] == pytest.approx(geodesic_km(LineString(zig.coords)), rel=1e-3)
    # status, gauge and documented length never come from OSM; the input is not modified
    assert traced.iloc[0]["status"] == "operational" and traced.iloc[0]["gauge"] == "1520"
    assert list(segments.geometry.iloc[0].coords) == [A, B]


def test_trace_rejected_when_further_from_documented_length() -> None:
    stations, segments = _network(length_km=88.0)  # the chord is right, the zigzag is not
    _, traced, table = trace_segments(stations, segments, track_index([_zigzag()], []))
    assert table.iloc[0]["result"] == "drawn"
    assert "further from the documented 88 km" in table.iloc[0]["reason"]
    assert traced.iloc[0]["geometry_source"] == "drawn" and traced.iloc[0]["osm_ids"] == []
    stations, segments = _network(length_km=124.0)
    _, _, table = trace_segments(stations, segments, track_index([_zigzag()], []))
    assert table.iloc[0]["result"] == "osm_track"


def test_only_the_decoy_is_rejected() -> None:
    stations, segments = _network()
    _, _, table = trace_segments(stations, segments, track_index([_decoy()], []))
    assert table.iloc[0]["result"] == "drawn"
    assert "leaves the corridor" in table.iloc[0]["reason"]


def test_station_moved_by_name_and_not_otherwise() -> None:
    stations, _ = _network()
    osm = [
        OsmStation(71, 61.01, 38.01, {"name": "Bi Railway Station"}),  # Bee's alternative name, 1.4 km away
        OsmStation(72, 60.01, 38.01, {"name": "Sea"}),  # near Aye but another name
    ]
    moved, table = match_stations(stations, track_index([], osm))
    bee, aye = moved.set_index("id").loc["tkm_bee"], moved.set_index("id").loc["tkm_aye"]
    assert (bee.geometry.x, bee.geometry.y) == (61.01, 38.01)
    assert bee["geometry_source"] == "osm_node" and bee["osm_ids"] == ["node/71"] and bee["estimated"] == []
    assert (aye.geometry.x, aye.geometry.y) == A and aye["estimated"] == ["coordinates"]
    assert list(table["id"]) == ["tkm_bee"] and table.iloc[0]["moved_km"] == pytest.approx(1.4, abs=0.1)
    assert stations.geometry.iloc[1].x == B[0]  # input untouched


def test_segment_ends_follow_moved_stations() -> None:
    stations, segments = _network(status="planned")  # planned: never traced along existing track
    osm = [OsmStation(71, 61.01, 38.01, {"name": "Bee"})]
    _, traced, table = trace_segments(stations, segments, track_index([_zigzag()], osm))
    assert table.iloc[0]["result"] == "drawn"
    assert traced.geometry.iloc[0].coords[-1] == (61.01, 38.01)


def test_line_through_station_points_where_there_is_no_track() -> None:
    """No track anywhere; three OSM stations along the line (one of them a zigzag to skip).

    ::

        A----s1----s2----s3----B
                          x      (x: 5 km off, beyond s2 and s3's order: dropped as a detour)
    """
    stations, segments = _network()
    osm = [
        OsmStation(1, 60.25, 38.01, {"name": "s1"}),
        OsmStation(2, 60.5, 38.02, {"name": "s2"}),
        OsmStation(3, 60.75, 38.01, {"name": "s3"}),
        OsmStation(4, 60.52, 37.97, {"name": "x"}),
    ]
    _, traced, table = trace_segments(stations, segments, track_index([], osm))
    row = traced.iloc[0]
    assert table.iloc[0]["result"] == "osm_stations"
    assert row["osm_ids"] == ["node/1", "node/2", "node/3"]
    assert list(row.geometry.coords) == [A, (60.25, 38.01), (60.5, 38.02), (60.75, 38.01), B]


def test_length_agreement() -> None:
    sg = gpd.GeoDataFrame({"length_km": [88.0, 120.0, None]}, geometry=[LineString([A, B])] * 3, crs="EPSG:4326")
    m = length_agreement(sg)
    assert m["n"] == 2 and m["share_off"] == 0.5


def test_script_on_a_small_network(tmp_path: Path) -> None:
    """scripts/trace_osm.py end to end: keeps properties and layout, writes a marked folder."""
    data = tmp_path / "data"
    (data / "osm").mkdir(parents=True)
    stations, _ = _network()
    feats = []
    for row in stations.to_dict("records"):
        props = {k: row[k] for k in ("id", "name", "alt_names", "country", "estimated")}
        props |= {"role": "station", "gauge_change": [], "source": "test", "notes": "kept"}
        feats.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Point", "coordinates": [*row["geometry"].coords[0]]},
            }
        )
    (data / "stations.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    seg = {
        "id": "ab",
        "from": "tkm_aye",
        "to": "tkm_bee",
        "gauge": "1520",
        "status": "operational",
        "opened": "1990",
        "source": "test",
        "estimated": ["geometry"],
        "custom": "kept",
    }
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": seg,
                "geometry": {"type": "LineString", "coordinates": [list(A), list(B)]},
            }
        ],
    }
    (data / "segments.geojson").write_text(json.dumps(doc))
    zig = _zigzag()
    way_list = [{"id": zig.id, "type": "rail", "geometry": [[y, x] for x, y in zig.coords]}]
    (data / "osm" / "arc_railways_test.json").write_text(json.dumps(way_list))
    out = tmp_path / "out"
    cmd = [sys.executable, str(ROOT / "scripts" / "trace_osm.py"), "--data", str(data), "--out", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "osm_track" in r.stdout and "validate: 0 error(s)" in r.stdout
    text = (out / "segments.geojson").read_text()
    assert text.startswith('{"type": "FeatureCollection", "features": [\n{"type": "Feature"')
    props = json.loads(text)["features"][0]["properties"]
    assert props["custom"] == "kept" and props["opened"] == "1990"
    assert props["geometry_source"] == "osm_track" and props["osm_ids"] == ["way/1"]
    assert (out / ".corridors-output.json").is_file()
    assert subprocess.run(cmd, capture_output=True, check=False).returncode != 0  # exists: refused
    assert subprocess.run([*cmd, "--force"], capture_output=True, check=False).returncode == 0


def test_rerun_keeps_osm_geometry() -> None:
    stations, segments = _network()
    idx = track_index([_zigzag()], [])
    st1, sg1, _ = trace_segments(stations, segments, idx)
    _, sg2, table = trace_segments(st1, sg1, idx)
    assert table.iloc[0]["result"] == "osm_track" and sg2.iloc[0]["osm_ids"] == ["way/1"]
    assert geodesic_km(sg2.geometry.iloc[0]) == pytest.approx(geodesic_km(sg1.geometry.iloc[0]), rel=1e-3)
    osm = [OsmStation(1, 60.25, 38.01, {"name": "s1"}), OsmStation(2, 60.5, 38.02, {"name": "s2"})]
    idx = track_index([], osm)
    _, sg1, _ = trace_segments(stations, segments, idx)
    _, sg2, table = trace_segments(stations, sg1, idx)
    assert table.iloc[0]["result"] == "osm_stations" and sg2.iloc[0]["osm_ids"] == ["node/1", "node/2"]
    assert sg2.geometry.iloc[0].equals(sg1.geometry.iloc[0])
