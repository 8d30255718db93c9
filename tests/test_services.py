"""Service profiles: overlays on the base parameters, priced by the one pricing model."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from conftest import PARAMS_TOML
from corridors import load_network, load_parameters
from corridors._errors import ParameterError
from corridors.services import apply_service, service_mode, service_names
from corridors.state import network_state


def test_block_train_is_faster_than_wagonload_across_china_kazakhstan() -> None:
    net = load_network()
    base = load_parameters()
    hours = {}
    for service in ("wagonload", "block_train"):
        state = network_state(net, as_of=date(2026, 1, 1), params=base.for_service(service))
        r = state.route("Urumqi", "Almaty", by="time")
        hours[service] = r.hours
        assert r.parameters.endswith(f"[service.{service}]")
    wagonload = network_state(net, as_of=date(2026, 1, 1), params=base).route("Urumqi", "Almaty", by="time").hours
    assert hours["block_train"] < hours["wagonload"] == pytest.approx(wagonload)


def test_overlay_scales_and_overrides_without_touching_the_base(tmp_path: Path) -> None:
    p = tmp_path / "p.toml"
    p.write_text(
        PARAMS_TOML
        + """
[service.fast]
speed_factor = 2.0
border_dwell_factor = 0.5
gauge_change_factor = 0.0
assumption = true
[service.fast.overrides.border.pairs."AAA-BBB"]
dwell_h = 4.0
fee_usd = 1.0
assumption = true
[service.lorry]
mode = "road"
assumption = true
""",
        encoding="utf-8",
    )
    base = load_parameters(p)
    fast = base.for_service("fast")
    assert fast.speed_kmh(segment="s", status="operational", country="AAA", gauge="1520") == 100.0
    assert fast.border("AAA", "BBB") == (2.0, 1.0, "border.pairs.AAA-BBB")  # override, then factor
    assert fast.border("AAA", "CCC")[0] == 5.0
    assert fast.gauge_change("transloading")[0] == 0.0
    assert base.border("AAA", "CCC")[0] == 10.0 and "pairs" not in base.raw["border"]
    assert fast.service == "fast" and base.service == ""
    assert service_names(base) == ["fast", "lorry"] and service_mode(base, "lorry") == "road"
    assert apply_service(fast, "lorry").source.count("[service.") == 1
    with pytest.raises(ParameterError, match=r"no service profile \[service.fats\]; did you mean fast"):
        base.for_service("fats")


def test_unsourced_service_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "p.toml"
    p.write_text(PARAMS_TOML + "\n[service.x]\nspeed_factor = 2.0\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"\[service.x\] has neither a 'source'"):
        load_parameters(p)
    p.write_text(PARAMS_TOML + "\n[service.x]\nspeed_factor = -1\nassumption = true\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="'speed_factor' must be a non-negative number"):
        load_parameters(p)


def test_shipped_profiles() -> None:
    p = load_parameters()
    assert {"block_train", "wagonload", "truck"} <= set(service_names(p))
    assert service_mode(p, "truck") == "road" and service_mode(p, "block_train") == "rail"


def test_cli_route_service_and_draws(capsys: pytest.CaptureFixture[str]) -> None:
    from corridors.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["route", "Urumqi", "Almaty", "--by", "time", "--service", "block_train"])
    assert exc.value.code in (0, None)
    assert "total:" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["route", "Mashhad", "Sarakhs", "--draws", "50", "--seed", "2", "--scheduler", "serial"])
    text = capsys.readouterr().out
    assert "50 draws (seed 2)" in text and "P(route)" in text
    with pytest.raises(SystemExit) as exc:
        main(["route", "Mashhad", "Sarakhs", "--service", "truck"])
    assert exc.value.code != 0
