"""Multimodal routing: road, ferry and sea legs, changes of mode at terminals, waits for departures."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString, Point

from conftest import COUNTRIES, DEG_KM, PARAMS_TOML, segment, station, write_network
from corridors import NoRouteError, Router, load_network, load_parameters, network_from_gdfs, network_state
from corridors.network import Network
from corridors.params import Parameters
from corridors.pricing import SEA, expected_wait_h
from corridors.schema import GAUGE_CHANGE_METHODS, WATER_MODES, carrier_mode, segment_carriers
from corridors.stategraph import StateGraph

MULTIMODAL_TOML = (
    PARAMS_TOML
    + """
[speed.road.default]
kmh = 60.0
assumption = true
[speed.ferry.default]
kmh = 20.0
assumption = true
[speed.sea.default]
kmh = 30.0
assumption = true
[tariff.road.default]
usd_per_km = 2.0
assumption = true
[tariff.ferry.default]
usd_per_km = 0.5
assumption = true
[tariff.sea.default]
usd_per_km = 0.1
assumption = true
[tariff.by_segment.bc]
usd = 300.0
assumption = true
[border.road.default]
dwell_h = 4.0
fee_usd = 30.0
assumption = true
[border.ferry.default]
dwell_h = 6.0
fee_usd = 60.0
assumption = true
[border.sea.default]
dwell_h = 8.0
fee_usd = 90.0
assumption = true
[transfer."rail-road"]
time_h = 1.0
cost_usd = 20.0
assumption = true
[transfer."rail-ferry"]
time_h = 3.0
cost_usd = 40.0
assumption = true
[transfer."rail-sea"]
time_h = 6.0
cost_usd = 120.0
assumption = true
[transfer."road-ferry"]
time_h = 2.0
cost_usd = 25.0
assumption = true
[transfer."road-sea"]
time_h = 5.0
cost_usd = 100.0
assumption = true
"""
)


@pytest.fixture
def mm_params(tmp_path: Path) -> Parameters:
    p = tmp_path / "multimodal.toml"
    p.write_text(MULTIMODAL_TOML, encoding="utf-8")
    return load_parameters(p)


def _leg(sid: str, a: tuple[float, float], b: tuple[float, float], frm: str, to: str, mode: str, **kw: Any) -> Any:
    gauge = kw.pop("gauge", "1520" if mode == "rail" else None)
    return segment(sid, [a, b], frm, to, gauge=gauge, mode=mode, **kw)


def test_ferry_wait_and_transfers_by_hand(tmp_path: Path, mm_params: Parameters) -> None:
    r"""
    a ==rail== b ~~ferry (7 a week, 10 h, fare 300)~~ c ==rail== d      (all in AAA)
    b and c are rail–ferry terminals (3 h, 40 USD each way).
    """
    pos = {"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (1.5, 0.0), "d": (1.9, 0.0)}
    terminals = {"b": ["rail-ferry"], "c": ["rail-ferry"]}
    stations = [station(s, *xy, transfers=terminals.get(s, [])) for s, xy in pos.items()]
    segs = [
        _leg("ab", pos["a"], pos["b"], "a", "b", "rail"),
        _leg("bc", pos["b"], pos["c"], "b", "c", "ferry", sailing_h=10.0, departures_per_week=7.0),
        _leg("cd", pos["c"], pos["d"], "c", "d", "rail"),
    ]
    net = load_network(write_network(tmp_path / "n", stations, segs), countries=COUNTRIES)
    state = network_state(net, as_of="2020-01-01", params=mm_params, modes=["rail", "ferry"])
    r = state.route("a", "d", by="time")
    rail_km = 1.0 * DEG_KM + 0.4 * DEG_KM
    assert expected_wait_h(7.0) == 12.0
    assert r.hours == pytest.approx(rail_km / 50.0 + 3.0 + 10.0 + 12.0 + 3.0, rel=1e-6)
    assert r.cost == pytest.approx(rail_km * 1.0 + 40.0 + 300.0 + 40.0, rel=1e-6)
    assert [t.station for t in r.transfers] == ["b", "c"]
    assert [leg.wait_h for leg in r.legs] == [0.0, 12.0, 0.0] and "wait for a ferry departure" in r.summary()
    assert [(t.from_mode, t.to_mode) for t in r.transfers] == [("rail", "ferry"), ("ferry", "rail")]
    assert r.modes == ["rail", "ferry", "rail"][:2] and set(r.by_mode()) == {"rail", "ferry"}
    assert SEA in r.km_by_country
    # rail only (the default): the ferry is not used, so there is no route
    with pytest.raises(NoRouteError):
        network_state(net, as_of="2020-01-01", params=mm_params).route("a", "d")
    # the state graph reads the same prices
    g = state.state_graph("time")
    assert g.od_matrix(["a"], ["d"]).iloc[0, 0] == pytest.approx(r.hours, rel=1e-12)


def test_rail_road_transfer_only_at_a_terminal(tmp_path: Path, mm_params: Parameters) -> None:
    r"""
    a ==rail== b --road-- c        b offers rail-road in the first network, nothing in the second.
    """
    pos = {"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (1.5, 0.0)}
    segs = [_leg("ab", pos["a"], pos["b"], "a", "b", "rail"), _leg("br", pos["b"], pos["c"], "b", "c", "road")]
    for offered, connected in ((["rail-road"], True), ([], False)):
        stations = [station(s, *xy, transfers=offered if s == "b" else []) for s, xy in pos.items()]
        net = load_network(write_network(tmp_path / f"n{connected}", stations, segs), countries=COUNTRIES)
        state = network_state(net, as_of="2020-01-01", params=mm_params, modes=["rail", "road"])
        if connected:
            r = state.route("a", "c", by="cost")
            assert r.cost == pytest.approx(DEG_KM * 1.0 + 20.0 + 0.5 * DEG_KM * 2.0, rel=1e-6)
            assert r.hours == pytest.approx(DEG_KM / 50.0 + 1.0 + 0.5 * DEG_KM / 60.0, rel=1e-6)
            assert [leg.mode for leg in r.legs] == ["rail", "road"]
        else:
            with pytest.raises(NoRouteError):
                state.route("a", "c")


def test_road_border_uses_road_parameters(tmp_path: Path, mm_params: Parameters) -> None:
    pos = {"a": (1.5, 0.0), "b": (2.5, 0.0)}
    stations = [station("a", *pos["a"], "AAA"), station("b", *pos["b"], "BBB")]
    segs = [_leg("ab", pos["a"], pos["b"], "a", "b", "road")]
    net = load_network(write_network(tmp_path / "n", stations, segs), countries=COUNTRIES)
    r = network_state(net, as_of="2020-01-01", params=mm_params, modes=["road"]).route("a", "b", by="time")
    assert r.borders[0].mode == "road" and r.borders[0].parameter == "border.road.default"
    assert r.hours == pytest.approx(DEG_KM / 60.0 + 4.0, rel=1e-6)


def test_missing_mode_parameters_are_an_error(tmp_path: Path, params_path: Path) -> None:
    pos = {"a": (0.0, 0.0), "b": (1.0, 0.0)}
    net = load_network(
        write_network(
            tmp_path / "n", [station(s, *xy) for s, xy in pos.items()], [_leg("ab", *pos.values(), "a", "b", "road")]
        ),
        countries=COUNTRIES,
    )
    with pytest.raises(Exception, match=r"speed\.road\.default"):
        network_state(net, as_of="2020-01-01", params=load_parameters(params_path), modes=["road"]).route("a", "b")


def test_water_leg_needs_departures(tmp_path: Path) -> None:
    pos = {"a": (0.0, 0.0), "b": (1.0, 0.0)}
    path = write_network(
        tmp_path / "n", [station(s, *xy) for s, xy in pos.items()], [_leg("ab", *pos.values(), "a", "b", "sea")]
    )
    with pytest.raises(Exception, match="departures_per_week"):
        load_network(path, countries=COUNTRIES)


# --------------------------------------------------------------------------------------------
# Property: engine = brute force on random multimodal networks
# --------------------------------------------------------------------------------------------
MODES = ["rail", "rail", "road", "ferry"]
GAUGES = ["1520", "1435", "dual"]
TRANSFER_CHOICES = [[], ["rail-road"], ["rail-ferry"], ["road-ferry"], ["rail-road", "rail-ferry", "road-ferry"]]


@st.composite
def networks(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    n = draw(st.integers(4, 6))
    ys = draw(st.lists(st.integers(-20, 20), min_size=n, max_size=n, unique=True))
    xs = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))
    stations = []
    for i in range(n):
        x, y = xs[i] / 10, ys[i] / 10
        stations.append(
            {
                "id": f"s{i}",
                "name": f"S{i}",
                "country": "AAA" if x < 2 else "BBB" if x < 4 else "CCC",
                "role": "station",
                "gauge_change": draw(st.sampled_from([[], ["transloading"], ["bogie_exchange"]])),
                "transfers": draw(st.sampled_from(TRANSFER_CHOICES)),
                "source": "test",
                "geometry": Point(x, y),
            }
        )
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=n, max_size=2 * n + 2))
    pairs = [(a, b) for a, b in pairs if a != b] or [(0, 1)]
    segments = []
    for j, (a, b) in enumerate(pairs):
        pa, pb = stations[a]["geometry"], stations[b]["geometry"]
        mode = draw(st.sampled_from(MODES))
        rec: dict[str, Any] = {
            "id": f"e{j}",
            "from": f"s{a}",
            "to": f"s{b}",
            "mode": mode,
            "gauge": draw(st.sampled_from(GAUGES)) if mode == "rail" else None,
            "status": "operational",
            "opened": "2000",
            "source": "test",
            "geometry": LineString([(pa.x, pa.y), ((pa.x + pb.x) / 2, (pa.y + pb.y) / 2 + 0.05), (pb.x, pb.y)]),
        }
        if mode in WATER_MODES:
            rec["departures_per_week"] = float(draw(st.sampled_from([1, 2, 7, 14])))
            rec["sailing_h"] = draw(st.sampled_from([None, 5.0, 18.0]))
        segments.append(rec)
    return (
        gpd.GeoDataFrame(stations, crs="EPSG:4326"),
        gpd.GeoDataFrame(segments, geometry="geometry", crs="EPSG:4326"),
    )


def _leg_price(p: Parameters, rec: dict[str, Any], a: str, b: str, country: dict[str, str], carrier: str) -> tuple:
    """km, hours, cost of running one segment, computed from the parameters by hand."""
    mode = rec["mode"]
    km = rec["length_geodesic_km"]
    if mode in WATER_MODES:
        h = rec["sailing_h"] if rec.get("sailing_h") == rec.get("sailing_h") and rec.get("sailing_h") else None
        hours = (
            h
            if h is not None
            else km / p.speed_kmh(segment=rec["id"], status="operational", country=SEA, gauge="", mode=mode)
        )
        hours += 0.5 * 168.0 / rec["departures_per_week"]
        cost = km * p.tariff_per_km(SEA, mode)
    else:
        hours = sum(
            x / p.speed_kmh(segment=rec["id"], status="operational", country=c, gauge=carrier, mode=mode)
            for c, x in rec["km_by_country"].items()
        )
        cost = sum(x * p.tariff_per_km(c, mode) for c, x in rec["km_by_country"].items())
    if country[a] != country[b]:
        dwell, fee, _ = p.border(country[a], country[b], segment=rec["id"], mode=mode)
        hours, cost = hours + dwell, cost + fee
    return km, hours, cost


def _change_costs(p: Parameters, net: Network, w: Any) -> dict[str, dict[tuple[str, str], float]]:
    """Per station, the cheapest chain of transfers between any two carriers (Floyd–Warshall)."""
    out: dict[str, dict[tuple[str, str], float]] = {}
    here: dict[str, set[str]] = {}  # a station's carriers: those of the segments that reach it
    seg = net.segments
    for a, b, m, g in zip(seg["from"], seg["to"], seg["mode"], seg["gauge"], strict=True):
        for x in (a, b):
            here.setdefault(x, set()).update(segment_carriers(m, g))
    for sid, methods, pairs in zip(
        net.stations["id"], net.stations["gauge_change"], net.stations["transfers"], strict=True
    ):
        carriers = here.get(sid, set())
        d = {(a, b): (0.0 if a == b else math.inf) for a in carriers for b in carriers}
        for a, b in itertools.permutations(carriers, 2):
            ma, mb = carrier_mode(a), carrier_mode(b)
            opts = []
            if ma == mb == "rail":
                opts += [w(0.0, *p.gauge_change(m)) for m in methods if m in GAUGE_CHANGE_METHODS]
            elif ma != mb:
                opts += [w(0.0, *p.transfer(t)) for t in pairs if set(t.split("-")) == {ma, mb}]
            d[(a, b)] = min(opts, default=math.inf)
        for k in carriers:
            for a in carriers:
                for b in carriers:
                    d[(a, b)] = min(d[(a, b)], d[(a, k)] + d[(k, b)])
        out[sid] = d
    return out


def brute_force(net: Network, p: Parameters, o: str, dest: str, by: str) -> float:
    vot = p.value_of_time

    def w(km: float, h: float, c: float) -> float:
        return {"distance": km, "time": h, "cost": c, "generalized": c + vot * h}[by]

    G = nx.MultiGraph()
    segs = {r["id"]: r for r in net.segments.to_dict("records")}
    for sid, r in segs.items():
        G.add_edge(r["from"], r["to"], key=sid)
    country = dict(zip(net.stations["id"], net.stations["country"], strict=True))
    change = _change_costs(p, net, w)
    best = math.inf
    if o not in G or dest not in G:
        return best
    for path in nx.all_simple_edge_paths(G, o, dest):
        order = [o]
        for u, v, _ in path:
            order.append(v if u == order[-1] else u)
        options = [segment_carriers(segs[k]["mode"], segs[k]["gauge"]) for _, _, k in path]
        for carriers in itertools.product(*options):
            total = 0.0
            for i, ((_, _, k), c) in enumerate(zip(path, carriers, strict=True)):
                total += w(*_leg_price(p, segs[k], order[i], order[i + 1], country, c))
                if i > 0:
                    total += change[order[i]].get((carriers[i - 1], c), math.inf)
            best = min(best, total)
    return best


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(networks(), st.sampled_from(["distance", "time", "cost", "generalized"]))
def test_engines_equal_brute_force_on_multimodal_networks(
    gdfs: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame], by: str
) -> None:
    path = Path(__file__).parent / "_params_multimodal.toml"
    if not path.exists():
        path.write_text(MULTIMODAL_TOML, encoding="utf-8")
    p = load_parameters(path)
    net = network_from_gdfs(*gdfs, countries=COUNTRIES)
    router = Router(net, p)
    graph = StateGraph(net, p, by=by)
    ids = list(net.stations["id"])
    od = graph.od_matrix(ids, ids)
    for o, d in [(ids[0], ids[-1]), (ids[1], ids[2])]:
        expected = brute_force(net, p, o, d, by)
        try:
            got = router.route(o, d, by=by).value
        except NoRouteError:
            got = math.inf
        assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
        # The matrix holds the best walk: never worse than the best loopless route, and better only
        # when the walk comes back through a station (to change mode at a terminal and return).
        assert od.loc[o, d] <= expected * (1 + 1e-9) + 1e-9
