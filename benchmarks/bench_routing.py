"""Single route queries on the shipped network: the Router against plain networkx Dijkstra.

Both answer the same question on the same state-expanded graph (stations x train gauge, gauge
changes only at facilities, border dwell and fees on crossing segments): the Router returns a
full :class:`corridors.Route` (best loopless route, legs, borders, gauge changes, geometry);
the baseline is ``networkx.dijkstra_path`` from a virtual source to a virtual sink of the same
graph, built from :class:`corridors.stategraph.StateGraph`. The single-pair value from the
StateGraph (scipy) is listed as well. Timings are medians over many queries after a warm-up.

    python benchmarks/bench_routing.py [--queries 300] [--as-of 2026-11-28] [--out FILE]
"""

from __future__ import annotations

import argparse
import itertools
import math
import platform
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import networkx as nx
import numpy as np
import scipy

from corridors import Router, load_network, load_parameters, network_state
from corridors.stategraph import StateGraph


def nx_state_graph(g: StateGraph) -> nx.DiGraph:
    """The StateGraph's arcs as a networkx DiGraph, with a virtual sink per station."""
    coo = g.csr.tocoo()
    G = nx.DiGraph()
    G.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True))
    for k, _ in enumerate(g.stations):
        lo, hi = int(g.station_ptr[k]), int(g.station_ptr[k + 1])
        for s in range(lo, hi):
            G.add_edge(s, ("sink", k), weight=0.0)
    return G


def median_ms(fn: Callable[[str, str], object], pairs: list[tuple[str, str]]) -> float:
    for o, d in pairs[:10]:  # warm-up
        fn(o, d)
    times = []
    for o, d in pairs:
        t = time.perf_counter()
        fn(o, d)
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 28))
    parser.add_argument("--out", type=Path, default=None, help="also write the Markdown table here")
    args = parser.parse_args()

    t = time.perf_counter()
    full = load_network()
    load_s = time.perf_counter() - t
    net = network_state(full, as_of=args.as_of).network  # the rail network (the default modes)
    params = load_parameters()
    t = time.perf_counter()
    router = Router(net, params, full=full, as_of=args.as_of)
    router_build_s = time.perf_counter() - t

    rows = []
    for by in ("distance", "time"):
        t = time.perf_counter()
        g = StateGraph(net, params, by=by)
        sg_build_s = time.perf_counter() - t
        t = time.perf_counter()
        G = nx_state_graph(g)
        nx_build_s = time.perf_counter() - t
        od = g.od_matrix()
        rng = random.Random(1)
        reachable = [(o, d) for o in od.index for d in od.columns if o != d and math.isfinite(od.loc[o, d])]
        pairs = rng.sample(reachable, min(args.queries, len(reachable)))
        idx = {s: k for k, s in enumerate(g.stations)}

        def nx_query(o: str, d: str, G: nx.DiGraph = G, g: StateGraph = g, idx: dict[str, int] = idx) -> float:
            path = nx.dijkstra_path(G, int(g.source_node[idx[o]]), ("sink", idx[d]), weight="weight")
            return float(sum(G[a][b]["weight"] for a, b in itertools.pairwise(path)))

        def router_query(o: str, d: str, by: str = by) -> float:
            return router.route(o, d, by=by).value

        def sg_query(o: str, d: str, g: StateGraph = g) -> float:
            return float(g.od_matrix([o], [d]).iloc[0, 0])

        # the three agree on every sampled pair
        worst = max(
            abs(router_query(o, d) - nx_query(o, d)) / max(1.0, nx_query(o, d)) + abs(sg_query(o, d) - nx_query(o, d))
            for o, d in pairs[:50]
        )
        assert worst < 1e-9, worst
        r_ms, n_ms, s_ms = median_ms(router_query, pairs), median_ms(nx_query, pairs), median_ms(sg_query, pairs)
        rows.append((by, len(pairs), r_ms, n_ms, s_ms, sg_build_s, nx_build_s))

    lines = [
        f"Shipped network as of {args.as_of}: {len(net.stations)} stations, {len(net.segments)} open segments; "
        f"load {load_s:.2f} s, Router build {1000 * router_build_s:.0f} ms. "
        f"Python {platform.python_version()}, networkx {nx.__version__}, scipy {scipy.__version__}, "
        f"numpy {np.__version__}, {platform.machine()}.",
        "",
        "| criterion | queries | Router.route (full Route) | networkx dijkstra_path (baseline) "
        "| Router time / networkx time | StateGraph.od_matrix([o], [d]) (value only) | StateGraph build "
        "| networkx graph build |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for by, n, r_ms, n_ms, s_ms, sg_s, nx_s in rows:
        lines.append(
            f"| {by} | {n} | {r_ms:.2f} ms | {n_ms:.2f} ms | {r_ms / n_ms:.1f}x | {s_ms:.2f} ms "
            f"| {1000 * sg_s:.0f} ms | {1000 * nx_s:.0f} ms |"
        )
    lines += ["", "Medians per query over random connected pairs, after a warm-up of 10 queries."]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
