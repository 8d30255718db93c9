"""Tests of corridors.osm: OpenStreetMap import into the network schema.

Fixtures are tiny OSM files written here, placed in Turkmenistan (around 60 E, 38 N) so the shipped
country polygons apply; one step of the grids below is 0.1 degree.
"""

from __future__ import annotations

import json
from pathlib import Path

import osmium
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridors.cli.osm import import_osm_command
from corridors.data import get_path
from corridors.geo import geodesic_km
from corridors.network import network_from_gdfs, validate_network
from corridors.osm import OsmWay, import_osm, read_osm, write_network_folder
from corridors.output import MARKER as MARKER_FILE
from corridors.output import OutputExistsError

X0, Y0, STEP = 60.0, 38.0, 0.1


def _xy(i: float, j: float) -> tuple[float, float]:
    return (round(X0 + i * STEP, 7), round(Y0 + j * STEP, 7))


Nodes = dict[int, tuple[float, float, dict[str, str]]]
Ways = dict[int, tuple[list[int], dict[str, str]]]


def _osm_xml(nodes: Nodes, ways: Ways) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for nid, (i, j, tags) in nodes.items():
        lon, lat = _xy(i, j)
        body = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        out.append(f'<node id="{nid}" version="1" lat="{lat}" lon="{lon}">{body}</node>')
    for wid, (refs, tags) in ways.items():
        body = "".join(f'<nd ref="{r}"/>' for r in refs) + "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        out.append(f'<way id="{wid}" version="1">{body}</way>')
    out.append("</osm>")
    return "\n".join(out)


def _km(*points: tuple[float, float]) -> float:
    from shapely import LineString

    return geodesic_km(LineString([_xy(*p) for p in points]))


RAIL = {"railway": "rail"}


@pytest.fixture
def tee(tmp_path: Path) -> Path:
    """A T of two ways meeting at a shared node, and a siding off c.

    ::

        a---b---c---e   (c-e: service=siding)
            |
            d

    Way 1 is a-b-c (gauge 1520), way 2 is b-d (no gauge tag), way 3 is c-e (siding).
    """
    nodes = {1: (0, 0, {}), 2: (1, 0, {}), 3: (2, 0, {}), 4: (1, -1, {}), 5: (3, 0, {})}
    ways = {
        1: ([1, 2, 3], {"railway": "rail", "gauge": "1520", "name": "Main line"}),
        2: ([2, 4], RAIL),
        3: ([3, 5], {"railway": "rail", "service": "siding"}),
    }
    path = tmp_path / "tee.osm"
    path.write_text(_osm_xml(nodes, ways), encoding="utf-8")
    return path


def test_split_at_shared_node_and_siding_dropped(tee: Path) -> None:
    stations, segments, summary = import_osm(tee)
    assert len(segments) == 3  # a-b, b-c, b-d
    assert summary.ways_read == 3 and summary.ways_kept == 2
    assert summary.dropped == {"service=siding": 1}
    total = _km((0, 0), (1, 0), (2, 0)) + _km((1, 0), (1, -1))
    assert sum(geodesic_km(g) for g in segments.geometry) == pytest.approx(total, abs=1e-6)
    assert sum(summary.km_by_status.values()) == pytest.approx(total, abs=1e-6)
    b = stations[stations["osm_ids"].map(lambda ids: ids == ["node/2"])]
    assert list(b["role"]) == ["junction"]
    assert set(segments["status"]) == {"operational"}
    # way 2 has no gauge tag: Turkmenistan's 1520 mm, flagged
    bd = segments[segments["osm_ids"].map(lambda ids: ids == ["way/2"])].iloc[0]
    assert bd["gauge"] == "1520" and "gauge" in bd["estimated"]
    ab = segments[segments["osm_ids"].map(lambda ids: ids == ["way/1"])]
    assert all("gauge" not in e for e in ab["estimated"]) and set(ab["name"]) == {"Main line"}
    assert all("© OpenStreetMap contributors, ODbL 1.0" in s and "way/" in s for s in segments["source"])
    # no invented dates: the opening date is flagged unknown
    assert segments["opened"].isna().all() and all("opened" in e for e in segments["estimated"])


def test_keep_service(tee: Path) -> None:
    _, segments, summary = import_osm(tee, keep_service=True)
    assert len(segments) == 4 and summary.dropped == {}


def test_valid_network_folder(tee: Path, tmp_path: Path) -> None:
    stations, segments, _ = import_osm(tee)
    net = network_from_gdfs(stations, segments)
    assert len(net.segments) == 3
    out = write_network_folder(stations, segments, tmp_path / "net", command="test")
    problems = validate_network(out)
    assert [p for p in problems if p.severity == "error"] == []
    assert json.loads((out / MARKER_FILE).read_text())["command"] == "test"


def test_degree_two_chain_merged_exactly(tmp_path: Path) -> None:
    """Three ways end to end with a bend; one segment, same length.

    ::

        a---b---c
                 \\
                  d
    """
    nodes = {1: (0, 0, {}), 2: (1, 0, {}), 5: (1.5, 0.01, {}), 3: (2, 0, {}), 4: (2.5, -0.7, {})}
    ways = {10: ([1, 2], RAIL), 11: ([2, 5, 3], RAIL), 12: ([3, 4], RAIL)}
    path = tmp_path / "chain.osm"
    path.write_text(_osm_xml(nodes, ways), encoding="utf-8")
    stations, segments, _ = import_osm(path)
    assert len(segments) == 1 and len(stations) == 2
    assert segments.iloc[0]["osm_ids"] == ["way/10", "way/11", "way/12"]
    expected = _km((0, 0), (1, 0), (1.5, 0.01), (2, 0), (2.5, -0.7))
    assert geodesic_km(segments.geometry.iloc[0]) == pytest.approx(expected, abs=1e-6)


def test_gauges_and_statuses(tmp_path: Path) -> None:
    """Four separate lines with different tags.

    ::

        a---b   dual (1520;1435)
        c---d   1524 (counts as 1520)
        e---f   construction
        g---h   railway=abandoned (dropped)
        i---j   railway=tram (dropped)
    """
    nodes = {n: (float(i % 2), -float(i // 2), {}) for i, n in enumerate(range(1, 11))}
    ways = {
        1: ([1, 2], {"railway": "rail", "gauge": "1520;1435"}),
        2: ([3, 4], {"railway": "rail", "gauge": "1524"}),
        3: ([5, 6], {"railway": "construction", "construction": "rail", "gauge": "1435", "opening_date": "2028"}),
        4: ([7, 8], {"railway": "abandoned"}),
        5: ([9, 10], {"railway": "tram"}),
    }
    path = tmp_path / "tags.osm"
    path.write_text(_osm_xml(nodes, ways), encoding="utf-8")
    _, segments, summary = import_osm(path)
    by_way = {ids[0]: row for ids, row in zip(segments["osm_ids"], segments.to_dict("records"), strict=True)}
    assert by_way["way/1"]["gauge"] == "dual"
    assert by_way["way/2"]["gauge"] == "1520"
    assert by_way["way/3"]["status"] == "under_construction" and by_way["way/3"]["expected_opening"] == "2028"
    assert by_way["way/3"]["opened"] is None
    assert summary.dropped == {"railway=abandoned": 1, "railway=tram (not a freight line)": 1}
    assert set(summary.km_by_status) == {"operational", "under_construction"}
    assert set(summary.km_by_gauge) == {"dual", "1520", "1435"}
    _, segments, _ = import_osm(path, keep_light=True)
    assert len(segments) == 4


def test_stations_attached_on_and_beside_track(tmp_path: Path) -> None:
    """A station node on the way (b) and one 0.002 degree beside it (s); one too far (t).

    ::

        a---b---s'--c        s  (0.2 km north of s')
                             t  (5 km north: not attached)
    """
    nodes = {
        1: (0, 0, {}),
        2: (1, 0, {"railway": "station", "name": "Bee", "name:ru": "Би"}),
        3: (3, 0, {}),
        7: (2, 0.02, {"railway": "halt", "name:en": "Es", "name": "Эс"}),
        8: (2.5, 0.5, {"railway": "station", "name": "Tee"}),
    }
    ways = {1: ([1, 2, 3], RAIL)}
    path = tmp_path / "st.osm"
    path.write_text(_osm_xml(nodes, ways), encoding="utf-8")
    stations, segments, summary = import_osm(path)
    assert len(segments) == 3  # a-b, b-s', s'-c
    named = stations[stations["role"] == "station"].set_index("name")
    assert sorted(named.index) == ["Bee", "Es"]
    assert named.loc["Bee", "alt_names"] == ["Би"] and named.loc["Es", "alt_names"] == ["Эс"]
    assert named.loc["Es", "geometry"].y == pytest.approx(Y0 + 0.002)  # the station stays where it is mapped
    assert summary.stations_attached == 2 and summary.stations_dropped == {"farther than 0.5 km from kept track": 1}
    # s' is a new vertex on the straight (lon/lat) piece b-c: the length changes by millimetres only
    assert sum(geodesic_km(g) for g in segments.geometry) == pytest.approx(_km((0, 0), (1, 0), (3, 0)), abs=1e-5)
    problems = validate_network(write_network_folder(stations, segments, tmp_path / "n", command="t"))
    assert [p for p in problems if p.severity == "error"] == []


def test_bbox(tee: Path) -> None:
    # only way 2 (b-d) reaches below the main line
    _, segments, summary = import_osm(tee, bbox=(X0 + 0.05, Y0 - 0.2, X0 + 0.15, Y0 - 0.05))
    assert list(segments["osm_ids"]) == [["way/2"]]
    assert summary.dropped["outside the bbox"] == 2


def test_pbf_written_by_osmium(tmp_path: Path) -> None:
    """The T fixture again, as PBF written with osmium.SimpleWriter.

    ::

        a---b---c
            |
            d
    """
    path = tmp_path / "tee.osm.pbf"
    with osmium.SimpleWriter(str(path)) as w:
        for nid, (i, j) in {1: (0, 0), 2: (1, 0), 3: (2, 0), 4: (1, -1)}.items():
            tags = {"railway": "station", "name": "Bee"} if nid == 2 else {}
            w.add_node(osmium.osm.mutable.Node(id=nid, location=_xy(i, j), tags=tags))
        w.add_way(osmium.osm.mutable.Way(id=1, nodes=[1, 2, 3], tags=RAIL))
        w.add_way(osmium.osm.mutable.Way(id=2, nodes=[2, 4], tags=RAIL))
    stations, segments, summary = import_osm(path)
    assert len(segments) == 3 and summary.stations_attached == 1
    assert list(stations[stations["role"] == "station"]["name"]) == ["Bee"]


def test_unreadable_file_named(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"x\.json: not readable JSON"):
        read_osm(bad)
    other = tmp_path / "x.csv"
    other.write_text("a", encoding="utf-8")
    with pytest.raises(ValueError, match=r"x\.csv: unknown kind of file"):
        read_osm(other)


# --- the shipped OpenStreetMap extracts, small slices ------------------------------------------


def _no_errors(stations, segments, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    problems = validate_network(write_network_folder(stations, segments, tmp_path / "net", command="t"))
    assert [str(p) for p in problems if p.severity == "error"] == []


def test_geopackage_slice(tmp_path: Path) -> None:
    # Termez: the Uzbek GeoPackage (gzip-compressed in geodata/osm)
    path = get_path("osm/uzbekistan_railways.gpkg.gz")
    stations, segments, summary = import_osm(path, bbox=(67.2, 37.2, 67.35, 37.3))
    assert summary.ways_kept > 0 and len(segments) > 0
    assert all(ids and ids[0].startswith("way/") for ids in segments["osm_ids"])
    _no_errors(stations, segments, tmp_path)


def test_arc_json_slice_with_stations(tmp_path: Path) -> None:
    # Mary, Turkmenistan: ways [[lat, lon]] and station points
    paths = [get_path("osm/arc_railways_turkmenistan.json.gz"), get_path("osm/arc_stations_turkmenistan.json.gz")]
    stations, segments, summary = import_osm(paths, bbox=(61.7, 37.5, 62.0, 37.7))
    assert summary.stations_attached > 0
    lon, lat = segments.geometry.iloc[0].coords[0]
    assert 61.5 < lon < 62.2 and 37.3 < lat < 37.9  # lat/lon not swapped
    assert (stations["role"] == "station").sum() == summary.stations_attached
    _no_errors(stations, segments, tmp_path)


def test_geojson_slice(tmp_path: Path) -> None:
    stations, segments, _ = import_osm(get_path("osm/earm_china_xinjiang.geojson.gz"), bbox=(75.9, 39.4, 76.1, 39.6))
    assert set(segments["gauge"]) == {"1435"}  # China's default, flagged
    _no_errors(stations, segments, tmp_path)


# --- the command -------------------------------------------------------------------------------


def test_command_writes_marked_folder_and_refuses_others(tee: Path, tmp_path: Path) -> None:
    out = tmp_path / "net"
    runner = CliRunner()
    r = runner.invoke(import_osm_command, [str(tee), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "ways read 3, kept 2" in r.output and "dropped 1 way(s): service=siding" in r.output
    assert "validate: 0 error(s)" in r.output and "OpenStreetMap contributors" in r.output
    marker = json.loads((out / MARKER_FILE).read_text())
    assert set(marker) == {"tool", "version", "command", "created"}
    assert marker["command"].startswith("corridors import-osm")
    r = runner.invoke(import_osm_command, [str(tee), "--out", str(out)])
    assert isinstance(r.exception, OutputExistsError)
    r = runner.invoke(import_osm_command, [str(tee), "--out", str(out), "--force", "--keep-service"])
    assert r.exit_code == 0 and "kept 3" in r.output
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("precious")
    r = runner.invoke(import_osm_command, [str(tee), "--out", str(foreign), "--force"])
    assert isinstance(r.exception, OutputExistsError) and "not written by corridors" in str(r.exception)
    assert (foreign / "notes.txt").read_text() == "precious"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert runner.invoke(import_osm_command, [str(tee), "--out", str(empty)]).exit_code != 0  # exists: needs --force
    assert runner.invoke(import_osm_command, [str(tee), "--out", str(empty), "--force"]).exit_code == 0
    r = runner.invoke(import_osm_command, [str(tee), "--out", str(tmp_path / "b"), "--bbox", "1,2,3"])
    assert r.exit_code == 2 and "four numbers" in r.output


# --- property: no track is lost or invented ----------------------------------------------------

_points = st.tuples(st.integers(0, 4), st.integers(0, 4))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_points, min_size=2, max_size=5), min_size=1, max_size=6))
def test_km_kept_equals_km_of_kept_ways(ways: list[list[tuple[int, int]]]) -> None:
    from corridors.osm import _build, _frames, _way_km

    osm_ways = [OsmWay(i + 1, [_xy(x * 0.3, y * 0.3) for x, y in w], dict(RAIL)) for i, w in enumerate(ways)]
    expected = 0.0
    for w in osm_ways:
        dedup = [c for k, c in enumerate(w.coords) if k == 0 or c != w.coords[k - 1]]
        if len(dedup) >= 2:
            expected += _way_km(dedup)
    built = _build(
        osm_ways, [], bbox=None, keep_service=False, keep_light=False, station_tolerance_km=0.5, countries=None
    )
    _, segments = _frames(built)
    got = sum(geodesic_km(g) for g in segments.geometry) if len(segments) else 0.0
    assert got == pytest.approx(expected, abs=1e-6)
    assert sum(built.summary.km_by_status.values()) == pytest.approx(expected, abs=1e-6)
    assert all(a != b for a, b in zip(segments["from"], segments["to"], strict=True)) if len(segments) else True
