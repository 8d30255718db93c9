"""The scenario scripts and every shipped scenario run end to end on the shipped data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from corridors import load_network
from corridors.runs import run_scenario
from corridors.scenario import load_scenario, shipped_scenarios

ROOT = Path(__file__).parents[1]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            "khaf_herat_sections.py",
            [
                "routes_by_stage.csv",
                "changes_by_opening.csv",
                "timeline.png",
                "before_after.png",
                "routes_complete.png",
            ],
        ),
        (
            "five_nation.py",
            [
                "kashgar_mashhad/report.html",
                "kashgar_bandar_abbas/options.csv",
                "kashgar_bandar_abbas/options_over_time.png",
            ],
        ),
        (
            "tajikistan_options.py",
            ["dushanbe_to_the_gulf/report.html", "tajikistan_transit.csv", "tajikistan_transit.png"],
        ),
        ("east_west.py", ["country_shares.csv", "routes.csv", "summary.md", "report/report.html"]),
    ],
)
def test_scripts_write_their_outputs(script: str, expected: list[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "written to" in done.stdout
    for name in expected:
        assert (out / name).exists(), name
    again = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / script), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode != 0 and "--force" in again.stderr  # never overwrites silently


def test_every_shipped_scenario_runs() -> None:
    net = load_network()
    for key, path in shipped_scenarios().items():
        run = run_scenario(net, load_scenario(path, net))
        assert len(run.routes) + len(run.unconnected) == len(run.scenario.od), key
        assert run.summary().startswith("Scenario:")
    closed = run_scenario(net, load_scenario(shipped_scenarios()["afghan_borders_closed"], net))
    assert all("AFG" not in r.km_by_country for r in closed.routes.values())
    assert closed.unconnected  # pairs into Afghanistan are cut


def test_scenario_run_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from corridors.cli import main

    with pytest.raises(SystemExit) as info:
        main(["scenario", "run", "khaf_herat_complete", "--out", str(tmp_path / "kh")])
    assert info.value.code == 0
    for name in (
        "routes.csv",
        "routes.geojson",
        "timeline.csv",
        "timeline.png",
        "network.png",
        "routes.png",
        "summary.md",
    ):
        assert (tmp_path / "kh" / name).exists(), name
    assert "Mashhad → Herat" in capsys.readouterr().out
