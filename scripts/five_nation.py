"""The Five-Nation corridor: China (Kashgar) to Iran (Mashhad, Bandar Abbas) through
Kyrgyzstan–Tajikistan–Afghanistan against the routes through Kazakhstan/Uzbekistan/Turkmenistan,
over time.

Writes the comparison report (tables, maps, chart over time) for both destinations to OUT:

    python scripts/five_nation.py OUT [--force]
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from corridors import load_network
from corridors.options import Option, OptionsFile
from corridors.output import atomic_folder
from corridors.report import build_report, write_report
from corridors.scenario import load_scenario, shipped_scenarios

DATES = (date(2026, 11, 28), date(2031, 1, 1), date(2035, 1, 1))


def options_for(net, destination: str) -> tuple[Option, ...]:  # type: ignore[no-untyped-def]
    files = shipped_scenarios()
    cku = load_scenario(files["cku_open"], net)
    fnrc = load_scenario(files["five_nation_built"], net)
    return (
        Option("Via Kazakhstan (existing)", "chn_kashgar", destination, via=("kaz_almaty",)),
        Option(
            "Via Kyrgyzstan and Uzbekistan (CKU railway)",
            "chn_kashgar",
            destination,
            via=("kgz_jalal_abad",),
            avoid_countries=("KAZ", "AFG"),
            scenario=cku,
        ),
        Option(
            "Via Kyrgyzstan, Tajikistan, Afghanistan (Five-Nation)",
            "chn_kashgar",
            destination,
            within=("CHN", "KGZ", "TJK", "AFG", "IRN"),
            scenario=fnrc,
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--force", action="store_true", help="replace the output folder")
    args = parser.parse_args()

    net = load_network()
    reports = {}
    with atomic_folder(args.out, force=args.force) as out:
        for dest, name in (("irn_mashhad", "Mashhad"), ("irn_bandar_abbas", "Bandar Abbas")):
            of = OptionsFile(
                title=f"Kashgar to {name}: the Five-Nation corridor against the existing routes",
                description="Best rail route by transit time today, once the China–Kyrgyzstan–Uzbekistan railway "
                "opens (targeted 2030) and once the Five-Nation corridor is built (illustrative 2035).",
                options=options_for(net, dest),
                dates=DATES,
                start=date(2010, 1, 1),
                path=__file__,
            )
            rep = build_report(net, of, command=f"python scripts/five_nation.py {args.out}")
            write_report(rep, net, out / f"kashgar_{name.lower().replace(' ', '_')}", dpi=150)
            reports[name] = rep
    print(f"Five-Nation corridor against the existing routes; written to {args.out}/")
    for name, rep in reports.items():
        print(f"Kashgar → {name}:")
        for v in rep.verdicts:
            print(f"  - {v}")


if __name__ == "__main__":
    main()
