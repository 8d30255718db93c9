"""Segment criticality: how much worse every pair gets when one segment is lost."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

import networkx as nx
import numpy as np
import pandas as pd

from corridors.network import Network
from corridors.params import Parameters
from corridors.schema import segment_carriers
from corridors.stategraph import RTOL, FloatArray, IntArray, Progress, StateGraph, close_or_less

__all__ = ["segment_criticality"]

log = logging.getLogger(__name__)


def _dfs_intervals(g: nx.Graph) -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
    """Preorder number, subtree size and parent of every node in a DFS forest of ``g``."""
    pre: dict[str, int] = {}
    size: dict[str, int] = {}
    parent: dict[str, str] = {}
    counter = 0
    for root in g.nodes:
        if root in pre:
            continue
        pre[root] = counter
        counter += 1
        stack: list[tuple[str, Iterator[str]]] = [(root, iter(g[root]))]
        while stack:
            node, it = stack[-1]
            child = next((c for c in it if c not in pre), None)
            if child is None:
                stack.pop()
                size[node] = counter - pre[node]
                continue
            parent[child] = node
            pre[child] = counter
            counter += 1
            stack.append((child, iter(g[child])))
    return pre, size, parent


def segment_criticality(
    net: Network,
    origins: Iterable[str] | None = None,
    destinations: Iterable[str] | None = None,
    *,
    by: str = "distance",
    params: Parameters | None = None,
    progress: Progress | None = None,
    graph: StateGraph | None = None,
) -> pd.DataFrame:
    """How much each segment matters: the effect of closing it on a set of OD pairs.

    For every segment of the network state, the OD pairs (origin != destination, in both
    directions) that lose their last route, and the increase of the criterion summed over the
    pairs that keep one. The base matrix is computed once; a segment is "closed" by setting its
    arcs to infinity (or to a parallel segment's weight) in the sparse matrix and restoring them
    after, and only the origins whose shortest paths can use it (an arc ``a -> b`` of the segment
    with ``D[s, a] + w = D[s, b]``) are searched again. A segment that is a bridge of the network
    (single gauge, no parallel segment) needs no search: the pairs it separates are counted from
    the two sides of the network, and no other pair changes.

    Parameters
    ----------
    net
        A network state (e.g. from :func:`corridors.network_as_of`); not modified.
    origins
        Station ids or names; every station when None.
    destinations
        Station ids or names; the origins when None. The OD set is every origin-destination pair
        of two different stations.
    by
        ``distance`` (km), ``time`` (h), ``cost`` or ``generalized``.
    params
        Routing parameters; the shipped ones by default.
    progress
        Called with (segments done, segments) as the work advances.

    Returns
    -------
    pandas.DataFrame
        One row per segment, most critical first: ``rank``, ``segment``, ``name``, ``from``,
        ``to``, ``gauge``, ``bridge`` (its closure splits the network in two),
        ``pairs_disconnected``, ``pairs_longer`` (still connected,
        longer), ``added`` (sum of the increases, in the criterion's unit) and ``added_mean``
        (per pair made longer). Ranked by pairs disconnected, then added. ``attrs`` holds
        ``by``, ``unit``, ``pairs`` (OD pairs considered) and ``pairs_connected``.

    Raises
    ------
    StationNotFoundError
        For an unknown station name.

    Examples
    --------
    >>> from datetime import date
    >>> from corridors import load_network, network_state
    >>> from corridors.network import select_stations
    >>> net = network_state(load_network(), as_of=date(2026, 11, 28)).network  # rail only
    >>> tjk = select_stations(net, countries=["TJK"])
    >>> t = segment_criticality(net, tjk)
    >>> t.iloc[0]["pairs_disconnected"] > 0 and t.attrs["pairs"] == len(tjk) * (len(tjk) - 1)
    True
    """
    g = graph if graph is not None else StateGraph(net, params, by=by)
    o_ids, d_ids = g.od_ids(origins, destinations)
    orig_idx = g.index.get_indexer(o_ids).astype(np.int64)
    dest_idx = g.index.get_indexer(d_ids).astype(np.int64)
    plan = g.dest_plan(dest_idx)
    n_seg = len(g.segments)
    valid = orig_idx[:, None] != dest_idx[None, :]

    # bridges of the station multigraph: single-gauge segments with no parallel segment
    seg = net.segments
    simple = nx.Graph()
    simple.add_nodes_from(g.stations)
    for sid, a, b in zip(g.segments, seg["from"].tolist(), seg["to"].tolist(), strict=True):
        if simple.has_edge(a, b):
            simple[a][b]["segments"].append(sid)
        else:
            simple.add_edge(a, b, segments=[sid])
    modes_gauges = zip(g.prices.modes, seg["gauge"], strict=True)
    carriers = dict(zip(g.segments, (segment_carriers(m, x) for m, x in modes_gauges), strict=True))
    pre, size, parent = _dfs_intervals(simple)
    shortcut: dict[int, tuple[int, int]] = {}  # segment -> (preorder, size) of the far side
    bridges: set[int] = set()
    seg_pos = {s: k for k, s in enumerate(g.segments)}
    for a, b in nx.bridges(simple):
        parallel = simple[a][b]["segments"]
        if len(parallel) > 1:
            continue
        sid = parallel[0]
        bridges.add(seg_pos[sid])
        if len(carriers[sid]) == 1:  # dual gauge: a train may cross and come back changed
            child = b if parent.get(b) == a else a
            shortcut[seg_pos[sid]] = (pre[child], size[child])
    pre_o = np.array([pre.get(s, -1) for s in o_ids])
    pre_d = np.array([pre.get(s, -1) for s in d_ids])

    # a segment's CSR entries and their weight without it (a parallel segment's, or inf)
    by_entry: dict[int, list[tuple[float, int]]] = {}
    for e, w, s in zip(g.arc_entry.tolist(), g.arc_weight.tolist(), g.arc_segment.tolist(), strict=True):
        by_entry.setdefault(e, []).append((w, s))
    order = np.argsort(g.arc_segment, kind="stable")
    arc_seg_sorted = g.arc_segment[order]
    seg_start = np.searchsorted(arc_seg_sorted, np.arange(n_seg + 1))
    arcs_of = [order[seg_start[k] : seg_start[k + 1]] for k in range(n_seg)]

    def without(k: int) -> tuple[IntArray, FloatArray]:
        entries = np.unique(g.arc_entry[arcs_of[k]])
        new = np.array([min((w for w, s in by_entry[int(e)] if s != k), default=np.inf) for e in entries.tolist()])
        return entries, new

    disconnected = np.zeros(n_seg, dtype=np.int64)
    longer = np.zeros(n_seg, dtype=np.int64)
    added = np.zeros(n_seg)
    total_pairs = int(valid.sum())
    pairs_connected = 0
    src_all = g.source_node[orig_idx]
    batch = g.batch_size()
    data = g.csr.data
    done_segments = 0
    n_batches = max(1, -(-len(orig_idx) // batch))
    for start in range(0, len(orig_idx), batch):
        rows_idx = np.arange(start, min(start + batch, len(orig_idx)))
        src = src_all[rows_idx]
        ok = src >= 0
        rows = np.full((len(rows_idx), g.n_nodes), np.inf)
        rows[ok] = g.rows(src[ok])
        base = g.od_from_rows(rows, plan)
        vmask = valid[rows_idx]
        finite = np.isfinite(base) & vmask
        pairs_connected += int(finite.sum())
        # which origins' shortest paths can use which segment
        da, db = rows[:, g.arc_src], rows[:, g.arc_dst]
        with np.errstate(invalid="ignore"):
            tight = np.isfinite(da) & close_or_less(da + g.arc_weight, db)
        seg_tight = np.zeros((len(rows_idx), n_seg), dtype=bool)
        if n_seg:  # every segment has at least two arcs (one each way), so no group is empty
            seg_tight = np.logical_or.reduceat(tight[:, order], seg_start[:-1], axis=1)
        for k in range(n_seg):
            if k in shortcut:
                p0, sz = shortcut[k]
                in_o = (pre_o >= p0) & (pre_o < p0 + sz)
                in_d = (pre_d >= p0) & (pre_d < p0 + sz)
                cross = in_o[rows_idx][:, None] != in_d[None, :]
                disconnected[k] += int((finite & cross).sum())
            else:
                affected = np.flatnonzero(seg_tight[:, k] & ok)
                if len(affected):
                    entries, new = without(k)
                    saved = data[entries].copy()
                    data[entries] = new
                    try:
                        after = g.od_from_rows(g.rows(src[affected]), plan)
                    finally:
                        data[entries] = saved
                    before = base[affected]
                    fin = finite[affected]
                    lost = fin & ~np.isfinite(after)
                    still = fin & np.isfinite(after)
                    inc = np.where(still, after, 0.0) - np.where(still, before, 0.0)
                    inc[inc <= RTOL * np.maximum(1.0, np.abs(np.where(still, before, 0.0)))] = 0.0
                    disconnected[k] += int(lost.sum())
                    longer[k] += int((inc > 0).sum())
                    added[k] += float(inc.sum())
            if progress and n_batches == 1:
                done_segments += 1
                progress(done_segments, n_seg)
        if progress and n_batches > 1:
            progress(min(start + batch, len(orig_idx)) * n_seg // len(orig_idx), n_seg)

    df = pd.DataFrame(
        {
            "segment": g.segments,
            "name": seg["name"].fillna("").tolist() if "name" in seg else [""] * n_seg,
            "from": seg["from"].tolist(),
            "to": seg["to"].tolist(),
            "gauge": seg["gauge"].tolist(),
            "bridge": [k in bridges for k in range(n_seg)],
            "pairs_disconnected": disconnected,
            "pairs_longer": longer,
            "added": added,
            "added_mean": np.where(longer > 0, added / np.maximum(longer, 1), 0.0),
        }
    )
    df = df.sort_values(["pairs_disconnected", "added"], ascending=False, kind="stable").reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    df.attrs.update(by=by, unit=g.unit, pairs=total_pairs, pairs_connected=pairs_connected, network=net.description)
    log.info(
        "criticality of %d segments over %d OD pairs (%d bridges counted without search)",
        n_seg,
        total_pairs,
        len(shortcut),
    )
    return df
