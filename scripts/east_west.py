"""East–West: China to the western gateways, and Tajikistan's share of that transit, by scenario.

For every pair of a Chinese origin and a western gateway (the Turkish border at Kars, Kapıköy and Van,
the Georgian Black Sea ports Poti and Batumi, the Russian border at Iletsk), the best route by time
is found by rail and Caspian ferry on three network states: today, the China–Kyrgyzstan–Uzbekistan
railway open (scenario ``cku_open``) and the Five-Nation corridor built (``five_nation_built``,
illustrative). The share of routes through each country is reported, Tajikistan's first: is it a
transit hub between East and West? The comparison report of the options in
``geodata/options/east_west.toml`` is written beside it.

Writes to OUT: country_shares.csv (one row per scenario and country), routes.csv, summary.md and the
report folder ``report/``::

    python scripts/east_west.py OUT [--as-of 2026-11-30] [--force]
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pandas as pd

from corridors import load_network, network_state
from corridors.data import get_path
from corridors.hubs import best_routes, country_shares
from corridors.network import select_stations
from corridors.options import load_options
from corridors.output import atomic_folder
from corridors.report import build_report, write_report
from corridors.scenario import load_scenario, shipped_scenarios

GATEWAYS = ["tur_kars", "tur_kapikoy", "tur_van", "geo_poti", "geo_batumi", "rus_iletsk"]
SCENARIOS = {"today": None, "cku_open": "cku_open", "five_nation_built": "five_nation_built"}
MODES = ["rail", "ferry"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 30), help="date of 'today'")
    parser.add_argument("--force", action="store_true", help="replace an earlier output of this script")
    args = parser.parse_args()

    net = load_network()
    origins = select_stations(net, countries=["CHN"])
    dests = select_stations(net, GATEWAYS)
    rows, routes = [], []
    for label, scen_id in SCENARIOS.items():
        scenario = load_scenario(shipped_scenarios()[scen_id], net) if scen_id else None
        on = args.as_of if scenario is None else max(args.as_of, scenario.date)
        state = network_state(net, as_of=on, scenario=scenario, modes=MODES)
        r = best_routes(state.network, origins, dests, by="time", graph=state.state_graph("time"))
        shares = country_shares(r).reset_index()
        rows.append(shares.assign(scenario=label, as_of=on.isoformat()))
        routes.append(r.assign(scenario=label))
    table = pd.concat(rows, ignore_index=True)
    route_table = pd.concat(routes, ignore_index=True)

    def share(label: str, country: str) -> float:
        t = table[(table["scenario"] == label) & (table["country"] == country)]
        return float(t["transit_share"].iloc[0]) if len(t) else 0.0

    lines = [
        "# East–West: China to the western gateways by rail and Caspian ferry",
        "",
        f"{len(origins)} Chinese origins x {len(dests)} gateways ({', '.join(dests)}), best route by time.",
        "",
        "| scenario | as of | pairs connected | TJK transit | KAZ transit | IRN transit | AZE transit |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label in SCENARIOS:
        sub = route_table[route_table["scenario"] == label]
        on = table.loc[table["scenario"] == label, "as_of"].iloc[0]
        lines.append(
            f"| {label} | {on} | {int(sub['reachable'].sum())} of {len(sub)} | {share(label, 'TJK'):.0%} | "
            f"{share(label, 'KAZ'):.0%} | {share(label, 'IRN'):.0%} | {share(label, 'AZE'):.0%} |"
        )
    lines += [
        "",
        "Transit share: the share of connected pairs whose best route enters the country without starting or",
        "ending there. The Five-Nation scenario is illustrative (its segments are proposed; see the scenario file).",
    ]
    options = load_options(get_path("options/east_west.toml"), net)
    report = build_report(net, options, command="python scripts/east_west.py")
    with atomic_folder(args.out, force=args.force, command="python scripts/east_west.py") as tmp:
        table.to_csv(tmp / "country_shares.csv", index=False)
        route_table.drop(columns=["stations", "segments"]).to_csv(tmp / "routes.csv", index=False)
        (tmp / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        write_report(report, net, tmp / "report", dpi=150, xlsx=False)
    print("\n".join(lines))
    print(f"\nwritten to {args.out}/ (country_shares.csv, routes.csv, summary.md, report/)")


if __name__ == "__main__":
    main()
