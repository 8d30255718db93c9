"""Calibrate the service profiles on published transit times (issue 15).

Routes every published figure of the calibration file on the network of its year, fits each
service's speed and border-dwell factors (bounded least squares on the log time error against the
figure's midpoint), and prints the error per figure in sample and leave-one-out, the medians per
service and overall, and the figures skipped with the reason::

    python scripts/calibrate.py [--figures geodata/calibration.csv] [--params FILE] [--csv OUT.csv] [--write]

``--write`` stores the fitted factors of every service with at least three figures in the
parameters file's ``[service.*]`` tables, with the date, the number of figures and the errors in
``calibration_note``. Nothing is written without ``--write``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from corridors import load_network, load_parameters
from corridors.calibration import calibrate, load_figures, write_factors
from corridors.data import get_path
from corridors.output import atomic_file


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--figures", type=Path, default=get_path("calibration.csv"), help="calibration CSV")
    ap.add_argument("--params", type=Path, default=get_path("parameters.toml"), help="parameters file")
    ap.add_argument("--data", type=Path, default=None, help="network folder (the shipped one by default)")
    ap.add_argument("--csv", type=Path, default=None, help="write the per-figure table here")
    ap.add_argument("--write", action="store_true", help="store the fitted factors in the parameters file")
    args = ap.parse_args(argv)

    net = load_network(args.data)
    params = load_parameters(args.params)
    figures = load_figures(args.figures)
    cal = calibrate(net, params, figures)
    pd.set_option("display.width", 200)
    cols = ["id", "service", "published_h", "model_h_before", "model_h_fitted", "error_fitted", "error_loo", "km_model"]
    print(cal.table[cols].round(3).to_string(index=False))
    print(f"\nskipped {len(cal.skipped)} of {len(figures)} figures:")
    for rec in cal.skipped.to_dict("records"):
        print(f"  {rec['id']}: {rec['reason'][:160]}")
    print("\nper service (median |error|):")
    print(cal.summary().round(3).to_string())
    print(
        f"\nall {len(cal.table)} routed figures: median |error| {cal.median_error_before:.0%} before, "
        f"{cal.median_error_fitted:.0%} fitted, {cal.median_error_loo:.0%} leave-one-out"
    )
    if args.csv:
        with atomic_file(args.csv, force=True) as tmp:
            cal.table.to_csv(tmp, index=False)
        print(f"wrote {args.csv}")
    if args.write:
        text = write_factors(args.params, cal, figures_file=args.figures.name)
        with atomic_file(args.params, force=True) as tmp:
            tmp.write_text(text, encoding="utf-8")
        load_parameters(args.params)  # the file still loads
        print(f"wrote the fitted factors of {', '.join(cal.fitted) or 'no service'} into {args.params}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
