"""`fengqiao address …` — match free-text addresses to buildings and rooms; export standard addresses."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import typer

if TYPE_CHECKING:
    from fengqiao.triage.address.match import AddressMatcher

app = typer.Typer(help="标准地址匹配 / Standard address matching.", no_args_is_help=True)

# Longer than any real address by far; a longer line is a pasted document, not an address.
MAX_ADDRESS_LENGTH = 300


def _error(line: int, code: str, message: str) -> dict[str, object]:
    return {"line": line, "error": code, "message": message}


def match_lines(*, lines: TextIO, out: TextIO, matcher: AddressMatcher) -> tuple[int, int]:
    """One JSON line out per line in (blank lines skipped); returns (matched, errors). Bad input never raises."""
    matched = errors = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        answer = _answer(number, line, matcher)
        errors += "error" in answer
        matched += "error" not in answer
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
    return matched, errors


def _answer(number: int, line: str, matcher: AddressMatcher) -> dict[str, object]:
    try:
        record = json.loads(line)
    except ValueError:
        return _error(number, "invalid_json", '该行不是合法的 JSON，应为 {"address": "…"}')
    if not isinstance(record, dict) or not isinstance(record.get("address"), str):
        return _error(number, "missing_address", '缺少字符串字段 address，应为 {"address": "…"}')
    address: str = record["address"]
    if not address.strip():
        return _error(number, "empty_address", "地址为空")
    if len(address) > MAX_ADDRESS_LENGTH:
        return _error(number, "address_too_long", f"地址过长：最多 {MAX_ADDRESS_LENGTH} 个字")
    answer: dict[str, object] = {"line": number, "address": address}
    if "id" in record:
        answer["id"] = record["id"]  # the caller's own key, echoed so results can be joined back
    answer.update(matcher.match(address).as_dict())
    return answer


@app.command("match")
def match_command(
    rebuild: bool = typer.Option(False, "--rebuild", help="重建地址索引缓存 / rebuild the cached index"),
    cache_dir: Path | None = typer.Option(
        None, help="索引缓存目录（默认 <data_dir>/cache）/ index cache folder (default <data_dir>/cache)"
    ),
) -> None:
    """从标准输入读取 JSON 行 {"address": "…"}，每行输出一条匹配结果 / Match JSON lines from stdin to buildings and
    rooms, one JSON line out per line in."""
    from fengqiao.db.engine import make_engine
    from fengqiao.triage.address.match import load_matcher

    engine = make_engine()
    matcher, timing = load_matcher(engine=engine, cache_dir=cache_dir, rebuild=rebuild)
    engine.dispose()
    index = matcher.index
    label = "读取缓存 loaded from cache" if timing.source == "cache" else "已构建 built"
    typer.echo(
        f"地址索引{label}: {timing.seconds:.2f} s, {index.building_count:,} 楼, {index.room_count:,} 室", err=True
    )
    stdin = sys.stdin
    if isinstance(stdin, io.TextIOWrapper):
        # Undecodable bytes become U+FFFD and fail to match, rather than stopping the whole run.
        stdin.reconfigure(encoding="utf-8", errors="replace")
    matched, errors = match_lines(lines=stdin, out=sys.stdout, matcher=matcher)
    sys.stdout.flush()
    typer.echo(f"完成 done: {matched:,} 条结果 results, {errors:,} 条错误 errors", err=True)


@app.command("export")
def export_command(
    sample: int = typer.Option(1000, "--sample", min=1, help="导出条数 / how many addresses"),
    seed: int = typer.Option(1, "--seed", min=0, help="随机种子 / random seed"),
) -> None:
    """导出标准地址样本（JSON 行：address, building_id, room_id）/ Export a deterministic sample of standard
    addresses as JSON lines."""
    from fengqiao.db.engine import make_engine
    from fengqiao.triage.address.sample import sample_standard_addresses

    engine = make_engine()
    addresses = sample_standard_addresses(engine=engine, count=sample, seed=seed)
    engine.dispose()
    for item in addresses:
        sys.stdout.write(json.dumps(item.as_dict(), ensure_ascii=False) + "\n")
    sys.stdout.flush()
