"""China <-> Iran transit hubs today and with the Five-Nation Railway Corridor open.

For every pair of a Chinese and an Iranian station (both directions) the best route is found on
three network states, and the share of routes passing through each country and station is
reported:

1. ``today``: the network as of --as-of (default: today);
2. ``five_nation_open``: the same with every segment of the ``five_nation`` corridor forced open,
   plus any segment needed to join its pieces (none in the shipped data);
3. ``five_nation_transloading`` (an ASSUMPTION, labelled as such in every output): as 2, plus a
   transloading facility at each station of the corridor where two gauges meet without one in
   the data, so trains can pass the corridor's breaks of gauge.

Writes to OUT: country_shares.csv, station_shares.csv, routes.csv, transit_shares.png and
summary.md; prints a short summary::

    python scripts/transit_hubs.py OUT [--as-of 2026-11-28] [--by time] [--force]
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

import networkx as nx
import pandas as pd

from corridors import load_network, load_parameters, network_as_of, network_from_gdfs
from corridors.hubs import best_routes, country_shares, station_shares
from corridors.network import Network, select_stations, with_modes
from corridors.output import atomic_folder, save_figure
from corridors.plot_analysis import plot_transit_shares
from corridors.pricing import CRITERIA

CORRIDOR = "five_nation"
FOCUS = ("TJK", "AFG")
LABELS = {
    "today": "today",
    "five_nation_open": "Five-Nation corridor open (gauges and facilities as in the data)",
    "five_nation_transloading": "Five-Nation corridor open + transloading assumed at {stations} (ASSUMPTION)",
}


def corridor_segments(net: Network, open_now: Network) -> tuple[list[str], list[str]]:
    """The corridor's segments, and the other unopened segments needed to join its pieces."""
    seg = net.segments
    ids = list(seg.loc[seg["corridors"].map(lambda cs: CORRIDOR in cs), "id"])
    terminals = set(seg.loc[seg["id"].isin(ids), "from"]) | set(seg.loc[seg["id"].isin(ids), "to"])
    open_ids = set(open_now.segments["id"]) | set(ids)
    g = nx.Graph()
    for rec in seg[["id", "from", "to", "length_geodesic_km"]].to_dict("records"):
        w = 0.0 if rec["id"] in open_ids else float(rec["length_geodesic_km"])
        if not g.has_edge(rec["from"], rec["to"]) or g[rec["from"]][rec["to"]]["weight"] > w:
            g.add_edge(rec["from"], rec["to"], weight=w, id=rec["id"])
    needed: list[str] = []
    while True:
        joined = nx.Graph([(a, b) for a, b, d in g.edges(data=True) if d["weight"] == 0.0])
        joined.add_nodes_from(terminals)
        part = nx.node_connected_component(joined, next(iter(sorted(terminals))))
        rest = terminals - part
        if not rest:
            return ids, needed
        dist, paths = nx.multi_source_dijkstra(g, part, weight="weight")
        target = min((t for t in rest if t in dist), key=lambda t: dist[t], default=None)
        if target is None:
            return ids, needed  # nothing in the data joins the pieces; the report says so
        for a, b in zip(paths[target][:-1], paths[target][1:], strict=True):
            if g[a][b]["weight"] > 0:
                needed.append(g[a][b]["id"])
                g[a][b]["weight"] = 0.0


def unserved_breaks(state: Network, stations: set[str]) -> list[str]:
    """Stations (among ``stations``) where segments of two gauges meet and there is no facility."""
    gauges: dict[str, set[str]] = {}
    for a, b, gauge in zip(state.segments["from"], state.segments["to"], state.segments["gauge"], strict=True):
        for s in (a, b):
            gauges.setdefault(s, set()).add(gauge)
    facility = dict(zip(state.stations["id"], state.stations["gauge_change"], strict=True))
    out = []
    for s in sorted(stations):
        plain = {g for g in gauges.get(s, set()) if g != "dual"}
        if len(plain) > 1 and not facility[s]:
            out.append(s)
    return out


def with_transloading(net: Network, stations: list[str]) -> Network:
    """A copy of the full network with a transloading facility at ``stations`` (an assumption)."""
    st = net.stations.copy()
    st["gauge_change"] = [
        sorted({*gc, "transloading"}) if sid in stations else list(gc)
        for sid, gc in zip(st["id"], st["gauge_change"], strict=True)
    ]
    return network_from_gdfs(st, net.segments, source=f"{net.source} + assumed transloading at {', '.join(stations)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date.today(), help="date of 'today' (YYYY-MM-DD)")
    parser.add_argument("--by", choices=CRITERIA, default="time", help="criterion of the best routes (default: time)")
    parser.add_argument("--force", action="store_true", help="replace the output folder")
    args = parser.parse_args()

    net = with_modes(load_network(), ["rail"])  # the rail network: the question is about rail transit
    params = load_parameters()
    today = network_as_of(net, args.as_of)
    corridor, connectors = corridor_segments(net, today)
    opened = network_as_of(net, args.as_of, open_segments=corridor + connectors)
    corridor_stations = set(net.segments.loc[net.segments["id"].isin(corridor), "from"]) | set(
        net.segments.loc[net.segments["id"].isin(corridor), "to"]
    )
    breaks = unserved_breaks(opened, corridor_stations)
    assumed = network_as_of(with_transloading(net, breaks), args.as_of, open_segments=corridor + connectors)
    states = {"today": today, "five_nation_open": opened, "five_nation_transloading": assumed}

    chn, irn = select_stations(today, countries=["CHN"]), select_stations(today, countries=["IRN"])
    names = dict(zip(net.stations["id"], net.stations["name"], strict=True))
    routes, countries, stations = [], {}, []
    for key, state in states.items():
        r = pd.concat(
            [
                best_routes(state, chn, irn, by=args.by, params=params),
                best_routes(state, irn, chn, by=args.by, params=params),
            ],
            ignore_index=True,
        )
        routes.append(r.assign(scenario=key))
        countries[key] = country_shares(r)
        stations.append(station_shares(state, r).assign(scenario=key))
    routes_df = pd.concat(routes, ignore_index=True)
    # the corridor in use: routes running on at least one of its segments that is not open today
    new = set(corridor + connectors) - set(today.segments["id"])
    reach = routes_df[routes_df["reachable"]]
    on_corridor = {
        k: int(reach.loc[reach["scenario"] == k, "segments"].map(lambda s: bool(set(s) & new)).sum()) for k in states
    }
    unit = {"distance": "km", "time": "h"}.get(args.by, params.cost_unit)
    kashgar_khaf = {
        k: best_routes(s, ["chn_kashgar"], ["irn_khaf"], by=args.by, params=params).iloc[0] for k, s in states.items()
    }

    def share(key: str, country: str) -> float:
        t = countries[key]
        return float(t.loc[country, "transit_share"]) if country in t.index else 0.0

    lines = [
        f"# China <-> Iran transit hubs, by {args.by}, network as of {args.as_of.isoformat()}",
        "",
        f"OD set: {len(chn)} Chinese x {len(irn)} Iranian stations, both directions ({2 * len(chn) * len(irn)} pairs).",
        f"Five-Nation corridor: {len(corridor)} segments forced open"
        + (
            f", plus {len(connectors)} to join them ({', '.join(connectors)})"
            if connectors
            else "; no other segment needed to join them"
        )
        + ".",
        "Breaks of gauge on the corridor without a gauge-change facility in the data: "
        + (", ".join(f"{names[s]} ({s})" for s in breaks) or "none")
        + ".",
        "ASSUMPTION in scenario 'five_nation_transloading': a transloading facility at each of them "
        "(none is announced in the data).",
        "",
        "| scenario | pairs connected | routes on new corridor track | Kashgar -> Khaf | TJK transit | AFG transit |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for key in states:
        kk = kashgar_khaf[key]
        via = "no route" if not kk["reachable"] else f"{kk['value']:,.0f} {unit} via {'-'.join(kk['countries'])}"
        connected = f"{countries[key].attrs['routes']} of {countries[key].attrs['pairs']}"
        lines.append(
            f"| {key} | {connected} | {on_corridor[key]} | {via} "
            f"| {100 * share(key, 'TJK'):.1f}% | {100 * share(key, 'AFG'):.1f}% |"
        )
    if on_corridor["five_nation_open"] == 0:
        lines += [
            "",
            "With the corridor's segments open but the data's gauges and facilities as they are, no China-Iran "
            "best route uses it: trains cannot change gauge at "
            + " and ".join(names[s] for s in breaks)
            + ". Transit shares of Tajikistan and Afghanistan change only under the stated assumption.",
        ]

    with atomic_folder(args.out, force=args.force) as out:
        long = pd.concat(
            [
                t.reset_index().assign(scenario=k, assumption=(k == "five_nation_transloading"))
                for k, t in countries.items()
            ],
            ignore_index=True,
        )
        long.to_csv(out / "country_shares.csv", index=False)
        pd.concat(stations).reset_index().to_csv(out / "station_shares.csv", index=False)
        flat = routes_df.copy()
        for col in ("stations", "segments", "countries", "transit_countries", "km_by_country"):
            flat[col] = flat[col].map(json.dumps)
        flat.to_csv(out / "routes.csv", index=False)
        (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        fig, _ = plot_transit_shares(
            {LABELS[k].format(stations=" and ".join(names[s] for s in breaks)): v for k, v in countries.items()},
            highlight=FOCUS,
            title="China ↔ Iran by rail: transit countries of the best routes",
            subtitle=f"share of the best routes by {args.by} between {len(chn)} Chinese and {len(irn)} Iranian "
            f"stations that cross each country\n(connected pairs, both directions); network as of {args.as_of}",
        )
        save_figure(fig, out / "transit_shares.png", dpi=200)

    print("\n".join(lines))
    print(f"\nwritten to {args.out}/")


if __name__ == "__main__":
    main()
