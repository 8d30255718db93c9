"""OD matrices, scenario diffs, segment criticality and transit hubs, on hand-made networks and the shipped one."""

from __future__ import annotations

import itertools
import json
import math
import random
import re
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import dijkstra
from shapely import LineString, Point
from test_routing_properties import networks, parameters

from conftest import COUNTRIES, DEG_KM, line_network, segment, station, write_network
from corridors import (
    DataError,
    NoRouteError,
    Router,
    StationNotFoundError,
    load_network,
    load_parameters,
    network_as_of,
    network_from_gdfs,
)
from corridors.cli import main
from corridors.criticality import segment_criticality
from corridors.geo import geodesic_km
from corridors.hubs import best_routes, country_shares, station_shares
from corridors.network import Network, select_stations
from corridors.od import od_diff, od_diff_summary, od_matrix
from corridors.params import Parameters
from corridors.plot_analysis import plot_criticality, plot_transit_shares
from corridors.state import network_state
from corridors.stategraph import StateGraph

ON = date(2026, 11, 28)


def km(*pts: tuple[float, float]) -> float:
    return geodesic_km(LineString(pts))


def _approx(a: float, b: float) -> bool:
    return (math.isinf(a) and math.isinf(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-9)


# --------------------------------------------------------------------------------------------
# A network with a break of gauge and borders, computed by hand
# --------------------------------------------------------------------------------------------
POS = {"a": (0, 0), "b": (1, 0), "c": (2.5, 0), "d": (1, 1), "e": (4.5, 0)}


@pytest.fixture
def gauge_net(tmp_path: Path) -> Network:
    r"""
      d                       ad, dc, ce: 1435 mm; ab: 1435, bc: 1520
     / \                      b (AAA) has transloading; c (BBB) has no facility
    a---b=====c----e          a, b, d in AAA; c in BBB; e in CCC: dc, bc and ce cross borders
    """
    path = line_network(
        tmp_path / "g",
        [
            ("ab", "a", "b", "1435"),
            ("bc", "b", "c", "1520"),
            ("ad", "a", "d", "1435"),
            ("dc", "d", "c", "1435"),
            ("ce", "c", "e", "1435"),
        ],
        POS,
        countries={"c": "BBB", "e": "CCC"},
        facilities={"b": ["transloading"]},
    )
    return load_network(path, countries=COUNTRIES)


def test_od_matrix_by_hand_with_gauge_change_and_borders(gauge_net: Network, params_path: Path) -> None:
    p = load_parameters(params_path)
    ab, bc, ad = km(POS["a"], POS["b"]), km(POS["b"], POS["c"]), km(POS["a"], POS["d"])
    dc, ce = km(POS["d"], POS["c"]), km(POS["c"], POS["e"])
    dist = od_matrix(gauge_net, by="distance", params=p)
    # a -> c: the short way changes gauge at b (0 km), so it stays the shortest
    assert dist.loc["a", "c"] == pytest.approx(ab + bc) == pytest.approx(2.5 * DEG_KM)
    # a -> e: c has no facility, so a 1520 train from b cannot go on to e: the 1435 way round
    assert dist.loc["a", "e"] == pytest.approx(ad + dc + ce)
    assert dist.loc["b", "e"] == pytest.approx(ab + ad + dc + ce)
    time = od_matrix(gauge_net, by="time", params=p)
    via_b = (ab + bc) / 50 + 5 + 10  # running at 50 km/h, transloading at b (5 h), border AAA-BBB (10 h)
    via_d = (ad + dc) / 50 + 10
    assert via_d < via_b and time.loc["a", "c"] == pytest.approx(via_d)
    assert time.loc["a", "e"] == pytest.approx((ad + dc + ce) / 50 + 2 * 10)
    cost = od_matrix(gauge_net, by="cost", params=p)  # 1 USD/km, transloading 50, border fee 100
    assert cost.loc["a", "c"] == pytest.approx(min(ab + bc + 50, ad + dc) + 100)
    gen = od_matrix(gauge_net, by="generalized", params=p)  # cost + 10 USD/h
    assert gen.loc["c", "a"] == pytest.approx(min(ab + bc + 150 + 10 * via_b, ad + dc + 100 + 10 * via_d))
    for m in (dist, time, cost, gen):
        assert (np.diag(m.to_numpy()) == 0).all()
        assert np.allclose(m.to_numpy(), m.to_numpy().T)  # every penalty is symmetric here
        assert m.index.name == "origin" and m.columns.name == "destination"


def test_od_matrix_equals_single_routes_on_fixture(gauge_net: Network, params_path: Path) -> None:
    p = load_parameters(params_path)
    router = Router(gauge_net, p)
    for by in ("distance", "time", "cost", "generalized"):
        m = od_matrix(gauge_net, by=by, params=p)
        assert m.attrs["by"] == by
        for o, d in itertools.permutations(POS, 2):
            assert _approx(m.loc[o, d], router.route(o, d, by=by).value), (by, o, d)


def test_zero_weight_arcs_are_edges(tmp_path: Path, params_path: Path) -> None:
    """A free change of gauge and a free border must still be usable arcs of the sparse graph."""
    path = line_network(
        tmp_path / "z",
        [("ab", "a", "b", "1435"), ("bc", "b", "c", "1520")],
        {"a": (0, 0), "b": (1, 0), "c": (2.5, 0)},
        countries={"c": "BBB"},
        facilities={"b": ["transloading"]},
    )
    net = load_network(path, countries=COUNTRIES)
    p = load_parameters(
        params_path,
        overrides={
            "gauge_change": {"transloading": {"time_h": 0.0, "cost_usd": 0.0, "assumption": True}},
            "border": {"default": {"dwell_h": 0.0, "fee_usd": 0.0, "assumption": True}},
            "tariff": {"default": {"usd_per_km": 0.0, "assumption": True}},
        },
    )
    g = StateGraph(net, p, by="cost")
    assert g.csr.nnz > 0 and (g.csr.data == 0).all()  # every arc costs nothing, none was dropped
    m = g.od_matrix()
    assert m.loc["a", "c"] == 0.0 and np.isfinite(m.to_numpy()).all()
    # scipy keeps explicit zeros in a CSR matrix as edges (the engine relies on it)
    rows = dijkstra(g.csr, indices=[int(g.source_node[0])])
    assert np.isfinite(rows[:, : g.n_states]).all()  # virtual sources have no arcs in
    dist = od_matrix(net, by="distance", params=p)
    assert dist.loc["a", "c"] == pytest.approx(2.5 * DEG_KM)  # through the 0 km change of gauge


def test_walk_shorter_than_loopless_route_is_documented(tmp_path: Path, params_path: Path) -> None:
    r"""
    a ==1435== y ==1520== b      y has no facility; f (a dual spur away) has one:
               |                 the best walk a-y-f-y-b changes gauge at f and visits y twice,
               f (dual)          which the loopless Router refuses.
    """
    path = line_network(
        tmp_path / "w",
        [("ay", "a", "y", "1435"), ("yb", "y", "b", "1520"), ("yf", "y", "f", "dual")],
        {"a": (0, 0), "y": (1, 0), "b": (1.9, 0), "f": (1, 0.5)},
        facilities={"f": ["transloading"]},
    )
    net = load_network(path, countries=COUNTRIES)
    p = load_parameters(params_path)
    m = od_matrix(net, ["a"], ["b"], params=p)
    assert m.loc["a", "b"] == pytest.approx(km((0, 0), (1, 0)) + 2 * km((1, 0), (1, 0.5)) + km((1, 0), (1.9, 0)))
    with pytest.raises(NoRouteError):
        Router(net, p).route("a", "b")


def test_od_matrix_matches_router_on_shipped_network() -> None:
    full = load_network()
    net = network_state(full, as_of=ON).network  # the rail network (the default modes)
    router = Router(net, full=full)
    rng = random.Random(7)
    ids = sorted(set(net.segments["from"]) | set(net.segments["to"]))  # stations on the rail network
    for by in ("distance", "time", "generalized"):
        g = StateGraph(net, by=by)
        sample = rng.sample(ids, 14)
        m = g.od_matrix(sample[:7], sample[7:])
        finite = 0
        for o, d in itertools.product(sample[:7], sample[7:]):
            try:
                v = router.route(o, d, by=by).value
            except NoRouteError:
                v = math.inf
            finite += math.isfinite(v)
            assert _approx(m.loc[o, d], v), (by, o, d)
        assert finite > 10


def test_od_matrix_options_and_errors() -> None:
    full = load_network()
    net = network_as_of(full, ON)
    m = od_matrix(net, ["Mashhad", "Sarakhs"])
    assert list(m.index) == list(m.columns) == ["irn_mashhad", "irn_sarakhs"]
    with pytest.raises(StationNotFoundError, match="Herat"):
        od_matrix(net, ["Herrat"])
    with pytest.raises(DataError, match="unknown criterion"):
        od_matrix(net, ["Mashhad"], by="speed")
    with pytest.raises(DataError, match="not one string"):
        od_matrix(net, "Mashhad")
    # isolated station (no segment open then): unreachable, but 0 to itself
    old = network_as_of(full, date(1900, 1, 1))
    m = od_matrix(old, ["Mashhad", "Herat"])
    assert m.loc["irn_mashhad", "irn_mashhad"] == 0 and math.isinf(m.loc["irn_mashhad", "afg_herat"])


def test_workers_give_the_same_matrix() -> None:
    net = network_as_of(load_network(), ON)
    g = StateGraph(net, by="time")
    calls: list[tuple[int, int]] = []
    two = g.od_matrix(workers=2, progress=lambda d, t: calls.append((d, t)))
    one = g.od_matrix()
    assert np.array_equal(one.to_numpy(), two.to_numpy())
    assert len(calls) > 2 and calls[-1][0] == calls[-1][1] == int((g.source_node >= 0).sum())  # stations with track


def test_select_stations() -> None:
    net = load_network()
    assert select_stations(net, ["Herat", "afg_herat"]) == ["afg_herat"]
    ports = select_stations(net, roles=["port"])
    assert ports and set(net.stations.set_index("id").loc[ports, "role"]) == {"port"}
    with pytest.raises(DataError, match="no station in XYZ"):
        select_stations(net, countries=["XYZ"])
    with pytest.raises(DataError, match="no station has role harbour"):
        select_stations(net, roles=["harbour"])
    with pytest.raises(DataError, match="leaves no station"):
        select_stations(net, countries=["TJK"], roles=["port"])


# --------------------------------------------------------------------------------------------
# Triangle inequality (no node penalties): property test
# --------------------------------------------------------------------------------------------
@st.composite
def plain_networks(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Random networks of one gauge in one country (AAA), so no node penalty applies."""
    n = draw(st.integers(3, 8))
    xs = draw(st.lists(st.integers(0, 19), min_size=n, max_size=n))
    ys = draw(st.lists(st.integers(-20, 20), min_size=n, max_size=n, unique=True))
    stations = [
        {
            "id": f"s{i}",
            "name": f"S{i}",
            "country": "AAA",
            "role": "station",
            "source": "t",
            "geometry": Point(x / 10, y / 10),
        }
        for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    ]
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=1, max_size=3 * n))
    pairs = [(a, b) for a, b in pairs if a != b] or [(0, 1)]
    segments = []
    for j, (a, b) in enumerate(pairs):
        pa, pb = stations[a]["geometry"], stations[b]["geometry"]
        segments.append(
            {
                "id": f"e{j}",
                "from": f"s{a}",
                "to": f"s{b}",
                "gauge": "1520",
                "status": "operational",
                "opened": "2000",
                "source": "t",
                "geometry": LineString([(pa.x, pa.y), (pb.x, pb.y)]),
            }
        )
    return (
        gpd.GeoDataFrame(stations, crs="EPSG:4326"),
        gpd.GeoDataFrame(segments, geometry="geometry", crs="EPSG:4326"),
    )


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(plain_networks(), st.sampled_from(["distance", "time", "cost", "generalized"]))
def test_triangle_inequality(gdfs: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame], by: str) -> None:
    net = network_from_gdfs(*gdfs, countries=COUNTRIES)
    d = od_matrix(net, by=by).to_numpy()
    n = len(d)
    assert np.allclose(d, d.T, equal_nan=True)
    via = np.min(d[:, :, None] + d[None, :, :], axis=1)  # best i -> j -> k over every j
    finite = np.isfinite(via)
    assert (d[finite] <= via[finite] * (1 + 1e-12) + 1e-9).all()
    assert (np.diag(d) == 0).all() and n == len(net.stations)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), parameters(), st.sampled_from(["distance", "time", "cost", "generalized"]))
def test_od_matrix_equals_router_on_random_networks(
    gdfs: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame], params: Parameters, by: str
) -> None:
    """Random gauges, facilities, borders and parallel segments: the matrix holds the Router's values.

    Where the best walk visits a station twice (the contrived case of the module notes) the
    matrix may only be better than the loopless route.
    """
    net = network_from_gdfs(*gdfs, countries=COUNTRIES)
    m = od_matrix(net, by=by, params=params)
    router = Router(net, params)
    ids = list(net.stations["id"])
    for o, d in [(ids[0], ids[-1]), (ids[1], ids[2]), (ids[-1], ids[1])]:
        walk = best_routes(net, [o], [d], by=by, params=params).iloc[0]
        assert _approx(walk["value"], m.loc[o, d])
        loops = len(set(walk["stations"])) < len(walk["stations"])
        try:
            v = router.route(o, d, by=by).value
        except NoRouteError:
            v = math.inf
        if loops:
            assert m.loc[o, d] <= v + 1e-9
        else:
            assert _approx(m.loc[o, d], v), (o, d)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), parameters(), st.sampled_from(["distance", "time"]))
def test_criticality_equals_closing_on_random_networks(
    gdfs: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame], params: Parameters, by: str
) -> None:
    net = network_from_gdfs(*gdfs, countries=COUNTRIES)
    ids = list(net.stations["id"])
    t = segment_criticality(net, by=by, params=params).set_index("segment")
    base = od_matrix(net, by=by, params=params).to_numpy()
    mask = ~np.eye(len(ids), dtype=bool)
    for seg in t.index:
        after = od_matrix(network_as_of(net, ON, close_segments=[seg]), ids, by=by, params=params).to_numpy()
        fb, fa = np.isfinite(base) & mask, np.isfinite(after) & mask
        both = fb & fa
        inc = np.where(both, after, 0.0) - np.where(both, base, 0.0)
        inc[inc <= 1e-9 * np.maximum(1.0, np.abs(np.where(both, base, 0.0)))] = 0.0
        assert t.loc[seg, "pairs_disconnected"] == int((fb & ~fa).sum()), seg
        assert t.loc[seg, "pairs_longer"] == int((inc > 0).sum()), seg
        assert t.loc[seg, "added"] == pytest.approx(float(inc.sum()), rel=1e-9, abs=1e-9), seg


# --------------------------------------------------------------------------------------------
# Scenario diff
# --------------------------------------------------------------------------------------------
def test_od_diff_categories(tmp_path: Path) -> None:
    r"""
          q ------- t (q-t opens 2030)
         / \
        p---r---s      p-r shortcut opens 2030; r-s closes 2025
    """
    pos = {"p": (0, 0), "q": (0.5, 0.5), "r": (1, 0), "s": (1.5, 0), "t": (0.5, 1.2)}
    path = write_network(
        tmp_path / "d",
        [station(s, *xy) for s, xy in pos.items()],
        [
            segment("pq", [pos["p"], pos["q"]], "p", "q"),
            segment("qr", [pos["q"], pos["r"]], "q", "r"),
            segment("pr", [pos["p"], pos["r"]], "p", "r", opened="2030"),
            segment("rs", [pos["r"], pos["s"]], "r", "s", status="closed", closed="2025"),
            segment("qt", [pos["q"], pos["t"]], "q", "t", opened="2030"),
        ],
    )
    full = load_network(path, countries=COUNTRIES)
    before = od_matrix(network_as_of(full, date(2020, 1, 1)))
    after = od_matrix(network_as_of(full, date(2031, 1, 1)))
    diff = od_diff(before, after)
    assert len(diff) == 20
    cat = {(o, d): c for o, d, c in diff[["origin", "destination", "category"]].itertuples(index=False)}
    assert cat["p", "r"] == cat["r", "p"] == "improved"
    assert cat["p", "q"] == cat["q", "r"] == "unchanged"
    assert {cat[x, "s"] for x in "pqr"} == {cat["s", x] for x in "pqr"} == {"disconnected"}
    assert {cat[x, "t"] for x in "pqr"} == {"newly_connected"}
    assert cat["s", "t"] == cat["t", "s"] == "unreachable"
    pr = diff[(diff["origin"] == "p") & (diff["destination"] == "r")].iloc[0]
    assert pr["change"] == pytest.approx(km(pos["p"], pos["r"]) - 2 * km(pos["p"], pos["q"]))
    s = od_diff_summary(diff)
    assert (s["improved"], s["unchanged"], s["disconnected"], s["newly_connected"], s["unreachable"]) == (2, 4, 6, 6, 2)
    assert s["worsened"] == 0 and s["pairs"] == 20 and s["unit"] == "km"
    assert s["best"]["change"] == pytest.approx(pr["change"])
    with pytest.raises(DataError, match="different stations"):
        od_diff(before, after.iloc[:2])


# --------------------------------------------------------------------------------------------
# Criticality
# --------------------------------------------------------------------------------------------
CRIT_POS = {"a": (-3, 0), "b": (-2, 0), "c": (-1, 0), "d": (0, 0.5), "e": (0, -0.5), "f": (1, -0.5)}


@pytest.fixture
def crit_net(tmp_path: Path) -> Network:
    r"""
                  d
                 /|          ab, bc, ef: bridges (6 stations, 30 ordered pairs)
    a -- b -- c   |          cd, de, ec: a triangle
                 \|
                  e -- f
    """
    path = line_network(
        tmp_path / "c",
        [(k, k[0], k[1], "1520") for k in ("ab", "bc", "cd", "de", "ec", "ef")],
        CRIT_POS,
    )
    return load_network(path, countries=COUNTRIES)


def test_criticality_by_hand(crit_net: Network) -> None:
    t = segment_criticality(crit_net).set_index("segment")
    assert t.attrs["pairs"] == 30 and t.attrs["pairs_connected"] == 30
    assert t.loc["ab", "pairs_disconnected"] == 2 * 1 * 5
    assert t.loc["bc", "pairs_disconnected"] == 2 * 2 * 4
    assert t.loc["ef", "pairs_disconnected"] == 2 * 5 * 1
    assert t.loc[["ab", "bc", "ef"], "bridge"].all() and not t.loc[["cd", "de", "ec"], "bridge"].any()
    assert (t.loc[["ab", "bc", "ef"], "added"] == 0).all()
    cd, de = km(CRIT_POS["c"], CRIT_POS["d"]), km(CRIT_POS["d"], CRIT_POS["e"])
    # without d-e, d<->e and d<->f go round by c
    assert t.loc["de", "pairs_disconnected"] == 0 and t.loc["de", "pairs_longer"] == 4
    assert t.loc["de", "added"] == pytest.approx(4 * (2 * cd - de))
    # without c-d, a, b, c <-> d go round by e
    assert t.loc["cd", "pairs_longer"] == 6
    assert t.loc["cd", "added"] == pytest.approx(6 * (cd + de - cd))
    ranked = segment_criticality(crit_net)
    assert list(ranked["segment"][:3]) == ["bc", "ab", "ef"] or list(ranked["segment"][:3]) == ["bc", "ef", "ab"]
    assert list(ranked["rank"]) == list(range(1, 7))


def _closed_brute_force(
    full: Network, net_on: date, by: str, origins: list[str], dests: list[str], seg: str
) -> tuple[int, int, float]:
    base = od_matrix(network_as_of(full, net_on), origins, dests, by=by).to_numpy()
    after = od_matrix(network_as_of(full, net_on, close_segments=[seg]), origins, dests, by=by).to_numpy()
    mask = np.array(origins)[:, None] != np.array(dests)[None, :]
    fb, fa = np.isfinite(base) & mask, np.isfinite(after) & mask
    both = fb & fa
    inc = np.where(both, after, 0.0) - np.where(both, base, 0.0)
    inc[inc <= 1e-9 * np.maximum(1.0, np.abs(np.where(both, base, 0.0)))] = 0.0
    return int((fb & ~fa).sum()), int((inc > 0).sum()), float(inc.sum())


def test_criticality_equals_closing_each_segment(gauge_net: Network, params_path: Path) -> None:
    """Gauge breaks, a dual segment and parallel segments: every row equals recomputing without it."""
    stations, segments = gauge_net.stations, gauge_net.segments
    extra = segments[segments["id"].isin(["ad", "bc"])].copy()
    extra["id"] = ["ad_dual", "bc_parallel"]
    extra["gauge"] = ["dual", "1520"]
    full = network_from_gdfs(stations, pd.concat([segments, extra], ignore_index=True), countries=COUNTRIES)
    p = load_parameters(params_path)
    ids = list(stations["id"])
    for by in ("distance", "time"):
        t = segment_criticality(full, by=by, params=p).set_index("segment")
        for seg in t.index:
            base = od_matrix(full, by=by, params=p).to_numpy()
            rest = network_as_of(full, ON, close_segments=[seg])
            after = od_matrix(rest, ids, ids, by=by, params=p).to_numpy()
            mask = ~np.eye(len(ids), dtype=bool)
            fb, fa = np.isfinite(base) & mask, np.isfinite(after) & mask
            both = fb & fa
            inc = np.where(both, after, 0.0) - np.where(both, base, 0.0)
            inc[inc <= 1e-9 * np.maximum(1.0, np.abs(np.where(both, base, 0.0)))] = 0.0
            assert t.loc[seg, "pairs_disconnected"] == int((fb & ~fa).sum()), (by, seg)
            assert t.loc[seg, "pairs_longer"] == int((inc > 0).sum()), (by, seg)
            assert t.loc[seg, "added"] == pytest.approx(float(inc.sum()), rel=1e-9, abs=1e-9), (by, seg)
    assert not t.loc["bc_parallel", "bridge"] and t.loc["bc_parallel", "pairs_disconnected"] == 0


def test_criticality_on_shipped_network_sample() -> None:
    full = load_network()
    net = network_as_of(full, ON)
    stations = select_stations(net, countries=["TJK", "UZB", "AFG"])
    calls: list[tuple[int, int]] = []
    t = segment_criticality(net, stations, by="time", progress=lambda d, n: calls.append((d, n))).set_index("segment")
    assert calls[-1] == (len(net.segments), len(net.segments))
    for seg in ["uzb_guzar_kumkurgan", *t.index[t["pairs_longer"] > 0][:3]]:
        cut, longer, added = _closed_brute_force(full, ON, "time", stations, stations, seg)
        assert (t.loc[seg, "pairs_disconnected"], t.loc[seg, "pairs_longer"]) == (cut, longer)
        assert t.loc[seg, "added"] == pytest.approx(added)


def test_plot_criticality(crit_net: Network) -> None:
    t = segment_criticality(crit_net)
    fig, ax = plot_criticality(crit_net, t)
    assert ax.get_title(loc="left") == "Segment criticality"
    assert len(fig.axes) == 2  # the map and its colour bar
    fig, ax = plot_criticality(crit_net, t, column="added", title="Detours")
    assert "added km" in fig.axes[1].get_xlabel()
    with pytest.raises(DataError, match="column 'km'"):
        plot_criticality(crit_net, t, column="km")


# --------------------------------------------------------------------------------------------
# Transit hubs
# --------------------------------------------------------------------------------------------
HUB_POS = {"a": (0, 0), "b": (1, 0), "w": (1, 1), "m": (3, 0), "z": (5, 0), "y": (5, 1)}


@pytest.fixture
def hub_net(tmp_path: Path) -> Network:
    r"""
         w                   y      a, b, w in AAA; m in BBB; z, y in CCC
         |                   |
    a -- b ------ m ------- z
    """
    path = line_network(
        tmp_path / "h",
        [
            ("ab", "a", "b", "1520"),
            ("wb", "w", "b", "1520"),
            ("bm", "b", "m", "1520"),
            ("mz", "m", "z", "1520"),
            ("zy", "z", "y", "1520"),
        ],
        HUB_POS,
        countries={"m": "BBB", "z": "CCC", "y": "CCC"},
    )
    return load_network(path, countries=COUNTRIES)


def test_hub_shares_by_hand(hub_net: Network) -> None:
    routes = best_routes(hub_net, ["a", "b", "w"], ["z", "y"])
    assert len(routes) == 6 and routes["reachable"].all()
    r = routes.set_index(["origin", "destination"])
    assert r.loc[("a", "y"), "stations"] == ["a", "b", "m", "z", "y"]
    assert r.loc[("a", "y"), "segments"] == ["ab", "bm", "mz", "zy"]
    assert r.loc[("a", "y"), "countries"] == ["AAA", "BBB", "CCC"]
    assert r.loc[("a", "y"), "transit_countries"] == ["BBB"]
    assert sum(r.loc[("a", "y"), "km_by_country"].values()) == pytest.approx(r.loc[("a", "y"), "value"])
    c = country_shares(routes)
    assert c.loc["BBB", "transit_routes"] == 6 and c.loc["BBB", "transit_share"] == 1.0
    assert c.loc["AAA", "endpoint_share"] == c.loc["CCC", "endpoint_share"] == 1.0
    assert c.loc["AAA", "transit_share"] == 0 and c.loc["CCC", "transit_share"] == 0
    assert c["km_share"].sum() == pytest.approx(1.0)
    assert c["endpoint_routes"].sum() == 2 * len(routes)
    s = station_shares(hub_net, routes)
    assert s.loc["m", "share"] == 1.0
    assert s.loc["b", "routes_through"] == 4 and s.loc["b", "share"] == pytest.approx(4 / 6)  # from a and w
    assert s.loc["z", "routes_through"] == 3  # to y
    assert "a" not in s.index and "y" not in s.index  # ends are not passed through
    demand = pd.DataFrame({"z": [10.0, 0.0, 0.0], "y": [0.0, 0.0, 0.0]}, index=["a", "b", "w"])
    cd = country_shares(routes, demand)
    assert cd.loc["BBB", "transit_demand_share"] == 1.0 and cd.attrs["demand"] == 10.0
    sd = station_shares(hub_net, routes, demand)
    assert sd.loc["b", "demand_share"] == 1.0 and sd.loc["z", "demand_share"] == 0.0
    with pytest.raises(DataError, match="non-negative"):
        country_shares(routes, -demand)


def test_best_routes_agree_with_router_on_shipped_network() -> None:
    full = load_network()
    net = network_state(full, as_of=ON).network  # the rail network (the default modes)
    routes = best_routes(
        net, select_stations(net, countries=["TJK"]), select_stations(net, countries=["IRN"]), by="time"
    )
    router = Router(net, full=full)
    reach = routes[routes["reachable"]]
    assert len(reach) > 100 and (~routes["reachable"]).any()
    for rec in reach.sample(12, random_state=3).to_dict("records"):
        r = router.route(rec["origin"], rec["destination"], by="time")
        assert rec["value"] == pytest.approx(r.hours)
        assert rec["stations"][0] == rec["origin"] and rec["stations"][-1] == rec["destination"]
        assert rec["km_by_country"] == pytest.approx(r.km_by_country)
    shares = country_shares(routes)
    assert shares.attrs["routes"] == len(reach)
    assert shares.loc["UZB", "transit_share"] > 0.9  # Tajikistan reaches Iran through Uzbekistan today
    _, ax = plot_transit_shares({"today": shares, "again": shares}, highlight=["UZB"])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["today", "again"]


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------
def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def test_cli_od(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "od", "--stations", "Mashhad,Sarakhs,Herat", "--as-of", "2026-11-28", "--json")
    data = json.loads(out)
    assert code == 0 and data["origins"] == ["irn_mashhad", "irn_sarakhs", "afg_herat"]
    assert data["matrix"][0][1] > 0 and data["matrix"][0][2] is None and data["unit"] == "km"
    csv = tmp_path / "od.csv"
    code, out, _ = run(
        capsys, "od", "--stations", "Mashhad", "--stations", "Sarakhs", "--by", "time", "--csv", str(csv)
    )
    assert code == 0 and "Mashhad" in out and "OD matrix by time (h)" in out and "[/]" not in out
    assert pd.read_csv(csv, index_col=0).loc["irn_mashhad", "irn_sarakhs"] > 0
    code, out, _ = run(capsys, "od", "--from-country", "TJK", "--to-country", "IRN", "--as-of", "2026-11-28")
    assert code == 0 and re.search(r"\d+ x \d+ stations", out) and "--csv" in out


def test_cli_criticality_and_hubs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "criticality", "--from-country", "TJK", "--as-of", "2026-11-28", "--json")
    data = json.loads(out)
    n = len(select_stations(load_network(), countries=["TJK"]))
    assert code == 0 and data["pairs"] == n * (n - 1) and data["segments"][0]["rank"] == 1
    png = tmp_path / "c.png"
    code, out, _ = run(
        capsys, "criticality", "--stations", "Termez,Dushanbe,uzb_bukhara", "--top", "3", "--map", str(png)
    )
    assert code == 0 and "Segment criticality" in out and png.exists()
    code, out, _ = run(
        capsys,
        "hubs",
        "--from-country",
        "TJK",
        "--to-country",
        "IRN",
        "--by",
        "time",
        "--as-of",
        "2026-11-28",
        "--json",
    )
    data = json.loads(out)
    transit = {c["country"]: c["transit_share"] for c in data["countries"]}
    assert code == 0 and transit["UZB"] > 0.9 and data["stations"]
    code, out, _ = run(capsys, "hubs", "--stations", "Tashkent,Mashhad,Dushanbe", "--csv", str(tmp_path / "h.csv"))
    assert code == 0 and "Countries" in out and (tmp_path / "h.csv").exists()


def test_cli_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "od", "--stations", "Mashad,Herrat")
    assert code == 2 and "did you mean" in err and "Traceback" not in err
    code, _, err = run(capsys, "hubs", "--from-country", "XYZ")
    assert code == 2 and "--from-country: 'XYZ' is not a country of the network" in err and "Traceback" not in err
    code, _, err = run(capsys, "criticality", "--stations", "Mashhad", "--from-country", "IRN")
    assert code == 2 and "not both" in err
    code, out, _ = run(capsys, "od", "--help")
    assert code == 0 and "Examples:" in out and "--from-country" in out and "\\b" not in out
