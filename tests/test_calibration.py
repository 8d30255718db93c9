"""Calibration recovers known factors from synthetic figures.

Fixture line (one degree of longitude = 111.3 km), borders between b|c and c|d::

    a ---- b ---- c ---- d
    AAA    AAA    BBB    CCC
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from conftest import COUNTRIES, PARAMS_TOML, line_network
from corridors import load_network, load_parameters
from corridors._errors import DataError
from corridors.calibration import COLUMNS, calibrate, decompose, load_figures, write_factors

SERVICE = """
[service.block_train]
speed_factor = 1.0
border_dwell_factor = 1.0
assumption = true
"""
PAIRS = [("a", "b"), ("a", "c"), ("a", "d"), ("b", "d"), ("c", "d"), ("b", "c")]


@pytest.fixture
def setup(tmp_path: Path) -> tuple[object, Path]:
    pos = {"a": (0.0, 0.0), "b": (1.0, 0.0), "c": (3.0, 0.0), "d": (5.0, 0.0)}
    folder = line_network(
        tmp_path / "net",
        [("ab", "a", "b", "1520"), ("bc", "b", "c", "1520"), ("cd", "c", "d", "1520")],
        pos,
        countries={"a": "AAA", "b": "AAA", "c": "BBB", "d": "CCC"},
    )
    pfile = tmp_path / "parameters.toml"
    pfile.write_text(PARAMS_TOML + SERVICE, encoding="utf-8")
    return load_network(folder, countries=COUNTRIES), pfile


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in COLUMNS})
    return path


def test_calibration_recovers_known_factors(setup: tuple, tmp_path: Path) -> None:
    net, pfile = setup
    params = load_parameters(pfile)
    rows: list[dict[str, object]] = [
        {"id": f"{o}{d}", "origin": o, "destination": d, "service": "block_train", "mode": "rail", "year": 2020}
        for o, d in PAIRS
    ]
    for r in rows:
        r["transit_days_min"] = r["transit_days_max"] = 1
    figs = load_figures(_write(tmp_path / "unit.csv", rows))
    routed, skipped = decompose(net, params, figs)
    assert not skipped and len(routed) == len(PAIRS)
    speed, dwell = 1.6, 0.4  # the truth: T = run / 1.6 + 0.4 * dwell
    for r, row in zip(routed, rows, strict=True):
        days = (r.run / speed + dwell * r.dwell + r.fixed) / 24
        row["transit_days_min"] = days * 0.98
        row["transit_days_max"] = days * 1.02
    rows.append(
        {
            "id": "road",
            "origin": "a",
            "destination": "d",
            "service": "truck",
            "mode": "road",
            "transit_days_min": 1,
            "transit_days_max": 1,
        }
    )
    rows.append(
        {
            "id": "far",
            "origin": "Atlantis",
            "destination": "d",
            "service": "block_train",
            "mode": "rail",
            "transit_days_min": 1,
            "transit_days_max": 1,
            "via": "Khorgos;BBB",
        }
    )
    cal = calibrate(net, params, load_figures(_write(tmp_path / "synthetic.csv", rows)))
    s, d = cal.factors["block_train"]
    assert s == pytest.approx(speed, rel=1e-4) and d == pytest.approx(dwell, rel=1e-4)
    assert cal.median_error_fitted < 1e-6 and cal.median_error_loo < 1e-6
    assert dict(zip(cal.skipped["id"], cal.skipped["reason"], strict=True)) == {
        "road": "mode 'road' is not rail",
        "far": "'Atlantis' is not a station of the network",
    }
    text = write_factors(pfile, cal, on=date(2026, 12, 1))
    pfile.write_text(text, encoding="utf-8")
    written = load_parameters(pfile).raw["service"]["block_train"]
    assert written["speed_factor"] == pytest.approx(speed, abs=1e-3)
    assert written["calibrated"] == "2026-12-01" and "leave-one-out" in written["calibration_note"]


def test_load_figures_reports_the_line(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.csv", [{"id": "x", "transit_days_min": "two"}])
    with pytest.raises(DataError, match=r"line 2, transit_days_min: 'two' is not a number"):
        load_figures(bad)
    (tmp_path / "cols.csv").write_text("id,origin\nx,y\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing column"):
        load_figures(tmp_path / "cols.csv")


def test_shipped_calibration_file_loads() -> None:
    from corridors.data import get_path

    figs = load_figures(get_path("calibration.csv"))
    assert len(figs) >= 10 and all(f.hours > 0 for f in figs)
