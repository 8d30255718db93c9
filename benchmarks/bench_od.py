"""OD matrices and segment criticality: corridors.stategraph against networkx and raw scipy.

In one run:

1. the shipped network as of --as-of: the OD matrix of all its stations (it has fewer than 500),
   and the criticality of every open segment over all station pairs (against the naive way:
   close each segment, rebuild, recompute the matrix);
2. a generated continental network (benchmarks/continental.py, >= 200,000 stations and
   250,000 segments): the model build (fast path; the checked path through network_from_gdfs
   unless --skip-checked), then a 500 x 500 OD matrix by time:

   * ours: ``StateGraph`` build (the conversion, reported separately) + ``od_matrix``;
   * the same with 2 worker processes;
   * raw ``scipy.sparse.csgraph.dijkstra`` on the prebuilt CSR, same sources and batches, keeping
     only the destination columns (the practical limit);
   * networkx: ``single_source_dijkstra_path_length`` per source on the same state graph as a
     DiGraph, timed on --nx-sources sources and scaled linearly to 500 (stated in the table);
   * peak memory of ours, traced with tracemalloc in a separate run, and the process's peak RSS.

Prints Markdown tables and writes them to --out::

    python benchmarks/bench_od.py --out benchmarks/od_results.md
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import resource
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy
from scipy.sparse.csgraph import dijkstra

from corridors import load_network, load_parameters, network_state
from corridors.criticality import segment_criticality
from corridors.od import od_matrix
from corridors.stategraph import StateGraph

sys.path.insert(0, str(Path(__file__).parent))
from continental import build_network_checked, build_network_fast, generate


def clock(fn: Any, *a: Any, **k: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t


def nx_graph(g: StateGraph) -> nx.DiGraph:
    coo = g.csr.tocoo()
    G = nx.DiGraph()
    G.add_nodes_from(range(g.n_nodes))
    G.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True))
    return G


def nx_od(G: nx.DiGraph, g: StateGraph, origins: list[str], dests: list[str]) -> np.ndarray:
    idx = {s: k for k, s in enumerate(g.stations)}
    out = np.full((len(origins), len(dests)), np.inf)
    for i, o in enumerate(origins):
        src = int(g.source_node[idx[o]])
        dist = nx.single_source_dijkstra_path_length(G, src, weight="weight") if src >= 0 else {}
        for j, d in enumerate(dests):
            k = idx[d]
            vals = [dist.get(s, math.inf) for s in range(int(g.station_ptr[k]), int(g.station_ptr[k + 1]))]
            out[i, j] = 0.0 if o == d else min(vals, default=math.inf)
    return out


def raw_scipy(g: StateGraph, origins: list[str], dests: list[str]) -> np.ndarray:
    """Raw csgraph.dijkstra on the prebuilt CSR: same sources and batch size, destination columns kept."""
    idx = {s: k for k, s in enumerate(g.stations)}
    src = np.array([g.source_node[idx[o]] for o in origins])
    src = src[src >= 0]  # stations no segment reaches have nothing to search
    has = [g.station_ptr[idx[d] + 1] > g.station_ptr[idx[d]] for d in dests]
    # a destination's first state
    cols = np.array([g.station_ptr[idx[d]] for d, h in zip(dests, has, strict=True) if h])
    batch = g.batch_size()
    out = np.empty((len(src), len(cols)))
    for i in range(0, len(src), batch):
        out[i : i + batch] = dijkstra(g.csr, directed=True, indices=src[i : i + batch])[:, cols]
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 28))
    parser.add_argument("--stations", type=int, default=200_000)
    parser.add_argument("--segments", type=int, default=250_000)
    parser.add_argument("--od", type=int, default=500, help="origins = destinations of the continental OD matrix")
    parser.add_argument("--nx-sources", type=int, default=40, help="networkx sources timed (scaled to --od)")
    parser.add_argument("--by", default="time")
    parser.add_argument("--skip-checked", action="store_true", help="skip the network_from_gdfs build")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    params = load_parameters()
    md: list[str] = [
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"networkx {nx.__version__}; {platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores.",
        "",
    ]

    # ---------------------------------------------------------------- shipped network
    full = load_network()
    net = network_state(full, as_of=args.as_of).network  # the rail network (the default modes)
    ids = list(net.stations["id"])
    g, conv = clock(StateGraph, net, params, by=args.by)
    _, search = clock(g.od_matrix, ids, ids)
    ours = conv + search
    G, nx_build = clock(nx_graph, g)
    nx_m, nx_t = clock(nx_od, G, g, ids, ids)
    ref = g.od_matrix(ids, ids).to_numpy()
    assert np.allclose(np.where(np.isfinite(ref), ref, -1), np.where(np.isfinite(nx_m), nx_m, -1))
    _, raw = clock(raw_scipy, g, ids, ids)
    crit, crit_t = clock(segment_criticality, net, by=args.by, params=params)
    t = time.perf_counter()
    for seg in net.segments["id"]:
        od_matrix(network_state(full, as_of=args.as_of, close_segments=[seg]).network, by=args.by, params=params)
    naive_t = time.perf_counter() - t
    n = len(ids)
    md += [
        f"### Shipped network as of {args.as_of}: {n} stations, {len(net.segments)} open segments, by {args.by}",
        "",
        f"State graph: {g.n_states} states, {g.n_nodes} nodes, {g.csr.nnz} arcs.",
        "",
        "| work | time | ratio |",
        "|---|---:|---:|",
        f"| OD {n} x {n}, ours (conversion included) | {1000 * ours:.1f} ms | 1 |",
        f"| &nbsp; of which conversion (StateGraph build) | {1000 * conv:.1f} ms | |",
        f"| OD {n} x {n}, raw scipy dijkstra on the prebuilt CSR | {1000 * raw:.1f} ms "
        f"| ours / raw = {ours / raw:.2f} |",
        f"| OD {n} x {n}, networkx Dijkstra per source (all {n} sources) | {1000 * nx_t:.1f} ms "
        f"| networkx / ours = {nx_t / ours:.1f} |",
        f"| criticality of all {len(net.segments)} segments over all {crit.attrs['pairs']:,} pairs | {crit_t:.2f} s "
        f"| {int(crit['bridge'].sum())} bridges (single-gauge ones need no search) |",
        f"| same, naive: close each segment, rebuild, recompute the matrix | {naive_t:.2f} s "
        f"| naive / ours = {naive_t / crit_t:.1f} |",
        "",
    ]
    print("\n".join(md), flush=True)
    del G

    # ---------------------------------------------------------------- continental network
    (st, sg, countries), gen_t = clock(generate, args.stations, args.segments)
    cont, fast_t = clock(build_network_fast, st, sg, countries)
    checked_t = None
    if not args.skip_checked:
        checked, checked_t = clock(build_network_checked, st, sg, countries)
        a = checked.segments["length_geodesic_km"].to_numpy()
        b = cont.segments["length_geodesic_km"].to_numpy()
        assert np.allclose(a, b, rtol=1e-12), "fast and checked builds differ"
        del checked
        gc.collect()
    rng = np.random.default_rng(3)
    chosen = list(rng.choice(cont.stations["id"].to_numpy(), args.od, replace=False))
    gc.collect()
    g, conv = clock(StateGraph, cont, params, by=args.by)
    m, search = clock(g.od_matrix, chosen, chosen)
    ours = conv + search
    m2, search2 = clock(g.od_matrix, chosen, chosen, workers=2)
    assert np.array_equal(m.to_numpy(), m2.to_numpy())
    raw_m, raw = clock(raw_scipy, g, chosen, chosen)
    single = np.array([g.station_ptr[k + 1] - g.station_ptr[k] == 1 for k in g.index.get_indexer(chosen)])
    ours_m = m.to_numpy()
    assert np.allclose(ours_m[:, single], raw_m[:, single]), "ours and raw scipy differ"
    G, nx_build = clock(nx_graph, g)
    k = args.nx_sources
    nx_m, nx_t = clock(nx_od, G, g, chosen[:k], chosen)
    assert np.allclose(nx_m, ours_m[:k]), "networkx and ours differ"
    nx_scaled = nx_t * args.od / k
    del G
    gc.collect()
    tracemalloc.start()
    g3 = StateGraph(cont, params, by=args.by)
    g3.od_matrix(chosen, chosen)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    unreachable = float(np.isinf(ours_m).mean())
    md2 = [
        f"### Continental network (generated): {len(cont.stations):,} stations, {len(cont.segments):,} segments, "
        f"{args.od} x {args.od} OD by {args.by}",
        "",
        f"State graph: {g.n_states:,} states, {g.n_nodes:,} nodes, {g.csr.nnz:,} arcs; "
        f"{int(cont.stations['gauge_change'].map(bool).sum()):,} gauge-change stations, "
        f"{int((cont.segments['km_by_country'].map(len) > 1).sum()):,} border segments; "
        f"{100 * unreachable:.1f}% of OD pairs unreachable.",
        "",
        "| work | time | ratio |",
        "|---|---:|---:|",
        f"| generate the GeoDataFrames | {gen_t:.1f} s | |",
        f"| model build, fast path (`build_network_fast`) | {fast_t:.1f} s | |",
        (
            f"| model build, checked path (`network_from_gdfs`: validation, polygon km by country) "
            f"| {checked_t:.1f} s | |"
            if checked_t is not None
            else "| model build, checked path | skipped (--skip-checked) | |"
        ),
        f"| OD, ours (conversion included) | {ours:.2f} s | 1 |",
        f"| &nbsp; of which conversion (StateGraph build) | {conv:.2f} s | |",
        f"| &nbsp; of which searches and assembly | {search:.2f} s | |",
        f"| OD, ours with 2 worker processes (`workers=2`, conversion excluded) | {search2:.2f} s "
        f"| networkx / (this + conversion) = {nx_scaled / (conv + search2):.1f} |",
        f"| OD, raw scipy dijkstra on the prebuilt CSR | {raw:.2f} s | ours / raw = {ours / raw:.2f} "
        f"(without conversion {search / raw:.2f}) |",
        f"| OD, networkx Dijkstra per source: {k} sources timed ({nx_t:.1f} s), scaled x{args.od / k:g} "
        f"| {nx_scaled:.0f} s | networkx / ours = {nx_scaled / ours:.1f} |",
        f"| &nbsp; networkx DiGraph build (not in its time) | {nx_build:.1f} s | |",
        f"| peak memory of ours (tracemalloc: conversion + OD) | {peak / 2**20:.0f} MiB | |",
        f"| peak RSS of the whole benchmark process | {rss_mb():.0f} MiB | |",
        "",
    ]
    print("\n".join(md2), flush=True)
    if args.out:
        args.out.write_text("\n".join(md + md2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
