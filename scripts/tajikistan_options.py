"""Tajikistan's options: Dushanbe to the Gulf through Afghanistan against through Uzbekistan and
Turkmenistan, and what the Five-Nation corridor would mean for Tajikistan as a transit country.

Writes the options report and a transit table and chart to OUT:

    python scripts/tajikistan_options.py OUT [--force]
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from corridors import NoRouteError, load_network
from corridors.data import get_path
from corridors.options import load_options
from corridors.output import atomic_folder, save_figure
from corridors.report import build_report, write_report
from corridors.scenario import Scenario, load_scenario, shipped_scenarios
from corridors.state import network_state

#: East–west pairs whose best routes could cross Tajikistan (China to Iran).
ORIGINS = ["chn_kashgar", "chn_urumqi"]
DESTINATIONS = ["irn_mashhad", "irn_bandar_abbas", "irn_tehran"]


def transit(net, scenarios) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """Share of each China–Iran best route's km in Tajikistan and Afghanistan, per scenario."""
    rows = []
    for label, s in scenarios.items():
        router = network_state(net, scenario=s)
        for o in ORIGINS:
            for d in DESTINATIONS:
                try:
                    r = router.route(o, d, by="time")
                except NoRouteError:
                    rows.append({"scenario": label, "origin": o, "destination": d, "connected": False})
                    continue
                rows.append(
                    {
                        "scenario": label,
                        "origin": o,
                        "destination": d,
                        "connected": True,
                        "days": round(r.hours / 24, 1),
                        "km": round(r.km),
                        "km_TJK": round(r.km_by_country.get("TJK", 0.0)),
                        "km_AFG": round(r.km_by_country.get("AFG", 0.0)),
                        "transits_TJK": "TJK" in r.km_by_country,
                        "transits_AFG": "AFG" in r.km_by_country,
                        "countries": ";".join(r.km_by_country),
                    }
                )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--force", action="store_true", help="replace the output folder")
    args = parser.parse_args()

    net = load_network()
    of = load_options(get_path("options/tajikistan_gulf.toml"), net)
    rep = build_report(net, of, command=f"python scripts/tajikistan_options.py {args.out}")
    files = shipped_scenarios()
    scenarios = {
        f"today ({date(2026, 11, 28)})": Scenario(name="today", as_of=date(2026, 11, 28)),
        "Five-Nation built (2035)": load_scenario(files["five_nation_built"], net),
    }
    table = transit(net, scenarios)
    with atomic_folder(args.out, force=args.force) as out:
        write_report(rep, net, out / "dushanbe_to_the_gulf", dpi=150)
        table.to_csv(out / "tajikistan_transit.csv", index=False)
        shares = table[table["connected"]].groupby("scenario")[["transits_TJK", "transits_AFG"]].mean() * 100
        fig, ax = plt.subplots(figsize=(7, 3.8))
        shares.rename(columns={"transits_TJK": "through Tajikistan", "transits_AFG": "through Afghanistan"}).plot.bar(
            ax=ax, color=["#0072B2", "#D55E00"], rot=0
        )
        ax.set_ylabel("share of China–Iran best routes (%)")
        ax.set_ylim(0, 100)
        ax.set_xlabel("")
        ax.set_title("Transit through Tajikistan and Afghanistan, China → Iran pairs", loc="left", fontweight="bold")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(frameon=False)
        save_figure(fig, out / "tajikistan_transit.png", dpi=150)
    print(f"Tajikistan's options; written to {args.out}/")
    for v in rep.verdicts:
        print(f"  - {v}")
    for label, g in table[table["connected"]].groupby("scenario"):
        n = len(g)
        print(
            f"  {label}: {int(g['transits_TJK'].sum())} of {n} China–Iran best routes cross Tajikistan, "
            f"{int(g['transits_AFG'].sum())} cross Afghanistan"
        )


if __name__ == "__main__":
    main()
