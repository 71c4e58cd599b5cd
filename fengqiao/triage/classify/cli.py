"""`fengqiao classify` (JSON lines in, JSON lines out) and `fengqiao model …` (train, versions, rollback, evaluate)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import typer
from sqlalchemy.orm import Session

from fengqiao.core.clock import to_local
from fengqiao.db import migrate
from fengqiao.db.engine import for_writing, make_engine

app = typer.Typer(help="分类模型 / Classifier model versions.", no_args_is_help=True)

BATCH = 256


@contextmanager
def _session(*, write: bool = True) -> Iterator[Session]:
    # Only commands that write announce it: on SQLite a writing transaction holds the write lock while classifying.
    engine = make_engine()
    migrate.upgrade(engine)  # the model tables may be newer than the database (a no-op when it is current)
    try:
        with Session(for_writing(engine) if write else engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def _parse(line: str) -> str:
    data = orjson.loads(line)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise ValueError('每行应为 {"text": "..."} / each line must be an object with a string "text"')
    text: str = data["text"]
    if not text.strip():
        raise ValueError("text 为空 / empty text")
    return text


def _batches(lines: Iterator[str]) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            batch.append((number, line))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def classify_command() -> None:
    """从标准输入读取 JSON 行 {"text": …}，逐行输出分类结果 / Classify JSON lines from standard input."""
    from fengqiao.triage.classify.service import classify_batch

    with _session(write=False) as session:
        for batch in _batches(iter(sys.stdin)):
            texts: list[tuple[int, str]] = []
            out: dict[int, dict[str, Any]] = {}
            for number, line in batch:
                try:
                    texts.append((number, _parse(line)))
                except (orjson.JSONDecodeError, ValueError) as exc:
                    out[number] = {"line": number, "error": str(exc)}
            results = classify_batch([text for _, text in texts], session=session)
            for (number, _), result in zip(texts, results, strict=True):
                out[number] = {"line": number, **result.to_dict()}
            for number in sorted(out):
                sys.stdout.write(orjson.dumps(out[number]).decode() + "\n")
            sys.stdout.flush()


@app.command()
def train(note: str | None = typer.Option(None, help="版本说明 / note stored with the version")) -> None:
    """用种子语料和纠正记录训练新版本并启用 / Train a new version from the seed corpus and corrections."""
    from fengqiao.triage.classify.training import train_version

    with _session() as session:
        typer.echo("训练中… / training…", err=True)
        row = train_version(session=session, note=note)
        session.commit()
        typer.echo(
            f"版本 {row.version} 已启用 / version {row.version} active: "
            f"seed {row.trained_on['seed']}, corrections {row.trained_on['corrections']}, "
            f"{row.trained_on['training_seconds']} s, {row.size / 1e6:.1f} MB"
        )
        typer.echo(_summary(row.metrics))


@app.command()
def versions() -> None:
    """列出模型版本 / List the stored versions."""
    from fengqiao.triage.classify.training import list_versions

    with _session(write=False) as session:
        rows = list_versions(session=session)
    if not rows:
        typer.echo("尚无训练版本，使用内置种子模型 / no version yet: the built-in seed model answers")
        return
    typer.echo("版本  启用  时间              种子语料  纠正  一级准确率  子类准确率  高风险召回  说明")
    for row in rows:
        metrics = row["metrics"]
        typer.echo(
            f"{row['version']:>6}  {'*' if row['is_active'] else '':6}  "
            f"{to_local(row['created_at']):%Y-%m-%d %H:%M}  {row['trained_on'].get('seed', 0):>8}  "
            f"{row['trained_on'].get('corrections', 0):>6}  {metrics.get('top_accuracy', 0):>8.1%}  "
            f"{metrics.get('sub_accuracy', 0):>8.1%}  {metrics.get('high_risk_recall', 0):>10.1%}  {row['note'] or ''}"
        )


@app.command()
def rollback(to: int | None = typer.Option(None, "--to", help="目标版本，默认上一个 / target version")) -> None:
    """回退到以前的版本 / Re-activate a previous version."""
    from fengqiao.triage.classify.training import VersionNotFound
    from fengqiao.triage.classify.training import rollback as rollback_version

    with _session() as session:
        try:
            row = rollback_version(session=session, to=to)
        except VersionNotFound as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(code=1) from None
        session.commit()
    typer.echo(f"已启用版本 {row.version} / version {row.version} active")


@app.command()
def evaluate() -> None:
    """在留出评估集上评估当前模型 / Evaluate the active model on the held-out set."""
    from fengqiao.triage.classify.training import evaluate_active
    from fengqiao.triage.taxonomy import default_taxonomy

    with _session(write=False) as session:
        metrics = evaluate_active(session=session)
    version = metrics["version"]
    typer.echo(f"模型 / model: {'版本 ' + str(version) if version else '内置种子模型 / built-in seed model'}")
    taxonomy = default_taxonomy()
    typer.echo("一级分类                      样本  正确   准确率")
    for code, row in metrics["per_category"].items():
        accuracy = row["correct"] / row["total"] if row["total"] else 0.0
        name = taxonomy.category(code).name[:8]
        typer.echo(f"{name:<10} {code:<18} {row['total']:>4} {row['correct']:>4} {accuracy:>7.1%}")
    typer.echo(_summary(metrics))


def _summary(metrics: dict[str, Any]) -> str:
    return (
        f"留出集 / held-out: {metrics['examples']} 条 · 一级准确率 top-level accuracy {metrics['top_accuracy']:.1%} · "
        f"子类准确率 subcategory accuracy {metrics['sub_accuracy']:.1%} · 高风险召回 high-risk recall "
        f"{metrics['high_risk_recall']:.1%} ({metrics['high_risk_total']} 条) · 非高风险误报率 false-high rate "
        f"{metrics['false_high_rate']:.1%}"
    )
