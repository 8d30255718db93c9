"""Monte Carlo throughput: draws per second against raw scipy on the same weights, Dask scaling, continental.

Ratios against baselines run in this process; nothing asserts on time.

1. Shipped network, the compared options (both shipped options files) on one date: draws per
   second of :func:`run_monte_carlo` (serial) against raw ``scipy.sparse.csgraph.dijkstra`` on a
   prebuilt CSR whose ``data`` holds the same draw's weights (written before the clock starts),
   one search per option and draw.
2. Shipped network, full OD matrix per draw (:func:`od_draws`) against raw all-pairs dijkstra
   on the same weights.
3. Dask: the options over yearly dates on a ``LocalCluster`` of 1 and of 2 worker processes
   (one thread each); the results are checked equal to the serial run.
4. The generated continental network (``continental.py``) at a few hundred draws.

Usage::

    python benchmarks/bench_montecarlo.py [--draws 1000] [--continental-draws 300] [--out mc.md]
"""

from __future__ import annotations

import argparse
import logging
import time
from datetime import date
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from corridors import load_network, load_parameters
from corridors.options import load_options, shipped_options
from corridors.state import network_state
from corridors.uncertainty import (
    Query,
    _block_hours,
    _criterion_arcs,
    _draw,
    _entry_weights,
    _fixed_arcs,
    build_problem,
    od_problem,
    open_client,
    option_queries,
    run_monte_carlo,
    run_od_draws,
    yearly_dates,
)


def clock(f: Any, *a: Any, **k: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = f(*a, **k)
    return out, time.perf_counter() - t


def raw_weights(problem: Any, n: int, seed: int, ask_index: int, t: int = 0) -> list[np.ndarray]:
    """The CSR data array of each draw for one query, computed like the engine (not timed)."""
    ask = problem.asks[ask_index]
    m = problem.models[ask.model]
    dr = _draw(problem, 0, n, seed)
    out = []
    day = float(problem.dates[t].toordinal())
    hours = _block_hours(m, dr, 0, n)
    fixed = _fixed_arcs(m)
    for j in range(n):
        arcs = {"hours": hours[j], **fixed}
        usable = m.fixed_open[t].copy()
        usable[m.uncertain] |= m.uncertain_day + dr.delay_days[j][m.uncertain_key] <= day
        usable &= ~ask.blocked
        w = _criterion_arcs(m, ask.by, arcs).copy()
        w[(m.arc_seg >= 0) & ~usable[np.maximum(m.arc_seg, 0)]] = np.inf
        out.append(_entry_weights(m, w))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--od-draws", type=int, default=200)
    ap.add_argument("--dask-draws", type=int, default=1000)
    ap.add_argument("--continental-draws", type=int, default=300)
    ap.add_argument("--stations", type=int, default=200_000)
    ap.add_argument("--segments", type=int, default=250_000)
    ap.add_argument("--repeats", type=int, default=3, help="Dask runs per configuration (the fastest counts)")
    ap.add_argument("--skip-continental", action="store_true")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    md: list[str] = []

    def emit(*lines: str) -> None:
        md.extend(lines)
        print("\n".join(lines), flush=True)

    net = load_network()
    options = [o for path in shipped_options().values() for o in load_options(path, net).options]
    day = date(2026, 11, 28)
    queries = option_queries(net, options)
    problem, build_t = clock(build_problem, queries, [day])
    n = args.draws
    run_monte_carlo(problem, 20, seed=0)  # warm-up
    _result, ours = clock(run_monte_carlo, problem, n, seed=1, chunk_size=n)
    # baseline: raw dijkstra on prebuilt CSRs with the same weights, one search per query and draw
    raw = 0.0
    for a, ask in enumerate(problem.asks):
        m = problem.models[ask.model]
        data = raw_weights(problem, n, 1, a)
        csr = sp.csr_array((data[0].copy(), m.indices, m.indptr), shape=(m.n_nodes, m.n_nodes))
        src = int(m.source_node[ask.legs[0][0]])
        t0 = time.perf_counter()
        for w in data:
            csr.data[:] = w
            dijkstra(csr, directed=True, indices=src)
        raw += time.perf_counter() - t0
    emit(
        "## Monte Carlo on the shipped network",
        "",
        f"{len(queries)} options of the shipped options files ({', '.join(shipped_options())}) on {day}, "
        f"{n:,} draws; problem build (state graphs of the fully built states) {1000 * build_t:.0f} ms.",
        "",
        "| work | time | draws/s | ratio |",
        "|---|---:|---:|---:|",
        f"| ours, serial: {len(queries)} options per draw (weights, search, route traced for hours/cost/km) "
        f"| {ours:.2f} s | {n / ours:,.0f} | ours / raw = {ours / raw:.2f} |",
        f"| raw scipy dijkstra, same weights prewritten, one search per option | {raw:.2f} s | {n / raw:,.0f} | 1 |",
    )

    # full OD matrix per draw
    state = network_state(net, as_of=day)
    nd = args.od_draws
    (odp, o_ids, _), od_build = clock(od_problem, state)
    run_od_draws(odp, 5, seed=0)
    _, ours_od = clock(run_od_draws, odp, nd, seed=1, chunk_size=nd)
    m = odp.models[0]
    data = raw_weights(odp, nd, 1, 0)
    src = m.source_node[np.asarray(odp.asks[0].legs[0][0])]
    src = src[src >= 0]
    csr = sp.csr_array((data[0].copy(), m.indices, m.indptr), shape=(m.n_nodes, m.n_nodes))
    t0 = time.perf_counter()
    for w in data:
        csr.data[:] = w
        dijkstra(csr, directed=True, indices=src)
    raw_od = time.perf_counter() - t0
    emit(
        "",
        f"Full OD matrix per draw: {len(o_ids)} x {len(o_ids)} stations ({m.n_nodes} nodes), {nd} draws; "
        f"problem build {1000 * od_build:.0f} ms (not in the times below).",
        "",
        "| work | time | draws/s | ratio |",
        "|---|---:|---:|---:|",
        f"| ours, serial (`run_od_draws`) | {ours_od:.2f} s | {nd / ours_od:,.0f} "
        f"| ours / raw = {ours_od / raw_od:.2f} |",
        f"| raw scipy dijkstra from every station, same weights prewritten | {raw_od:.2f} s | {nd / raw_od:,.0f} | 1 |",
    )

    # Dask scaling
    years = yearly_dates(2026, 2045)
    dproblem = build_problem(queries, years)
    nd = args.dask_draws
    serial, serial_t = clock(run_monte_carlo, dproblem, nd, seed=7)
    times: dict[int, float] = {}
    runs: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.repeats):
        for workers in (1, 2):
            with open_client("local", n_workers=workers) as client:
                client.submit(sum, [1]).result()  # workers up before the clock starts
                res, t = clock(run_monte_carlo, dproblem, nd, seed=7, client=client, chunk_size=125)
            runs[workers].append(t)
            assert np.array_equal(res.value, serial.value), "Dask and serial results differ"
    times = {w: min(ts) for w, ts in runs.items()}
    with open("/proc/loadavg", encoding="ascii") as f:
        load = f.read().split()[0]
    emit(
        "",
        f"Dask: {len(queries)} options x {len(years)} yearly dates, {nd:,} draws in chunks of 125 "
        "(`LocalCluster(processes=True, threads_per_worker=1)`, cluster start not timed); results equal to serial; "
        f"fastest of {args.repeats} runs each (all runs: 1 worker {', '.join(f'{t:.1f}' for t in runs[1])} s; "
        f"2 workers {', '.join(f'{t:.1f}' for t in runs[2])} s); 1-minute load average {load} (2 shared cores).",
        "",
        "| run | time | speed-up vs 1 worker |",
        "|---|---:|---:|",
        f"| serial, in process | {serial_t:.2f} s | {times[1] / serial_t:.2f} |",
        f"| Dask, 1 worker | {times[1]:.2f} s | 1 |",
        f"| Dask, 2 workers | {times[2]:.2f} s | {times[1] / times[2]:.2f} |",
    )

    if not args.skip_continental:
        from continental import build_network_fast, generate

        (st, sg, countries), gen_t = clock(generate, args.stations, args.segments)
        cont, fast_t = clock(build_network_fast, st, sg, countries)
        params = load_parameters()
        cstate = network_state(cont, as_of=day, params=params)
        rng = np.random.default_rng(3)
        ids = cont.stations["id"].to_numpy()
        pairs = [tuple(rng.choice(ids, 2, replace=False)) for _ in range(2)]
        cq = [Query(f"{a}-{b}", cstate, str(a), str(b), "time") for a, b in pairs]
        cproblem, cbuild = clock(build_problem, cq, [day])
        cn = args.continental_draws
        cres, cours = clock(run_monte_carlo, cproblem, cn, seed=1)
        raw_c = 0.0
        for a, ask in enumerate(cproblem.asks):
            m = cproblem.models[ask.model]
            data = raw_weights(cproblem, cn, 1, a)
            csr = sp.csr_array((data[0].copy(), m.indices, m.indptr), shape=(m.n_nodes, m.n_nodes))
            src = int(m.source_node[ask.legs[0][0]])
            t0 = time.perf_counter()
            for w in data:
                csr.data[:] = w
                dijkstra(csr, directed=True, indices=src)
            raw_c += time.perf_counter() - t0
        emit(
            "",
            f"Continental network ({len(cont.stations):,} stations, {len(cont.segments):,} segments; generated in "
            f"{gen_t:.0f} s, built in {fast_t:.0f} s): {len(cq)} random OD pairs, {cn} draws; problem build "
            f"{cbuild:.1f} s; P(route) {cres.connected.mean():.2f}.",
            "",
            "| work | time | draws/s | ratio |",
            "|---|---:|---:|---:|",
            f"| ours, serial | {cours:.1f} s | {cn / cours:,.1f} | ours / raw = {cours / raw_c:.2f} |",
            f"| raw scipy dijkstra, same weights prewritten | {raw_c:.1f} s | {cn / raw_c:,.1f} | 1 |",
        )
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
