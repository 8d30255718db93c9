"""Loading, validation, date filtering and station lookup on hand-made networks."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conftest import COUNTRIES, DEG_KM, segment, station, write_network
from corridors import (
    DataError,
    StationNotFoundError,
    find_station,
    load_network,
    network_as_of,
    validate_network,
)


def simple(tmp_path: Path, **seg_props: object) -> Path:
    """a ---- b  (one degree along the equator, both in AAA)."""
    return write_network(
        tmp_path / "net",
        [station("a", 0, 0, name="Alpha", alt_names=["Älfa"]), station("b", 1, 0)],
        [segment("ab", [(0, 0), (0.5, 0.001), (1, 0)], "a", "b", **seg_props)],
    )


def test_load_geodesic_length_and_country_split(tmp_path: Path) -> None:
    pos = [(1.0, 0.0), (3.0, 0.0)]
    path = write_network(
        tmp_path / "n",
        [station("x", *pos[0]), station("y", *pos[1], "BBB")],
        [segment("xy", pos, "x", "y")],
    )
    net = load_network(path, countries=COUNTRIES)
    row = net.segments.set_index("id").loc["xy"]
    assert row["length_geodesic_km"] == pytest.approx(2 * DEG_KM, rel=1e-9)
    assert row["km_by_country"] == pytest.approx({"AAA": DEG_KM, "BBB": DEG_KM}, rel=1e-6)
    assert net.graph.graph["crs"] == "EPSG:4326"
    assert net.graph.has_edge("x", "y", key="xy")


def test_loader_errors_name_file_feature_and_field(tmp_path: Path) -> None:
    path = write_network(
        tmp_path / "bad",
        [
            station("a", 0, 0, role="harbour"),
            station("a", 1, 0),
            {
                "type": "Feature",
                "properties": {"id": "c", "name": "C", "country": "AAA", "role": "station", "source": "x"},
                "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
            },
        ],
        [
            segment("s1", [(0, 0), (1, 0)], "a", "zz", gauge="1000"),
            segment("s2", [(0, 0), (1, 0)], "a", "a", status="open", length_km="far"),
        ],
    )
    with pytest.raises(DataError) as info:
        load_network(path, countries=COUNTRIES)
    msg = str(info.value)
    assert "stations.geojson: station 'a', field 'role': 'harbour' is not one of" in msg
    assert "station 'a', field 'id': duplicate id" in msg
    assert "station 'c', field 'geometry': must be a Point, got LineString" in msg
    assert "segment 's1', field 'gauge': '1000' is not one of 1520, 1435, 1676, dual" in msg
    assert "segment 's1', field 'to': unknown station 'zz'" in msg
    assert "segment 's2', field 'status'" in msg
    assert "segment 's2', field 'length_km': must be a number, got str 'far'" in msg
    assert "starts and ends at the same station" in msg


def test_missing_required_field_and_bad_json(tmp_path: Path) -> None:
    path = simple(tmp_path)
    doc = json.loads((path / "segments.geojson").read_text())
    del doc["features"][0]["properties"]["source"]
    (path / "segments.geojson").write_text(json.dumps(doc))
    with pytest.raises(DataError, match=r"segment 'ab', field 'source': is required"):
        load_network(path, countries=COUNTRIES)
    (path / "segments.geojson").write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(DataError, match=r"segments.geojson: not valid JSON \(line 1"):
        load_network(path, countries=COUNTRIES)
    with pytest.raises(DataError, match="not found"):
        load_network(tmp_path / "nowhere", countries=COUNTRIES)


def test_suggests_close_station_id(tmp_path: Path) -> None:
    path = write_network(
        tmp_path / "n",
        [station("irn_mashhad", 0, 0), station("b", 1, 0)],
        [segment("s", [(0, 0), (1, 0)], "irn_mashad", "b")],
    )
    with pytest.raises(DataError, match="did you mean 'irn_mashhad'"):
        load_network(path, countries=COUNTRIES)


def _problems(path: Path, **kw: object) -> list[str]:
    return [str(p) for p in validate_network(path, countries=COUNTRIES, today=date(2026, 1, 1), **kw)]


def test_validate_consistency_checks(tmp_path: Path) -> None:
    path = write_network(
        tmp_path / "n",
        [
            station("a", 0, 0),
            station("b", 1, 0),
            station("c", 2.5, 0, "AAA"),  # 0.5 degree (~55 km) inside BBB
            station("d", 1, 1, gauge_change=[]),
            station("lonely", 5, 5, "CCC"),
        ],
        [
            segment("ab", [(0, 0), (1, 0)], "a", "b", length_km=50.0),
            segment("bc", [(1, 0.2), (2.5, 0)], "b", "c", status="operational", opened="2030"),
            segment("bd", [(1, 0), (1, 1)], "b", "d", gauge="1435", status="operational", opened=None),
            segment("ad", [(0, 0), (1, 1)], "a", "d", status="planned", opened="2001"),
        ],
    )
    msgs = "\n".join(_problems(path))
    assert "station 'c', field 'geometry': 55.7 km outside its country AAA (it lies in BBB" in msgs
    assert "segment 'bc', field 'geometry': its from end is 22.1 km from station 'b'" in msgs
    assert "warning: " in msgs and "documented 50 km but the geometry measures 111.3 km (+123 %)" in msgs
    assert "segment 'bc', field 'opened': status is operational but it opens in the future (2030)" in msgs
    assert "segment 'bd', field 'opened': status is operational but no opening date" in msgs
    assert "segment 'ad', field 'opened': status is planned but it has an opening date" in msgs
    assert "station 'b', field 'gauge_change': segments of gauges 1435, 1520 meet here" in msgs
    assert "station 'lonely': no segment reaches this station" in msgs


def test_validate_clean_network_has_no_problems(tmp_path: Path) -> None:
    assert _problems(simple(tmp_path)) == []


def test_validate_reports_structural_errors_without_raising(tmp_path: Path) -> None:
    path = simple(tmp_path, gauge=1520)
    msgs = _problems(path)
    assert any("field 'gauge': must be a string, got int 1520" in m for m in msgs)


def test_network_as_of_dates_and_forcing(tmp_path: Path) -> None:
    path = write_network(
        tmp_path / "n",
        [station("a", 0, 0), station("b", 1, 0), station("c", 2, 0, "BBB")],
        [
            segment("ab", [(0, 0), (1, 0)], "a", "b", opened="2020-12-10"),
            segment(
                "bc",
                [(1, 0), (2, 0)],
                "b",
                "c",
                status="under_construction",
                opened=None,
                expected_opening="2027",
            ),
            segment("ac", [(0, 0), (2, 0)], "a", "c", status="closed", opened="1990", closed="2011-05"),
        ],
    )
    net = load_network(path, countries=COUNTRIES)

    def ids(n: object) -> set[str]:
        return set(n.segments["id"])  # type: ignore[attr-defined]

    assert ids(network_as_of(net, date(2000, 1, 1))) == {"ac"}
    assert ids(network_as_of(net, date(2020, 12, 9))) == set()
    assert ids(network_as_of(net, date(2020, 12, 10))) == {"ab"}
    assert ids(network_as_of(net, date(2028, 1, 1))) == {"ab"}
    assert ids(network_as_of(net, date(2028, 1, 1), expected=True)) == {"ab", "bc"}
    assert ids(network_as_of(net, date(2021, 1, 1), open_segments=["bc"], close_segments=["ab"])) == {"bc"}
    assert len(net.segments) == 3  # the input is untouched
    with pytest.raises(DataError, match="unknown segment 'abc'; did you mean"):
        network_as_of(net, date(2021, 1, 1), open_segments=["abc"])


def test_find_station_names_and_suggestions(tmp_path: Path) -> None:
    net = load_network(simple(tmp_path), countries=COUNTRIES)
    assert find_station(net, "a") == "a"
    assert find_station(net, "ALPHA") == "a"
    assert find_station(net, "alfa") == "a"  # diacritics folded
    with pytest.raises(StationNotFoundError, match=r"no station named 'Alpah'; did you mean Alpha \(a\)"):
        find_station(net, "Alpah")


def test_validate_flags_segment_through_a_third_country(tmp_path: Path) -> None:
    r"""
    a (AAA, lon 1) ---- via lon 3 (BBB) ---- b (AAA, lon 1.5)
    """
    path = write_network(
        tmp_path / "n",
        [station("a", 1, 0), station("b", 1.5, 0.5)],
        [segment("ab", [(1, 0), (3, 0), (1.5, 0.5)], "a", "b")],
    )
    msgs = "\n".join(_problems(path))
    assert "segment 'ab', field 'geometry': runs" in msgs and "km through BBB, where neither of its stations is" in msgs
