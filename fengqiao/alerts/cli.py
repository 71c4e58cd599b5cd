"""`fengqiao alerts …` — the sensor-alert commands."""

from __future__ import annotations

import gc

import typer

from fengqiao.config import get_settings

app = typer.Typer(help="感知告警 / Sensor alerts.", no_args_is_help=True)


@app.command()
def subscribe(
    host: str | None = typer.Option(None, help="消息服务器地址（默认 FENGQIAO_MQTT_HOST）/ broker host"),
    port: int | None = typer.Option(None, help="端口（默认 FENGQIAO_MQTT_PORT 或 1883）/ broker port"),
    client_id: str | None = typer.Option(
        None, "--client-id", help="客户端标识，固定不变以保留会话 / fixed client id (the broker keeps its session)"
    ),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, help="每批最多条数 / messages per batch"),
    batch_ms: int | None = typer.Option(None, "--batch-ms", min=0, help="每批最长等待毫秒 / ms a batch may wait"),
    health_interval: float = typer.Option(
        30.0, "--health-interval", min=0.1, help="运行状况日志间隔（秒）/ seconds between health log lines"
    ),
    network_process: bool = typer.Option(
        True,
        "--network-process/--one-process",
        help="MQTT 收发在单独进程，与入库各占一核 / the network side in a process of its own",
    ),
    discard: bool = typer.Option(
        False, "--discard", hidden=True, help="只确认不入库（性能基准的对照）/ ack without storing (bench baseline)"
    ),
) -> None:
    """订阅 MQTT 告警并入库 / Subscribe to sensor alerts over MQTT and store them (until SIGTERM)."""
    from fengqiao.alerts.mqtt import Subscriber, SubscriberConfig
    from fengqiao.db.engine import make_engine

    settings = get_settings()
    try:
        config = SubscriberConfig.from_settings(
            settings,
            host=host,
            port=port,
            client_id=client_id,
            batch_size=batch_size,
            batch_ms=batch_ms,
            health_interval=health_interval,
        )
    except ValueError as exc:
        typer.echo(f"未配置消息服务器：{exc}", err=True)
        raise typer.Exit(code=2) from None
    engine = None if discard else make_engine()
    subscriber = Subscriber(
        engine,
        config,
        discard=discard,
        own_checkpoints=True,
        seen_flush_seconds=5.0,
        network_process=network_process and not discard,
    )
    subscriber.install_signal_handlers()
    # A batch allocates many short-lived objects: with what start-up loaded frozen, and the young generation
    # collected less often, the garbage collector stops running several times per batch.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        stats = subscriber.run()
    finally:
        if engine is not None:
            engine.dispose()
    typer.echo(
        f"收到 {stats.received} 条，新告警 {stats.accepted}，重复 {stats.duplicates}，"
        f"死信 {stats.dead_letters}，心跳 {stats.heartbeats}，已确认 {stats.acked}"
    )
