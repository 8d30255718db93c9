"""Monte Carlo: exact probabilities on a hand-made network, reproducibility, zero spread = deterministic.

The fixture network (one degree of longitude = 111.3 km)::

    a ------- b ------- c          a, b in AAA; c in BBB (border b-c)
              |
              d                    b-d under construction, expected 2030-01-01

a-b and b-c are operational; b-d opens on 2030-01-01 plus a drawn delay.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.stats import norm

from conftest import COUNTRIES, PARAMS_TOML, segment, station, write_network
from corridors import load_network, load_parameters
from corridors.state import network_state
from corridors.uncertainty import (
    Distributions,
    Query,
    build_problem,
    distributions,
    draw_stream,
    run_monte_carlo,
)

UNCERTAINTY = """
[uncertainty.border_dwell]
sigma = 0.5
assumption = true
[uncertainty.speed]
sigma = 0.2
assumption = true
[uncertainty.gauge_change]
sigma = 0.3
assumption = true
[uncertainty.opening_delay]
p_on_time = 0.3
median_years = 2.0
sigma = 0.5
assumption = true
"""


@pytest.fixture
def world(tmp_path: Path) -> tuple[object, object]:
    st = [station("a", 0, 0, "AAA"), station("b", 1, 0, "AAA"), station("c", 3, 0, "BBB"), station("d", 1, 1, "AAA")]
    sg = [
        segment("ab", [(0, 0), (1, 0)], "a", "b"),
        segment("bc", [(1, 0), (3, 0)], "b", "c"),
        segment("bd", [(1, 0), (1, 1)], "b", "d", status="under_construction", opened=None, expected_opening="2030"),
    ]
    folder = write_network(tmp_path / "net", st, sg)
    pfile = tmp_path / "parameters.toml"
    pfile.write_text(PARAMS_TOML + UNCERTAINTY, encoding="utf-8")
    net = load_network(folder, countries=COUNTRIES)
    return net, load_parameters(pfile)


def _p_open(day: date, d: Distributions) -> float:
    """P(b-d open on ``day``): on time, or late by less than day - 2030-01-01."""
    years = (day - date(2030, 1, 1)).days / 365.25
    if years < 0:
        return 0.0
    late = 0.0 if years == 0 else norm.cdf((math.log(years) - math.log(d.delay_median_years)) / d.delay_sigma)
    return d.p_on_time + (1 - d.p_on_time) * late


def test_scipy_dijkstra_treats_explicit_inf_as_no_arc() -> None:
    # 0 -> 1 weight inf (explicit), 0 -> 2 weight 1, 2 -> 1 weight 5; 1 -> 3 weight 0 (explicit zero)
    g = sp.csr_array(
        (np.array([np.inf, 1.0, 0.0, 5.0]), np.array([1, 2, 3, 1], dtype=np.int32), np.array([0, 2, 3, 4, 4])),
        shape=(4, 4),
    )
    assert dijkstra(g, indices=[0]).tolist() == [[0.0, 6.0, 1.0, 6.0]]
    g.data[3] = np.inf
    assert dijkstra(g, indices=[0]).tolist() == [[0.0, math.inf, 1.0, math.inf]]


def test_draw_stream_is_the_spawned_child() -> None:
    kids = np.random.SeedSequence(11).spawn(4)
    for i, kid in enumerate(kids):
        assert draw_stream(11, i).standard_normal(3).tolist() == np.random.default_rng(kid).standard_normal(3).tolist()


def test_probability_of_connection_matches_the_delay_cdf(world: tuple) -> None:
    net, params = world
    state = network_state(net, as_of="2030-01-01", params=params)
    days = [date(2029, 6, 1), date(2030, 1, 1), date(2031, 1, 1), date(2032, 1, 1), date(2036, 1, 1)]
    n = 400
    r = run_monte_carlo(build_problem([Query("a-d", state, "a", "d")], days), n, seed=3)
    dist = distributions(params)
    for t, day in enumerate(days):
        p = _p_open(day, dist)
        p_hat = r.connected[0, t].mean()
        se = math.sqrt(max(p * (1 - p), 1e-12) / n)
        assert abs(p_hat - p) <= 4 * se + 1e-12, (day, p_hat, p)
    # a drawn world is one world: once open, open on every later date
    c = r.connected[0]
    assert (c[:-1] <= c[1:]).all()


def test_percentiles_are_ordered_and_spread(world: tuple) -> None:
    net, params = world
    state = network_state(net, as_of="2030-01-01", params=params)
    r = run_monte_carlo(build_problem([Query("a-c", state, "a", "c")], [date(2026, 1, 1)]), 300, seed=1)
    p10, p50, p90 = np.percentile(r.hours[0, 0], [10, 50, 90])
    assert p10 < p50 < p90
    # a-c has a border (dwell 10 h, sigma 0.5) and running time 333.96 km / 50 km/h
    assert p10 < 333.96 / 50 + 10 < p90


def test_zero_spread_equals_the_deterministic_answer(world: tuple) -> None:
    net, params = world
    state = network_state(net, as_of="2030-01-01", params=params)
    days = [date(2029, 1, 1), date(2030, 1, 1)]
    qs = [Query("a-c", state, "a", "c", "time"), Query("a-d", state, "a", "d", "cost")]
    r = run_monte_carlo(build_problem(qs, days, dist=Distributions()), 5, seed=0)
    for qi, q in enumerate(qs):
        for t, day in enumerate(days):
            det, _ = network_state(net, as_of=day, expected=True, params=params).route_or_reason(
                q.origin, q.destination, by=q.by
            )
            if det is None:
                assert not r.connected[qi, t].any()
                continue
            assert np.allclose(r.hours[qi, t], det.hours)
            assert np.allclose(r.cost[qi, t], det.cost)
            assert np.allclose(r.km[qi, t], det.km)


def test_zero_spread_equals_deterministic_on_the_shipped_network() -> None:
    net = load_network()
    state = network_state(net, as_of="2026-01-01")
    pairs = [("Tashkent", "Bandar Abbas"), ("Kashgar", "Tashkent"), ("Dushanbe", "Mashhad")]
    days = [date(2026, 1, 1), date(2035, 1, 1)]
    qs = [Query(f"{a}-{b}", state, a, b, "generalized") for a, b in pairs]
    r = run_monte_carlo(build_problem(qs, days, dist=Distributions()), 2, seed=0)
    for qi, (a, b) in enumerate(pairs):
        for t, day in enumerate(days):
            det = network_state(net, as_of=day, expected=True).route(a, b, by="generalized")
            assert r.value[qi, t, 0] == pytest.approx(det.generalized, rel=1e-9)
            assert r.hours[qi, t, 0] == pytest.approx(det.hours, rel=1e-9)


def test_same_draws_serially_in_chunks_and_on_one_or_two_dask_workers(world: tuple) -> None:
    distributed = pytest.importorskip("dask.distributed")
    net, params = world
    state = network_state(net, as_of="2030-01-01", params=params)
    problem = build_problem(
        [Query("a-c", state, "a", "c"), Query("a-d", state, "a", "d")], [date(2031, 1, 1), date(2033, 1, 1)]
    )
    serial = run_monte_carlo(problem, 120, seed=42, chunk_size=120)
    chunked = run_monte_carlo(problem, 120, seed=42, chunk_size=7)
    assert np.array_equal(serial.hours, chunked.hours)
    for workers in (1, 2):
        with (
            distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            on_dask = run_monte_carlo(problem, 120, seed=42, client=client, chunk_size=25)
        assert np.array_equal(serial.hours, on_dask.hours)
        assert np.array_equal(serial.value, on_dask.value)
    other = run_monte_carlo(problem, 120, seed=43)
    assert not np.array_equal(serial.hours, other.hours)


def test_tables_and_charts_for_options(world: tuple) -> None:
    from corridors.options import Option
    from corridors.plot_uncertainty import plot_connection, plot_fan
    from corridors.uncertainty import connection_table, flip_table, percentile_table

    net, params = world
    state = network_state(net, as_of="2030-01-01", params=params)
    qs = [Query("to c", state, "a", "c"), Query("to d", state, "a", "d")]
    days = [date(2029, 1, 1), date(2031, 1, 1), date(2034, 1, 1)]
    r = run_monte_carlo(build_problem(qs, days), 200, seed=5)
    pt = percentile_table(r)
    assert (pt["hours_p10"] <= pt["hours_p50"]).all() or pt["hours_p50"].isna().any()
    ok = pt.dropna(subset=["hours_p50"])
    assert (ok["hours_p10"] <= ok["hours_p50"]).all() and (ok["hours_p50"] <= ok["hours_p90"]).all()
    ct = connection_table(r)
    assert ct.set_index(["option", "year"]).loc[("to c", 2029), "p_connected"] == 1.0
    assert ct.set_index(["option", "year"]).loc[("to d", 2029), "p_connected"] == 0.0
    assert "of 200 draws" in ct["explanation"].iloc[0]
    ft = flip_table(r)
    assert len(ft) == len(days) and ft["p_flip"].between(0, 1).all()
    for plot in (plot_fan, plot_connection):
        fig, ax = plot(r)
        assert ax.get_legend() is not None and fig is ax.get_figure()
    with pytest.raises(Exception, match="no option 'x'"):
        plot_connection(r, options=["x"])
    assert Option("o", "a", "d", service="block_train").describe().endswith("service block_train")


def test_report_section_for_a_shipped_options_file(tmp_path: Path) -> None:
    from corridors.options import load_options, shipped_options
    from corridors.uncertainty_report import uncertainty_markdown, uncertainty_section, write_uncertainty

    net = load_network()
    of = load_options(shipped_options()["western_china_iran"], net)
    sec = uncertainty_section(net, of, draws=60, seed=2)
    images = write_uncertainty(sec, tmp_path, dpi=60)
    names = {p.name for p in tmp_path.iterdir()}
    assert {"uncertainty_percentiles.csv", "uncertainty_connection.csv", "uncertainty_flips.csv"} <= names
    assert all(p.exists() for p in images.values())
    text = uncertainty_markdown(sec, images)
    assert "## Uncertainty" in text and "60 Monte Carlo draws (seed 2" in text
    # a scenario's assumed opening is delayed like an announced one: CKU is not certain on its assumed date
    cku = sec.connection[sec.connection["option"].str.contains("CKU")].set_index("year")["p_connected"]
    assert cku.loc[2029] == 0.0 and 0.0 < cku.loc[2032] < 1.0 and cku.is_monotonic_increasing


def test_compare_cli_with_draws_and_service(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from corridors.cli import main

    with pytest.raises(SystemExit) as exc:
        main(
            [
                "compare",
                "tajikistan_gulf",
                "--out",
                str(tmp_path / "rep"),
                "--dpi",
                "72",
                "--service",
                "block_train",
                "--draws",
                "40",
                "--seed",
                "3",
                "--scheduler",
                "serial",
            ]
        )
    assert exc.value.code in (0, None)
    text = capsys.readouterr().out
    assert "Uncertainty: 40 draws (seed 3)" in text and "P(route)" in text and "P(flip)" in text


def test_od_draws_with_zero_spread_equal_the_od_matrix() -> None:
    from corridors.uncertainty import od_problem, run_od_draws

    net = load_network()
    day = date(2026, 11, 28)
    problem, o_ids, d_ids = od_problem(network_state(net, as_of=day), by="time")
    problem.dist = Distributions()
    draws = run_od_draws(problem, 2, seed=0)
    det = network_state(net, as_of=day, expected=True).state_graph("time").od_matrix(o_ids, d_ids).to_numpy()
    assert np.array_equal(np.isinf(draws[0]), np.isinf(det))
    assert np.allclose(draws[0][np.isfinite(det)], det[np.isfinite(det)], rtol=1e-6)


def test_default_local_cluster_of_two_processes_gives_the_serial_draws(world: tuple) -> None:
    import os

    from corridors.uncertainty import open_client

    net, params = world
    state = network_state(net, as_of="2030-01-01", params=params)
    problem = build_problem([Query("a-d", state, "a", "d")], [date(2031, 1, 1)])
    serial = run_monte_carlo(problem, 60, seed=9)
    with open_client("local", n_workers=2) as client:
        env = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        on_cluster = run_monte_carlo(problem, 60, seed=9, client=client, chunk_size=20)
    assert set(env.values()) == {None}  # workers keep glibc's adaptive allocation (see open_client)
    assert np.array_equal(serial.value, on_cluster.value)
