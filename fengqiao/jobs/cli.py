"""`fengqiao worker` — the process that runs database-backed jobs and timers."""

from __future__ import annotations

from datetime import timedelta

import typer

from fengqiao.db.engine import make_engine
from fengqiao.jobs.auditor import DEFAULT_THRESHOLD
from fengqiao.jobs.worker import RunStats, Worker, WorkerBusy, WorkerConfig


def worker(
    once: bool = typer.Option(False, "--once", help="执行所有到期任务后退出 / run every due job, then exit"),
    poll_interval: float = typer.Option(
        5.0, "--poll-interval", min=0.1, help="空闲时轮询间隔（秒）/ seconds between polls when idle"
    ),
    batch_size: int = typer.Option(20, "--batch-size", min=1, help="每批领取的任务数 / jobs claimed per batch"),
    audit_interval: int = typer.Option(
        600, "--audit-interval", min=0, help="逾期检查间隔（秒），0 为关闭 / seconds between audits, 0 = off"
    ),
    audit_threshold: int = typer.Option(
        int(DEFAULT_THRESHOLD.total_seconds()),
        "--audit-threshold",
        min=1,
        help="逾期多少秒算异常 / seconds late before a job is reported",
    ),
) -> None:
    """后台任务进程 / Run background jobs (deadlines, escalations, reminders, scans, reports)."""
    config = WorkerConfig(
        batch_size=batch_size,
        poll_interval=poll_interval,
        worker_lease=max(WorkerConfig.worker_lease, timedelta(seconds=poll_interval * 4)),
        audit_interval=timedelta(seconds=audit_interval) if audit_interval else None,
        audit_threshold=timedelta(seconds=audit_threshold),
    )
    engine = make_engine()
    runner = Worker(engine, config=config)
    try:
        if once:
            stats = runner.run_once()
        else:
            runner.install_signal_handlers()
            stats = runner.run_forever()
    except WorkerBusy as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    typer.echo(_stats_table(stats))


def _stats_table(stats: RunStats) -> str:
    rows = [
        ("领取 / claimed", stats.claimed),
        ("完成 / done", stats.done),
        ("重试 / retried", stats.retried),
        ("失败 / failed", stats.failed),
        ("放弃 / skipped", stats.skipped),
        ("归还 / released", stats.released),
    ]
    return "\n".join(f"{label:<18}{value:>8}" for label, value in rows)
