"""Calibrate service profiles on published transit times, with leave-one-out cross-validation.

Published figures (``geodata/calibration.csv``: origin, destination, via places, service, mode,
transit days as a range, year, source) are routed on the network as it stood in the figure's
year, with the figure's service profile (:mod:`corridors.services`) at unit factors. A route's
hours split into running time ``R``, border dwell ``B`` and gauge-change time ``G``; with a speed
factor ``s`` and a dwell factor ``d`` the model's time is ``R / s + d * B + G``.

:func:`fit_service` finds the ``(s, d)`` that minimise the squared log error against the
figures' midpoints (bounded, :func:`scipy.optimize.least_squares`), re-routes with the fitted
factors (the fastest route can change) and fits again. :func:`calibrate` does that per service
and reports each figure's error, in sample and **leave-one-out** (the figure's error when the
factors are fitted on the other figures of its service only), and their medians.
``scripts/calibrate.py --write`` stores the fitted factors in the parameters file
(:func:`write_factors`), saying so in the service table.

Figures are skipped, with the reason, when their mode is not rail, their service is not a
profile of the parameters, or their origin or destination is not a station of the network;
via-places that are not stations (countries, lines) are ignored and listed.
"""

from __future__ import annotations

import csv
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from corridors._errors import DataError, StationNotFoundError
from corridors.network import Network, find_station
from corridors.params import Parameters
from corridors.state import network_state

__all__ = [
    "BOUNDS",
    "COLUMNS",
    "MIN_FIGURES",
    "Calibration",
    "PublishedFigure",
    "calibrate",
    "decompose",
    "fit_service",
    "load_figures",
    "write_factors",
]

log = logging.getLogger(__name__)

#: Columns of a calibration file, in order.
COLUMNS = (
    "id",
    "origin",
    "destination",
    "via",
    "service",
    "mode",
    "transit_days_min",
    "transit_days_max",
    "distance_km",
    "year",
    "includes",
    "source",
    "source_url",
    "notes",
)
#: Bounds of the fitted factors: (speed factor, border-dwell factor).
BOUNDS = ((0.3, 3.0), (0.02, 3.0))
#: A service is fitted (and written) only with at least this many routed figures.
MIN_FIGURES = 3


@dataclass(frozen=True)
class PublishedFigure:
    """One published transit time (a row of the calibration file)."""

    id: str
    origin: str
    destination: str
    via: tuple[str, ...]
    service: str
    mode: str
    days_min: float
    days_max: float
    distance_km: float | None
    year: int | None
    includes: str = ""
    source: str = ""
    source_url: str = ""

    @property
    def hours(self) -> float:
        """The midpoint of the published range, in hours."""
        return 12.0 * (self.days_min + self.days_max)


def _float(value: str, where: str, *, required: bool) -> float | None:
    value = value.strip()
    if not value:
        if required:
            msg = f"{where}: a number is required"
            raise DataError(msg)
        return None
    try:
        out = float(value)
    except ValueError:
        msg = f"{where}: {value!r} is not a number"
        raise DataError(msg) from None
    if not math.isfinite(out) or out < 0:
        msg = f"{where}: {value!r} must be a non-negative number"
        raise DataError(msg)
    return out


def load_figures(path: str | Path) -> list[PublishedFigure]:
    """Read a calibration file (CSV with :data:`COLUMNS`).

    Raises
    ------
    DataError
        If the file is missing, lacks a column, or a row has a malformed number or an empty
        ``id``; the message names the file, the row and the field.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        msg = f"{path}: calibration file not found"
        raise DataError(msg) from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        msg = f"{path}: missing column(s) {', '.join(missing)}"
        raise DataError(msg)
    out = []
    for n, row in enumerate(reader, start=2):
        where = f"{path}, line {n}"
        if not (row["id"] or "").strip():
            msg = f"{where}: empty id"
            raise DataError(msg)
        lo = _float(row["transit_days_min"], f"{where}, transit_days_min", required=True)
        hi = _float(row["transit_days_max"] or row["transit_days_min"], f"{where}, transit_days_max", required=True)
        year = _float(row["year"], f"{where}, year", required=False)
        assert lo is not None and hi is not None  # required
        if hi < lo:
            msg = f"{where}: transit_days_max {hi} is below transit_days_min {lo}"
            raise DataError(msg)
        out.append(
            PublishedFigure(
                id=row["id"].strip(),
                origin=row["origin"].strip(),
                destination=row["destination"].strip(),
                via=tuple(v.strip() for v in re.split(r"[;|]", row["via"] or "") if v.strip()),
                service=row["service"].strip(),
                mode=row["mode"].strip(),
                days_min=lo,
                days_max=hi,
                distance_km=_float(row["distance_km"], f"{where}, distance_km", required=False),
                year=int(year) if year is not None else None,
                includes=(row["includes"] or "").strip(),
                source=(row["source"] or "").strip(),
                source_url=(row["source_url"] or "").strip(),
            )
        )
    return out


def _place(net: Network, name: str) -> str | None:
    """A station for a place name: the name, else the part in brackets, else the part before them."""
    candidates = [name]
    m = re.match(r"^(.*?)\s*\((.*)\)\s*$", name)
    if m:
        candidates += [m.group(2), m.group(1)]
    for c in candidates:
        if not c:
            continue
        try:
            return find_station(net, c)
        except StationNotFoundError:
            continue
    return None


def _unit_service(params: Parameters, name: str) -> Parameters:
    """The service profile with its factors at 1 (its overrides kept)."""
    raw = dict(params.raw)
    services = dict(raw.get("service", {}))
    table = dict(services[name])
    for key in ("speed_factor", "border_dwell_factor"):
        table[key] = 1.0
    services[name] = table
    raw["service"] = services
    return replace(params, raw=raw).for_service(name)


@dataclass
class _Routed:
    figure: PublishedFigure
    run: float
    dwell: float
    fixed: float
    km: float
    stations: list[str]
    ignored_via: list[str]


def decompose(
    net: Network,
    params: Parameters,
    figures: Sequence[PublishedFigure],
    *,
    factors: dict[str, tuple[float, float]] | None = None,
) -> tuple[list[_Routed], list[dict[str, str]]]:
    """Route each usable figure and split its hours into running, border-dwell and fixed time.

    The route is the fastest with the figure's service at ``factors`` (speed, dwell; unit by
    default) on the network as it stood on 31 December of the figure's year (a service reported in
    a year ran on lines open that year; 1 July would drop services started late in it, such as the
    first Baku-Tbilisi-Kars train); the split is at unit factors. Returns the routed figures and the
    skipped ones with the reason.
    """
    factors = factors or {}
    known = set(params.raw.get("service", {}))
    routed: list[_Routed] = []
    skipped: list[dict[str, str]] = []
    states: dict[tuple[int | None, str], Any] = {}
    for f in figures:
        if f.mode != "rail":
            skipped.append({"id": f.id, "reason": f"mode {f.mode!r} is not rail"})
            continue
        if f.service not in known:
            skipped.append({"id": f.id, "reason": f"service {f.service!r} is not a profile of the parameters"})
            continue
        o, d = _place(net, f.origin), _place(net, f.destination)
        if o is None or d is None:
            missing = f.origin if o is None else f.destination
            skipped.append({"id": f.id, "reason": f"{missing!r} is not a station of the network"})
            continue
        vias = [(v, _place(net, v)) for v in f.via]
        via_ids = [s for _, s in vias if s is not None and s not in (o, d)]
        ignored = [v for v, s in vias if s is None]
        key = (f.year, f.service)
        if key not in states:
            unit = _unit_service(params, f.service)
            day = date(f.year, 12, 31) if f.year else date.today()
            states[key] = (network_state(net, as_of=day, params=unit), unit)
        state, unit = states[key]
        s, dw = factors.get(f.service, (1.0, 1.0))
        search = state
        if (s, dw) != (1.0, 1.0):
            scaled = state.prices.scaled(run_hours=1.0 / s, border_dwell=dw)
            search = replace(state, _graphs={})
            search.__dict__["prices"] = scaled
        r, why = search.route_or_reason(
            o, d, by="time", constraints=search.constraints(via=list(dict.fromkeys(via_ids)))
        )
        if r is None:
            skipped.append({"id": f.id, "reason": f"no route on {state.as_of.isoformat()}: {why}"})
            continue
        # the split at unit factors, from the unit state's prices of the segments used
        p = state.prices
        idx = [p.segments.index(sid) for sid in r.segments]
        run = float(p.run_hours[idx].sum())
        dwell = float(p.border_dwell_h[idx].sum())
        fixed = float(sum(g.time_h for g in r.gauge_changes))
        routed.append(_Routed(f, run, dwell, fixed, r.km, list(r.stations), ignored))
    return routed, skipped


def _predict(x: Any, run: Any, dwell: Any, fixed: Any) -> Any:
    return run / x[0] + x[1] * dwell + fixed


def _fit(
    run: np.ndarray[Any, Any], dwell: np.ndarray[Any, Any], fixed: np.ndarray[Any, Any], target: np.ndarray[Any, Any]
) -> tuple[float, float]:
    lo = np.log([BOUNDS[0][0], BOUNDS[1][0]])
    hi = np.log([BOUNDS[0][1], BOUNDS[1][1]])

    def resid(z: np.ndarray[Any, Any]) -> Any:
        return np.log(_predict(np.exp(z), run, dwell, fixed)) - np.log(target)

    if not np.any(dwell > 0):  # the dwell factor is not identified: keep it at 1
        res = least_squares(lambda z: resid(np.array([z[0], 0.0])), [0.0], bounds=(lo[:1], hi[:1]))
        return float(np.exp(res.x[0])), 1.0
    res = least_squares(resid, [0.0, 0.0], bounds=(lo, hi))
    return float(np.exp(res.x[0])), float(np.exp(res.x[1]))


def fit_service(routed: Sequence[_Routed]) -> tuple[float, float]:
    """The (speed factor, dwell factor) minimising squared log errors on routed figures (within :data:`BOUNDS`).

    Raises
    ------
    DataError
        Without figures.
    """
    if not routed:
        msg = "no figures to fit"
        raise DataError(msg)
    arr = np.array([[r.run, r.dwell, r.fixed, r.figure.hours] for r in routed], dtype=float)
    return _fit(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])


@dataclass
class Calibration:
    """The result of :func:`calibrate`.

    Attributes
    ----------
    factors
        Fitted (speed factor, border-dwell factor) per service; a service with fewer than
        :data:`MIN_FIGURES` figures keeps its current factors (and its "leave-one-out" error is
        then simply its error with those factors).
    table
        One row per routed figure: published and modelled hours, errors before, after and
        leave-one-out, the route's km against the published distance.
    skipped
        Figures not used and why.
    median_error_before, median_error_fitted, median_error_loo
        Median absolute percentage errors over every routed figure.
    """

    factors: dict[str, tuple[float, float]]
    table: pd.DataFrame
    skipped: pd.DataFrame
    median_error_before: float
    median_error_fitted: float
    median_error_loo: float
    n_figures: dict[str, int] = field(default_factory=dict)
    fitted: list[str] = field(default_factory=list)

    def summary(self) -> pd.DataFrame:
        """Median absolute errors per service: before, fitted and leave-one-out."""
        t = self.table.assign(**{c: self.table[c].abs() for c in ("error_before", "error_fitted", "error_loo")})
        out = t.groupby("service")[["error_before", "error_fitted", "error_loo"]].median()
        out.insert(0, "figures", t.groupby("service").size())
        out["speed_factor"] = [self.factors[s][0] for s in out.index]
        out["border_dwell_factor"] = [self.factors[s][1] for s in out.index]
        out["fitted"] = [s in self.fitted for s in out.index]
        return out


def calibrate(net: Network, params: Parameters, figures: Sequence[PublishedFigure], *, rounds: int = 2) -> Calibration:
    """Fit each service's speed and border-dwell factors on the figures, with leave-one-out errors.

    Parameters
    ----------
    net
        The network (all statuses); each figure is routed on the network of its year.
    params
        Parameters with the ``[service.*]`` profiles named in the figures.
    figures
        From :func:`load_figures`.
    rounds
        Fit, re-route with the fitted factors, fit again: this many fits.

    Returns
    -------
    Calibration

    Raises
    ------
    DataError
        If no figure can be routed.
    """
    routed, skipped = decompose(net, params, figures)
    if not routed:
        msg = f"none of the {len(figures)} figures could be routed"
        raise DataError(msg)
    services = sorted({r.figure.service for r in routed})
    current = {
        s: (
            float(params.raw["service"][s].get("speed_factor", 1.0)),
            float(params.raw["service"][s].get("border_dwell_factor", 1.0)),
        )
        for s in services
    }
    before = {r.figure.id: _predict(np.array(current[r.figure.service]), r.run, r.dwell, r.fixed) for r in routed}
    factors: dict[str, tuple[float, float]] = {}
    counts = {s: sum(r.figure.service == s for r in routed) for s in services}
    for _ in range(max(1, rounds)):
        factors = {
            s: fit_service([r for r in routed if r.figure.service == s]) if counts[s] >= MIN_FIGURES else current[s]
            for s in services
        }
        routed, skipped = decompose(net, params, figures, factors=factors)
    rows = []
    for s in services:
        group = [r for r in routed if r.figure.service == s]
        for i, r in enumerate(group):
            others = group[:i] + group[i + 1 :]
            loo = fit_service(others) if counts[s] >= MIN_FIGURES else current[s]
            fitted = _predict(np.array(factors[s]), r.run, r.dwell, r.fixed)
            held = _predict(np.array(loo), r.run, r.dwell, r.fixed)
            f = r.figure
            rows.append(
                {
                    "id": f.id,
                    "service": s,
                    "origin": r.stations[0],
                    "destination": r.stations[-1],
                    "published_h": f.hours,
                    "model_h_before": before.get(f.id, math.nan),
                    "model_h_fitted": fitted,
                    "model_h_loo": held,
                    "error_before": before.get(f.id, math.nan) / f.hours - 1,
                    "error_fitted": fitted / f.hours - 1,
                    "error_loo": held / f.hours - 1,
                    "km_model": r.km,
                    "km_published": f.distance_km,
                    "run_h": r.run,
                    "dwell_h": r.dwell,
                    "gauge_h": r.fixed,
                    "ignored_via": "; ".join(r.ignored_via),
                    "source": f.source,
                }
            )
    table = pd.DataFrame(rows)

    def med(col: str) -> float:
        return float(table[col].abs().median())

    out = Calibration(
        factors=factors,
        table=table,
        skipped=pd.DataFrame(skipped, columns=["id", "reason"]),
        median_error_before=med("error_before"),
        median_error_fitted=med("error_fitted"),
        median_error_loo=med("error_loo"),
        n_figures={s: int((table["service"] == s).sum()) for s in services},
        fitted=[s for s in services if counts[s] >= MIN_FIGURES],
    )
    log.info(
        "calibration: %d figures routed, %d skipped; median |error| %.0f %% before, %.0f %% fitted, %.0f %% LOO",
        len(table),
        len(out.skipped),
        100 * out.median_error_before,
        100 * out.median_error_fitted,
        100 * out.median_error_loo,
    )
    return out


def write_factors(path: str | Path, cal: Calibration, *, on: date | None = None, figures_file: str = "") -> str:
    """Store the fitted factors in the ``[service.*]`` tables of a parameters file; return the new text.

    Each calibrated table gets ``speed_factor``, ``border_dwell_factor``, ``calibrated`` (the
    date) and ``calibration_note`` (figures used, in-sample and leave-one-out median errors).
    Comments and every other line are kept.

    Raises
    ------
    DataError
        If a service table is not in the file.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    on = on or date.today()
    for service, (s, d) in cal.factors.items():
        if service not in cal.fitted:
            continue
        head = f"[service.{service}]"
        start = text.find("\n" + head + "\n")
        if start < 0:
            msg = f"{path}: no table {head} to write the calibration into"
            raise DataError(msg)
        start += 1
        nxt = text.find("\n[", start + len(head))
        end = nxt + 1 if nxt >= 0 else len(text)
        body = text[start:end]
        t = cal.table[cal.table["service"] == service]
        note = (
            f"Calibrated {on.isoformat()} by scripts/calibrate.py on {len(t)} published figures"
            + (f" ({figures_file})" if figures_file else "")
            + f": median |error| {100 * t['error_before'].abs().median():.0f} % before, "
            f"{100 * t['error_fitted'].abs().median():.0f} % fitted, {100 * t['error_loo'].abs().median():.0f} % "
            f"leave-one-out; speed factor {s:.3f}, border-dwell factor {d:.3f} (bounds {BOUNDS})."
        )
        values = {
            "speed_factor": f"{s:.3f}",
            "border_dwell_factor": f"{d:.3f}",
            "calibrated": f'"{on.isoformat()}"',
            "calibration_note": '"' + note.replace('"', "'") + '"',
        }
        for key, value in values.items():
            line = f"{key} = {value}"
            pattern = re.compile(rf"^{key} = .*$", re.MULTILINE)
            if pattern.search(body):
                body = pattern.sub(line.replace("\\", "\\\\"), body, count=1)
            else:
                body = body.rstrip("\n") + "\n" + line + "\n" + ("\n" if body.endswith("\n\n") else "")
        text = text[:start] + body + text[end:]
    return text
