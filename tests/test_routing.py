"""Routing on hand-made networks whose answers are computed by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import COUNTRIES, DEG_KM, line_network, segment, station, write_network
from corridors import (
    DataError,
    NoRouteError,
    Router,
    StationNotFoundError,
    UsageError,
    load_network,
    load_parameters,
    network_as_of,
    route,
    routes,
)
from corridors.geo import point_distance_km


def _router(path: Path, params_path: Path, **overrides: object) -> Router:
    net = load_network(path, countries=COUNTRIES)
    return Router(net, load_parameters(params_path, overrides=overrides or None), full=net)


def test_shortest_is_not_fastest_because_of_gauge_change(tmp_path: Path, params_path: Path) -> None:
    r"""
      d
     / \     a-d, d-c: 1435;  a-b: 1435, b-c: 1520, transloading at b (5 h)
    a-b-c
    """
    pos = {"a": (0, 0), "b": (1, 0), "c": (2, 0), "d": (1, 0.5)}
    path = line_network(
        tmp_path / "n",
        [
            ("ab", "a", "b", "1435"),
            ("bc", "b", "c", "1520"),
            ("ad", "a", "d", "1435"),
            ("dc", "d", "c", "1435"),
        ],
        pos,
        facilities={"b": ["transloading"]},
    )
    router = _router(path, params_path)
    short = router.route("a", "c", by="distance")
    assert short.segments == ["ab", "bc"]
    assert short.km == pytest.approx(2 * DEG_KM)
    assert short.hours == pytest.approx(2 * DEG_KM / 50 + 5)
    assert short.cost == pytest.approx(2 * DEG_KM * 1.0 + 50)
    [change] = short.gauge_changes
    assert (change.station, change.from_gauge, change.to_gauge, change.method) == (
        "b",
        "1435",
        "1520",
        "transloading",
    )

    fast = router.route("a", "c", by="time")
    assert fast.segments == ["ad", "dc"]
    detour = 2 * point_distance_km(0, 0, 1, 0.5)
    assert fast.hours == pytest.approx(detour / 50)
    assert fast.gauge_changes == []


def test_cheapest_gauge_change_method_is_chosen(tmp_path: Path, params_path: Path) -> None:
    pos = {"a": (0, 0), "b": (1, 0), "c": (2, 0)}
    path = line_network(
        tmp_path / "n",
        [("ab", "a", "b", "1435"), ("bc", "b", "c", "1520")],
        pos,
        facilities={"b": ["transloading", "bogie_exchange"]},
    )
    router = _router(path, params_path)
    assert router.route("a", "c", by="time").gauge_changes[0].method == "bogie_exchange"  # 2 h < 5 h
    assert router.route("a", "c", by="cost").gauge_changes[0].method == "transloading"  # 50 < 80


def test_no_facility_means_no_gauge_change(tmp_path: Path, params_path: Path) -> None:
    pos = {"a": (0, 0), "b": (1, 0), "c": (2, 0)}
    path = line_network(tmp_path / "n", [("ab", "a", "b", "1435"), ("bc", "b", "c", "1520")], pos)
    with pytest.raises(NoRouteError, match="change of gauge at a station without a gauge-change facility \\(B\\)"):
        _router(path, params_path).route("a", "c")


def test_dual_gauge_carries_both(tmp_path: Path, params_path: Path) -> None:
    pos = {"a": (0, 0), "b": (1, 0), "c": (2, 0)}
    path = line_network(tmp_path / "n", [("ab", "a", "b", "1435"), ("bc", "b", "c", "dual")], pos)
    r = _router(path, params_path).route("a", "c")
    assert [leg.gauge for leg in r.legs] == ["1435", "1435"] and r.gauge_changes == []


def border_net(tmp_path: Path) -> Path:
    r"""
    a (AAA) ------------- m (BBB, lon 2.5) --- z (AAA, lon 1.9)   two border crossings
     \                                         /
      n (AAA, 1, 1.5) -----------------------/                    none
    """
    pos = {"a": (0, 0), "m": (2.5, 0), "z": (1.9, 0), "n": (1, 1.5)}
    return line_network(
        tmp_path / "b",
        [
            ("am", "a", "m", "1520"),
            ("mz", "m", "z", "1520"),
            ("an", "a", "n", "1520"),
            ("nz", "n", "z", "1520"),
        ],
        pos,
        countries={"m": "BBB"},
    )


def test_border_penalty_flips_the_choice(tmp_path: Path, params_path: Path) -> None:
    router = _router(border_net(tmp_path), params_path)
    by_km = router.route("a", "z", by="distance")
    assert by_km.segments == ["am", "mz"]
    assert by_km.km == pytest.approx(3.1 * DEG_KM)
    assert [(b.from_country, b.to_country) for b in by_km.borders] == [("AAA", "BBB"), ("BBB", "AAA")]
    assert by_km.hours == pytest.approx(3.1 * DEG_KM / 50 + 2 * 10)
    assert by_km.km_by_country == pytest.approx({"AAA": 2.1 * DEG_KM, "BBB": 1.0 * DEG_KM})
    by_time = router.route("a", "z", by="time")
    assert by_time.segments == ["an", "nz"] and by_time.borders == []
    # A cheaper border (per-pair parameter) flips it back.
    cheap = _router(
        border_net(tmp_path),
        params_path,
        border={"pairs": {"AAA-BBB": {"dwell_h": 0.0, "fee_usd": 0.0, "assumption": True}}},
    )
    assert cheap.route("a", "z", by="time").segments == ["am", "mz"]


def test_closed_border_and_avoid_country(tmp_path: Path, params_path: Path) -> None:
    router = _router(border_net(tmp_path), params_path)
    closed = router.constraints(closed_borders=[("AAA", "BBB")])
    assert router.route("a", "z", constraints=closed).segments == ["an", "nz"]
    assert router.route("a", "z", constraints=router.constraints(avoid_countries=["bbb"])).segments == [
        "an",
        "nz",
    ]
    assert router.route("a", "z", constraints=router.constraints(within=["AAA"])).segments == ["an", "nz"]
    with pytest.raises(UsageError, match="'Iran' is not a country of the network"):
        router.constraints(avoid_countries=["Iran"])
    with pytest.raises(UsageError, match="unknown country group 'WETS'; did you mean WEST"):
        router.constraints(avoid_groups=["WETS"])
    with pytest.raises(UsageError, match=r"'BBX' is not a country of the network; did you mean BBB\?") as info:
        router.constraints(within=["BBX"], closed_borders=[("AAA", "AAA")], avoid_segments=["nope"])
    assert "two different countries" in str(info.value) and "unknown segment 'nope'" in str(info.value)


def test_via_and_avoid_stations(tmp_path: Path, params_path: Path) -> None:
    router = _router(border_net(tmp_path), params_path)
    assert router.route("a", "z", constraints=router.constraints(via=["N"])).segments == ["an", "nz"]
    assert router.route("a", "z", constraints=router.constraints(avoid_stations=["m"])).segments == [
        "an",
        "nz",
    ]
    assert router.route("a", "z", constraints=router.constraints(avoid_segments=["am"])).segments == [
        "an",
        "nz",
    ]
    # Ordered vias: a -> n -> z -> m  (z is passed, then the route goes on to m and back is not needed)
    r = router.route("a", "m", constraints=router.constraints(via=["n", "z"]))
    assert r.segments == ["an", "nz", "mz"]
    with pytest.raises(NoRouteError, match="the via station N \\(n\\) is excluded"):
        router.route("a", "z", constraints=router.constraints(via=["n"], avoid_stations=["n"]))
    with pytest.raises(NoRouteError, match="satisfies the constraints"):
        router.route("a", "z", constraints=router.constraints(avoid_stations=["m", "n"]))


def test_route_exists_only_after_opening(tmp_path: Path, params_path: Path) -> None:
    path = write_network(
        tmp_path / "n",
        [station("a", 0, 0, name="Alpha"), station("b", 1, 0, name="Beta"), station("c", 2, 0, name="Gamma")],
        [
            segment("ab", [(0, 0), (1, 0)], "a", "b"),
            segment(
                "bc",
                [(1, 0), (2, 0)],
                "b",
                "c",
                status="under_construction",
                opened=None,
                expected_opening="2027-06",
            ),
        ],
    )
    net = load_network(path, countries=COUNTRIES)
    params = load_parameters(params_path)
    with pytest.raises(NoRouteError) as info:
        route(net, "Alpha", "Gamma", as_of=date(2026, 1, 1), params=params)
    msg = str(info.value)
    assert "Gamma is not in Alpha's connected part of the network (2 station(s): Alpha, Beta)" in msg
    assert "bc (under_construction, expected 2027-06)" in msg
    r = route(net, "Alpha", "Gamma", as_of=date(2027, 7, 1), expected=True, params=params)
    assert r.segments == ["ab", "bc"]
    assert route(net, "Alpha", "Gamma", as_of=date(2026, 1, 1), open_segments=["bc"], params=params).km > 0


def test_alternatives_are_ranked_distinct_and_not_sidings(tmp_path: Path, params_path: Path) -> None:
    r"""
    a ------------------ b --- c     main line, 7 degrees; b-s-c is a loop by a siding (s just off
                               \   /      the line): a-b-s-c shares 6 of its 7 degrees with a-b-c
                                 s
    a ---------- d ------------- c     a genuinely different line further south
    """
    pos = {"a": (-5, 0), "b": (1, 0), "c": (2, 0), "s": (1.5, 0.05), "d": (-2, -1)}
    path = line_network(
        tmp_path / "n",
        [
            ("ab", "a", "b", "1520"),
            ("bc", "b", "c", "1520"),
            ("bs", "b", "s", "1520"),
            ("sc", "s", "c", "1520"),
            ("ad", "a", "d", "1520"),
            ("dc", "d", "c", "1520"),
        ],
        pos,
    )
    router = _router(path, params_path)
    alts = router.routes("a", "c", k=3)
    assert [r.segments for r in alts] == [["ab", "bc"], ["ad", "dc"]]
    everything = router.routes("a", "c", k=3, max_overlap=1.0)
    assert [r.segments for r in everything] == [["ab", "bc"], ["ab", "bs", "sc"], ["ad", "dc"]]
    assert [r.km for r in everything] == sorted(r.km for r in everything)


def test_loopless_even_when_a_loop_would_be_cheaper(tmp_path: Path, params_path: Path) -> None:
    r"""
      x --1435-- a --1520-- y        a has no facility; b (on a loop a-b-a') does.
                 |\
           1435  | \ 1520            the walk x-a-b-a-y would change gauge at b, but visits a twice
                 b--
    A loopless route must avoid it, so there is none: the engine says so rather than loop.
    """
    pos = {"x": (0, 0), "a": (1, 0), "y": (2, 0), "b": (1, -0.5)}
    st = [station(s, *xy, gauge_change=["transloading"] if s == "b" else None) for s, xy in pos.items()]
    sg = [
        segment("xa", [pos["x"], pos["a"]], "x", "a", "1435"),
        segment("ay", [pos["a"], pos["y"]], "a", "y", "1520"),
        segment("ab1", [pos["a"], pos["b"]], "a", "b", "1435"),
        segment("ab2", [pos["a"], (1.05, -0.25), pos["b"]], "a", "b", "1520"),
    ]
    router = _router(write_network(tmp_path / "n", st, sg), params_path)
    with pytest.raises(NoRouteError):
        router.route("x", "y")


def test_unknown_names_and_bad_arguments(tmp_path: Path, params_path: Path) -> None:
    router = _router(border_net(tmp_path), params_path)
    with pytest.raises(StationNotFoundError, match="no station named 'zed'"):
        router.route("a", "zed")
    with pytest.raises(DataError, match="unknown criterion 'speed'"):
        router.route("a", "z", by="speed")
    with pytest.raises(DataError, match="same station"):
        router.route("a", "A")


def test_route_outputs(tmp_path: Path, params_path: Path) -> None:
    import geopandas as gpd

    net = load_network(border_net(tmp_path), countries=COUNTRIES)
    rs = routes(net, "a", "z", k=2, params=load_parameters(params_path), as_of=date(2020, 1, 1))
    r = rs[0]
    assert "2 border crossing(s), 0 gauge change(s)" in r.summary()
    assert r.geometry.coords[0] == (0.0, 0.0) and r.geometry.coords[-1] == (1.9, 0.0)
    out = r.to_geojson(tmp_path / "r.geojson")
    back = gpd.read_file(out)
    assert back.loc[0, "km"] == pytest.approx(r.km, abs=1e-3)
    legs = r.legs_geodataframe(net)
    assert list(legs["segment"]) == ["am", "mz"]
    assert legs.geometry.iloc[1].coords[0] == (2.5, 0.0)  # oriented in the direction of travel
    assert r.to_dict()["as_of"] == "2020-01-01"
    assert network_as_of(net, date(2020, 1, 1)).description == "as of 2020-01-01"
