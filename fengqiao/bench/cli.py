"""`fengqiao bench …` — one command per benchmark, each in its own module."""

from __future__ import annotations

import typer

from fengqiao.bench.address import address_command
from fengqiao.bench.alerts import alerts_command
from fengqiao.bench.intake import intake_command
from fengqiao.bench.link import link_command
from fengqiao.bench.metrics import metrics_command
from fengqiao.bench.route import route_command
from fengqiao.bench.seed import seed_command
from fengqiao.bench.web import web_command

app = typer.Typer(help="性能基准 / Benchmarks.", no_args_is_help=True)
app.command(name="seed")(seed_command)
app.command(name="intake")(intake_command)
app.command(name="address")(address_command)
app.command(name="route")(route_command)
app.command(name="web")(web_command)
app.command(name="link")(link_command)
app.command(name="alerts")(alerts_command)
app.command(name="metrics")(metrics_command)
