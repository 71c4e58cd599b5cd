"""A rich progress bar for long generations — only on a terminal; pipes, CI logs and tests stay quiet."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class ProgressListener:
    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rows]:>12,} 行 rows"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.task = self.progress.add_task("生成演示县 / generating", total=None, rows=0)
        self.rows = 0

    def __enter__(self) -> ProgressListener:
        self.progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if error is None:
            self.progress.update(self.task, description="完成 / done")
        self.progress.stop()

    def begin(self, steps: int) -> None:
        self.progress.update(self.task, total=steps)

    def start(self, label: str) -> None:
        self.progress.update(self.task, description=label)

    def done(self, rows: int) -> None:
        self.rows += rows
        self.progress.update(self.task, advance=1, rows=self.rows)


def progress_listener(console: Console) -> ProgressListener | None:
    return ProgressListener(console) if console.is_terminal else None
