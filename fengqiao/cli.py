"""The one command, `fengqiao`: every subcommand is registered here and lives in its domain's package."""

from __future__ import annotations

import typer

from fengqiao.accounts.cli import app as accounts_app
from fengqiao.alerts.cli import app as alerts_app
from fengqiao.assessment.cli import app as assessment_app
from fengqiao.bench.cli import app as bench_app
from fengqiao.citizen.cli import app as qr_app
from fengqiao.config import get_settings
from fengqiao.core.logging import configure_logging
from fengqiao.db.cli import app as db_app
from fengqiao.demo.cli import app as demo_app
from fengqiao.indices.cli import app as indices_app
from fengqiao.jobs.cli import worker as worker_command
from fengqiao.metrics.cli import app as metrics_app
from fengqiao.reports.cli import app as report_app
from fengqiao.triage.address.cli import app as address_app
from fengqiao.triage.classify import cli as classify_cli

app = typer.Typer(
    help="枫桥 基层社会治理平台 / Fengqiao grassroots social governance platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(bench_app, name="bench")
app.add_typer(accounts_app, name="accounts")
app.add_typer(alerts_app, name="alerts")
app.add_typer(address_app, name="address")
app.add_typer(qr_app, name="qr")
app.add_typer(metrics_app, name="metrics")
app.add_typer(report_app, name="report")
app.add_typer(assessment_app, name="assessment")
app.add_typer(indices_app, name="indices")
app.command(name="worker")(worker_command)
app.add_typer(classify_cli.app, name="model")
app.command(name="classify")(classify_cli.classify_command)


@app.callback()
def _configure() -> None:
    settings = get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="监听地址 / bind address"),
    port: int | None = typer.Option(None, help="端口（默认 FENGQIAO_PORT 或 8000）/ port"),
    worker: bool = typer.Option(
        True, "--worker/--no-worker", help="同时启动后台任务进程 / also run `fengqiao worker` beside the server"
    ),
    mqtt: bool = typer.Option(
        True, "--mqtt/--no-mqtt", help="配置了 MQTT 时同时订阅告警 / also run `fengqiao alerts subscribe` if configured"
    ),
) -> None:
    """启动网页与接口服务 / Serve the web app and the API."""
    import subprocess
    import sys

    import uvicorn

    settings = get_settings()
    # The worker is its own process (deadlines must fire even when the server restarts), started here for the
    # convenience of one command, and stopped with the server.
    background = subprocess.Popen([sys.executable, "-m", "fengqiao", "worker"]) if worker else None
    # Likewise the MQTT subscriber of sensor alerts, only when a broker is configured (HTTP intake needs none).
    subscriber = (
        subprocess.Popen([sys.executable, "-m", "fengqiao", "alerts", "subscribe"])
        if mqtt and settings.mqtt_host
        else None
    )
    try:
        uvicorn.run(
            "fengqiao.web.app:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            log_level=settings.log_level.lower(),
            access_log=False,  # the request middleware logs each request, structured
        )
    finally:
        for process in (subscriber, background):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


def main() -> None:
    app()
