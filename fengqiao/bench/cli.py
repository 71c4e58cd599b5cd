"""`fengqiao bench …` — one command per benchmark, each in its own module."""

from __future__ import annotations

import typer

from fengqiao.bench.intake import intake_command
from fengqiao.bench.seed import seed_command

app = typer.Typer(help="性能基准 / Benchmarks.", no_args_is_help=True)
app.command(name="seed")(seed_command)
app.command(name="intake")(intake_command)
