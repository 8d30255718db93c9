"""What each opening of the Khaf–Herat railway changes, section by section.

Runs the shipped scenarios before_khaf_herat -> khaf_herat_1_3 -> khaf_herat_complete for Mashhad,
Herat, Bandar Abbas and onward to Mazar-i-Sharif, and writes tables and figures to OUT:

    python scripts/khaf_herat_sections.py OUT [--force]
"""

from __future__ import annotations

import argparse
import itertools
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely import box

from corridors import load_network
from corridors.charts import plot_timeline
from corridors.output import atomic_folder, save_figure
from corridors.plot import map_extent, plot_comparison, plot_routes
from corridors.scenario import OD, apply_scenario, load_scenario, shipped_scenarios
from corridors.state import network_state
from corridors.timeline import compare_scenarios, scenario_diff, timeline

PAIRS = [
    OD("irn_mashhad", "afg_herat", "Mashhad → Herat"),
    OD("irn_mashhad", "afg_rozanak", "Mashhad → Rozanak (Herat province)"),
    OD("irn_bandar_abbas", "afg_herat", "Bandar Abbas → Herat"),
    OD("irn_mashhad", "afg_naibabad", "Mashhad → Mazar-i-Sharif (Naibabad)"),
    OD("afg_herat", "afg_naibabad", "Herat → Mazar-i-Sharif (Naibabad)"),
]
STAGES = ["before_khaf_herat", "khaf_herat_1_3", "khaf_herat_complete"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--force", action="store_true", help="replace the output folder")
    args = parser.parse_args()

    net = load_network()
    files = shipped_scenarios()
    stages = [load_scenario(files[k], net) for k in STAGES]
    table, found = compare_scenarios(net, stages, PAIRS)
    with atomic_folder(args.out, force=args.force) as out:
        table.to_csv(out / "routes_by_stage.csv", index=False)
        diffs = [
            scenario_diff(net, a, b, pairs=PAIRS).assign(step=f"{a.name} -> {b.name}")
            for a, b in itertools.pairwise(stages)
        ]
        pd.concat(diffs, ignore_index=True).to_csv(out / "changes_by_opening.csv", index=False)
        last = stages[-1]
        t = timeline(network_state(net, scenario=last), PAIRS, date(2019, 1, 1), last.date)
        t.to_csv(out / "timeline.csv", index=False)
        fig, _ = plot_timeline(t, metric="days", end=last.date, title="Khaf–Herat: best rail route over time")
        save_figure(fig, out / "timeline.png", dpi=200)
        nets = [apply_scenario(net, s) for s in (stages[0], stages[-1])]
        # Eastern Iran, Afghanistan and the Turkmen/Uzbek border, where the changes are.
        extent = map_extent(gpd.GeoSeries([box(55.5, 29.0, 70.5, 40.0)], crs="EPSG:4326"), margin=0.0, aspect=1.0)
        fig, _ = plot_comparison(
            nets,
            [f"{stages[0].name} ({stages[0].date})", f"{last.name} ({last.date})"],
            as_of=[stages[0].date, last.date],
            suptitle="Khaf–Herat railway: what opens",
            extent=extent,
            max_labels=25,
        )
        save_figure(fig, out / "before_after.png", dpi=200)
        routes = [found[(last.name, od.label)] for od in PAIRS if (last.name, od.label) in found]
        fig, _ = plot_routes(
            nets[-1],
            routes,
            names=[od.label for od in PAIRS if (last.name, od.label) in found],
            as_of=last.date,
            title="Routes with Khaf–Herat complete",
        )
        save_figure(fig, out / "routes_complete.png", dpi=200)

    print(f"Khaf–Herat, section by section (by time); written to {args.out}/")
    for od in PAIRS:
        cells = []
        for s in stages:
            r = found.get((s.name, od.label))
            cells.append(f"{r.km:,.0f} km / {r.hours / 24:.1f} d" if r else "not connected")
        print(f"  {od.label:40s} " + "  ->  ".join(cells))


if __name__ == "__main__":
    main()
