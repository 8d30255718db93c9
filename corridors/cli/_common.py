"""What every command shares: consoles, the date type, the network and state of a run, shared options."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from corridors.pricing import CRITERIA

if TYPE_CHECKING:
    import pandas as pd

    from corridors.network import Network
    from corridors.params import Parameters
    from corridors.scenario import Scenario
    from corridors.state import NetworkState

__all__ = [
    "DATE",
    "by_option",
    "df_table",
    "err",
    "named_file",
    "network_of",
    "out",
    "params_of",
    "split",
    "state_of",
    "state_options",
]

F = TypeVar("F", bound=Callable[..., Any])

#: Standard output and error; user text is never read as markup.
out = Console(highlight=False, soft_wrap=True, markup=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)


class _Date(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        from corridors._validate import date_range_problem

        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date of the form YYYY-MM-DD", param, ctx)
        msg = date_range_problem(day)
        if msg:
            self.fail(msg, param, ctx)
        return day


#: A click parameter type for ISO dates.
DATE = _Date()


def split(values: tuple[str, ...]) -> list[str]:
    """Values of a repeatable option, each also split at commas."""
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def network_of(ctx: click.Context) -> Network:
    """The network of this run (``--data``, the shipped one by default), loaded once."""
    from corridors.network import load_network

    obj = ctx.ensure_object(dict)
    if "net" not in obj:
        obj["net"] = load_network(obj.get("data"))
    net: Network = obj["net"]
    return net


def params_of(ctx: click.Context) -> Parameters:
    """The parameters of this run (``--params``, the shipped ones by default), loaded once."""
    from corridors.params import load_parameters

    obj = ctx.ensure_object(dict)
    if "parameters" not in obj:
        obj["parameters"] = load_parameters(obj.get("params"))
    params: Parameters = obj["parameters"]
    return params


def params_path(ctx: click.Context) -> Path | None:
    """The ``--params`` file given to this run, if any."""
    path: Path | None = ctx.ensure_object(dict).get("params")
    return path


def state_of(
    ctx: click.Context,
    *,
    as_of: date | None = None,
    expected: bool = False,
    scenario: Scenario | None = None,
    open_segment: tuple[str, ...] = (),
    close_segment: tuple[str, ...] = (),
    modes: str | None = None,
) -> NetworkState:
    """The network state a command asks about, honouring ``--data`` and ``--params``."""
    from corridors.state import network_state

    net = network_of(ctx)
    params = None if scenario is not None else params_of(ctx)
    return network_state(
        net,
        as_of=as_of,
        expected=expected,
        params=params,
        params_path=params_path(ctx),
        scenario=scenario,
        open_segments=split(open_segment),
        close_segments=split(close_segment),
        modes=modes,
    )


def by_option(default: str) -> Callable[[F], F]:
    """``--by``: the criterion to minimise."""
    return click.option(
        "--by", type=click.Choice(CRITERIA), default=default, show_default=True, help="What to minimise."
    )


def state_options(f: F) -> F:
    """``--as-of``, ``--expected``, ``--open-segment``, ``--close-segment``, ``--modes``: the state asked about."""
    for deco in reversed(
        [
            click.option(
                "--as-of", type=DATE, default=None, help="Use the network as it stands on this date (default: today)."
            ),
            click.option("--expected", is_flag=True, help="Also use unbuilt segments expected to be open by --as-of."),
            click.option(
                "--open-segment", multiple=True, help="Treat this segment as open whatever its status (repeatable)."
            ),
            click.option("--close-segment", multiple=True, help="Treat this segment as closed (repeatable)."),
            click.option(
                "--modes",
                default="rail",
                show_default=True,
                metavar="MODES",
                help="Modes to use, comma-separated: rail, road, ferry, sea (default rail only).",
            ),
        ]
    ):
        f = deco(f)
    return f


def named_file(name: str, shipped: dict[str, Path], what: str, hint_param: str) -> Path:
    """A path as given, or the shipped file of that id; an unknown name suggests close ids."""
    path = Path(name)
    if path.exists():
        return path
    if name in shipped:
        return shipped[name]
    close = difflib.get_close_matches(name, list(shipped), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; shipped: {', '.join(shipped)}"
    raise click.BadParameter(f"no {what} {name!r}{hint}", param_hint=hint_param)


def df_table(df: pd.DataFrame, title: str, index_name: str) -> Table:
    """A rich table of a numeric data frame (numbers right-aligned, no decimals)."""
    t = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    t.add_column(index_name)
    for c in df.columns:
        t.add_column(str(c), justify="right")
    for idx, row in df.iterrows():
        t.add_row(str(idx), *(f"{v:,.0f}" if isinstance(v, float) else str(v) for v in row))
    return t
