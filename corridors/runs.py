"""Running a scenario end to end: its routes, timeline, maps and a short summary, written to a folder."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from corridors.charts import plot_timeline
from corridors.network import Network
from corridors.output import atomic_folder, save_figure
from corridors.routing import Route
from corridors.scenario import Scenario
from corridors.state import network_state
from corridors.timeline import earliest_connection, route_row, timeline

__all__ = ["ScenarioRun", "run_scenario", "write_scenario_run"]

log = logging.getLogger(__name__)


@dataclass
class ScenarioRun:
    """What a scenario run found: routes on its date, the timeline, explanations for unconnected pairs."""

    scenario: Scenario
    routes: dict[str, Route] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    timeline: pd.DataFrame = field(default_factory=pd.DataFrame)
    unconnected: dict[str, str] = field(default_factory=dict)
    applied: Network | None = None

    def summary(self) -> str:
        """A few lines a person reads at the end of a run."""
        s = self.scenario
        lines = [f"Scenario: {s.name} (network as of {s.date.isoformat()})"]
        if s.description:
            lines.append(f"  {s.description}")
        for label, r in self.routes.items():
            lines.append(
                f"  {label}: {r.km:,.0f} km, {r.hours / 24:,.1f} days, {r.cost:,.0f} {r.cost_unit}; "
                f"{len(r.borders)} border(s), {len(r.gauge_changes)} gauge change(s); via " + ", ".join(r.km_by_country)
            )
        for label, why in self.unconnected.items():
            lines.append(f"  {label}: not connected — {why}")
        for a in s.assumptions():
            lines.append(f"  assumption: {a}")
        return "\n".join(lines)


def run_scenario(
    net: Network,
    scenario: Scenario,
    *,
    start: date | None = None,
    by: str = "time",
    params_path: str | Path | None = None,
) -> ScenarioRun:
    """Compute a scenario's routes for its OD pairs on its date, and their timeline from ``start``.

    Examples
    --------
    >>> from corridors import load_network
    >>> from corridors.scenario import load_scenario, shipped_scenarios
    >>> net = load_network()
    >>> run = run_scenario(net, load_scenario(shipped_scenarios()["khaf_herat_complete"], net))
    >>> "Mashhad → Herat" in run.routes
    True
    """
    state = network_state(net, scenario=scenario, params_path=params_path)
    run = ScenarioRun(scenario, applied=state.full)
    rows = []
    for od in scenario.od:
        r, reason = state.route_or_reason(
            od.origin, od.destination, by=od.by or by, constraints=state.constraints(via=od.via)
        )
        if r is not None:
            run.routes[od.label] = r
            rows.append(route_row(r, od, scenario.date))
        else:
            conn = earliest_connection(state, od.origin, od.destination)
            run.unconnected[od.label] = conn.summary()
            rows.append(route_row(None, od, scenario.date, f"{reason}; {conn.summary()}"))
    run.table = pd.DataFrame(rows)
    first = start or date(2010, 1, 1)
    if scenario.od and first < scenario.date:
        run.timeline = timeline(state, list(scenario.od), first, scenario.date, by=by)
    return run


def write_scenario_run(run: ScenarioRun, net: Network, out: str | Path, *, force: bool = False, dpi: int = 200) -> Path:
    """Write a scenario run to a folder.

    The folder holds ``routes.csv``, ``routes.geojson``, ``timeline.csv``, ``timeline.png``,
    ``network.png``, ``routes.png``, ``summary.md`` and ``scenario.json``.

    The folder is built aside and moved into place only when complete (see
    :func:`corridors.output.atomic_folder`).
    """
    from corridors.io import write_geojson
    from corridors.plot import plot_network, plot_routes
    from corridors.tables import write_csv

    s = run.scenario
    with atomic_folder(out, force=force, command=f"corridors scenario run {run.scenario.name}") as tmp:
        write_csv(run.table, tmp / "routes.csv", integers=["border_crossings", "gauge_changes"])
        if run.routes:
            gdf = pd.concat(
                [r.to_geodataframe().assign(pair=label) for label, r in run.routes.items()], ignore_index=True
            )
            write_geojson(gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:4326"), tmp / "routes.geojson")
            fig, _ = plot_routes(
                run.applied or net,
                list(run.routes.values()),
                names=list(run.routes),
                as_of=s.date,
                title=f"{s.name}: routes",
            )
            save_figure(fig, tmp / "routes.png", dpi=dpi)
        fig, _ = plot_network(
            run.applied or net, as_of=s.date, title=s.name, subtitle=f"scenario network as of {s.date.isoformat()}"
        )
        save_figure(fig, tmp / "network.png", dpi=dpi)
        if not run.timeline.empty:
            write_csv(run.timeline, tmp / "timeline.csv", integers=["border_crossings", "gauge_changes"])
            fig, _ = plot_timeline(run.timeline, metric="days", end=s.date, title=f"{s.name}: best route over time")
            save_figure(fig, tmp / "timeline.png", dpi=dpi)
        (tmp / "summary.md").write_text(
            f"# {s.name}\n\n```\n{run.summary()}\n```\n\nScenario files: " + ", ".join(s.files) + "\n", encoding="utf-8"
        )
        meta: dict[str, Any] = {
            "name": s.name,
            "as_of": s.date.isoformat(),
            "files": list(s.files),
            "assumptions": s.assumptions(),
            "why": s.why,
        }
        (tmp / "scenario.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), encoding="utf-8")
    return Path(out)
