"""Print how well segment geometry agrees with documented lengths.

For the segments carrying a documented ``length_km``: the median ratio geodesic length /
documented length and the share off by more than 15 % (target after tracing along OpenStreetMap:
median >= 0.97, at most 10 % off).

Usage::

    python scripts/measure_geometry.py [DATA] [--mode rail|road|ferry|sea|all]   # DATA: default geodata/
"""

from __future__ import annotations

import argparse
import logging

from corridors.network import load_network
from corridors.trace import length_agreement


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="?", default=None, help="network folder or .gpkg (default: the shipped geodata/)")
    ap.add_argument("--list", action="store_true", help="also list the segments off by more than 15 %%")
    ap.add_argument("--mode", default="rail", help="measure segments of this mode (default rail; 'all' for every mode)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    net = load_network(args.data)
    segs = net.segments if args.mode == "all" else net.segments[net.segments["mode"] == args.mode]
    m = length_agreement(segs)
    print(
        f"{m['n']} {args.mode} segments with a documented length: median geometry/documented {m['median_ratio']:.3f}, "
        f"{m['share_off'] * 100:.0f} % off by more than 15 %"
    )
    if args.list:
        sg = segs[segs["length_km"].notna()]
        for _, r in sg.iterrows():
            ratio = r["length_geodesic_km"] / r["length_km"]
            if abs(ratio - 1) > 0.15:
                print(f"  {r['id']:<40} {r['length_geodesic_km']:7.1f} km vs {r['length_km']:g} km ({ratio:.2f})")


if __name__ == "__main__":
    main()
