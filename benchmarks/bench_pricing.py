"""The pricing model: re-pricing a built state graph against rebuilding it, and multimodal OD against raw scipy.

Three measurements, each a ratio against a baseline run in this process (times vary from machine
to machine; the ratios are what to compare):

1. **Re-price one draw** (the step a Monte Carlo draw or a parameter change takes): new arc costs
   from changed parameters (:func:`corridors.pricing.price_network`) written into the built
   structure (:meth:`corridors.stategraph.StateGraph.repriced`), against building the state graph
   from scratch with those parameters; on the shipped network and on the continental generator.
2. **Shipped-network conversion**: building the CSR state graph of the shipped network.
3. **Multimodal OD**: an OD matrix on the continental generator with a share of road and ferry
   segments and terminals, against raw :func:`scipy.sparse.csgraph.dijkstra` on the prebuilt CSR.

Usage::

    python benchmarks/bench_pricing.py             # full sizes (about a minute of building)
    python benchmarks/bench_pricing.py --small     # a quick run
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date
from typing import Any

import numpy as np
from continental import build_network_fast, generate
from scipy.sparse.csgraph import dijkstra

from corridors import load_network, load_parameters, network_state
from corridors.pricing import price_network
from corridors.stategraph import StateGraph


def clock(fn: Any, *args: Any, repeat: int = 5, **kw: Any) -> tuple[Any, float]:
    """The result of the last call and the median seconds over ``repeat`` calls."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn(*args, **kw)
        times.append(time.perf_counter() - t)
    return out, statistics.median(times)


def reprice_case(label: str, net: Any, repeat: int) -> dict[str, Any]:
    base = load_parameters()
    slower = load_parameters(overrides={"border": {"default": {"dwell_h": 120.0}}, "speed": {"default": {"kmh": 20.0}}})
    g = StateGraph(net, base, by="time")

    def reprice() -> StateGraph:
        return g.repriced(price_network(net, slower))

    def rebuild() -> StateGraph:
        return StateGraph(net, slower, by="time")

    a, t_re = clock(reprice, repeat=repeat)
    b, t_build = clock(rebuild, repeat=repeat)
    assert np.array_equal(a.csr.data, b.csr.data), "re-priced and rebuilt graphs differ"
    _, t_price = clock(price_network, net, slower, repeat=repeat)
    return {
        "case": label,
        "segments": len(net.segments),
        "price_s": t_price,
        "reprice_s": t_re,
        "rebuild_s": t_build,
        "speedup": t_build / t_re,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="a quick run on a 20,000-station continental network")
    args = ap.parse_args()
    n_st, n_seg, n_od = (20_000, 25_000, 100) if args.small else (200_000, 250_000, 300)

    shipped = network_state(load_network(), as_of=date(2026, 11, 30)).network
    rows = [reprice_case("shipped network (rail, 2026-11-30)", shipped, repeat=20)]
    _, t_conv = clock(StateGraph, shipped, load_parameters(), by="time", repeat=20)

    st, sg, countries = generate(n_st, n_seg, seed=1, road_share=0.15, ferry_share=0.01)
    t0 = time.perf_counter()
    net = build_network_fast(st, sg, countries)
    t_net = time.perf_counter() - t0
    rows.append(reprice_case(f"continental, {n_st:,} stations, 15 % road, 1 % ferry", net, repeat=3))

    g = StateGraph(net, load_parameters(), by="time")
    rng = np.random.default_rng(0)
    ids = rng.choice(np.asarray(g.stations, dtype=object), size=2 * n_od, replace=False).tolist()
    origins, dests = ids[:n_od], ids[n_od:]
    m, t_ours = clock(g.od_matrix, origins, dests, repeat=1)
    src = g.source_node[g.index.get_indexer(origins)]
    src = src[src >= 0]
    _, t_raw = clock(dijkstra, g.csr, directed=True, indices=src, repeat=1)
    finite = int(np.isfinite(m.to_numpy()).sum())

    print("| case | segments | price (s) | re-price (s) | rebuild (s) | rebuild / re-price |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['case']} | {r['segments']:,} | {r['price_s']:.4f} | {r['reprice_s']:.4f} | "
            f"{r['rebuild_s']:.4f} | {r['speedup']:.1f}x |"
        )
    print()
    print(f"shipped network: CSR state graph built in {t_conv * 1000:.1f} ms (median of 20)")
    print(f"continental multimodal network built (fast path) in {t_net:.1f} s")
    print(
        f"multimodal OD {n_od} x {n_od} on the continental network: {t_ours:.2f} s; raw scipy on the prebuilt CSR "
        f"{t_raw:.2f} s; ratio {t_ours / t_raw:.2f}x; {finite:,} of {n_od * n_od:,} pairs connected"
    )


if __name__ == "__main__":
    main()
