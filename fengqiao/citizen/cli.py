"""`fengqiao qr …` — printable sheets of the place codes (市域共治码) behind the citizen report form."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from fengqiao.citizen.places import PlaceKind
from fengqiao.config import get_settings

app = typer.Typer(help="市域共治码 / Citizen place codes.", no_args_is_help=True)


@app.command()
def sheet(
    unit: str = typer.Option(..., help="单位代码：县、镇(街道)、村(社区)或网格 / unit code"),
    kind: PlaceKind = typer.Option(PlaceKind.GRID, help="grid = 每个网格一码，building = 每栋楼一码"),
    output: Path = typer.Option(..., "-o", "--output", help="输出PDF文件 / output PDF"),
    base_url: str = typer.Option(
        None,
        envvar="FENGQIAO_PUBLIC_URL",
        help="群众手机访问本平台的地址，二维码指向 <base-url>/q/<token>（默认 http://<host>:<port>）/ public URL",
    ),
) -> None:
    """打印共治码 / Print the QR codes of every grid or building under a unit as an A4 PDF sheet."""
    from rich.progress import Progress
    from sqlalchemy.orm import Session

    from fengqiao.citizen.sheet import build_sheet
    from fengqiao.core.errors import FengqiaoError
    from fengqiao.db.engine import for_writing, make_engine

    settings = get_settings()
    base = base_url or f"http://{settings.host}:{settings.port}"
    console = Console()
    engine = make_engine(settings.resolved_database_url())
    try:
        with Session(for_writing(engine)) as session, Progress(console=console, transient=True) as progress:
            task = progress.add_task("生成共治码页面 / pages", total=None)

            def on_page(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            try:
                result = build_sheet(session=session, unit_code=unit, kind=kind, base_url=base, on_page=on_page)
            except FengqiaoError as exc:
                console.print(f"[red]{exc.message}[/red]")
                raise typer.Exit(1) from exc
            session.commit()  # the codes made for this sheet are the ones now printed
        output.write_bytes(result.pdf)
    finally:
        engine.dispose()
    console.print(f"已生成 {result.codes} 个共治码，共 {result.pages} 页：{output}")
