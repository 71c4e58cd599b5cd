"""The simulation's progress bar: day by day, with what happened so far; into a log (not a terminal), a plain line
every few days instead."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .driver import DayReport


class SimulationProgress:
    """Context manager and listener: ``with SimulationProgress(console, days) as listener: run(listener=…)``."""

    def __init__(self, console: Console, days: int) -> None:
        self.console = console
        self.enabled = console.is_terminal
        self.started = time.perf_counter()
        self.done = 0
        # In a log: about twenty lines for a long run, one a day for a short one.
        self.every = max(1, days // 20)
        self.progress = Progress(
            TextColumn("[bold]模拟 simulating[/bold] {task.fields[day]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("事件 events {task.fields[events]:>7,}"),
            TextColumn("操作 actions {task.fields[steps]:>8,}"),
            TextColumn("定时 timers {task.fields[jobs]:>8,}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
        )
        self.task = self.progress.add_task("simulate", total=days, day="", events=0, steps=0, jobs=0)
        self.events = self.steps = self.jobs = 0

    def __enter__(self) -> SimulationProgress:
        self.started = time.perf_counter()
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self.enabled:
            self.progress.stop()

    def __call__(self, day: DayReport, total: int) -> None:
        self.events += day.registered
        self.steps += day.steps
        self.jobs += day.jobs
        self.done += 1
        if not self.enabled:
            if self.done % self.every == 0 or self.done == total:
                self.console.print(
                    f"模拟 simulating {day.day.isoformat()} {self.done}/{total} 事件 events {self.events:,} "
                    f"操作 actions {self.steps:,} 定时 timers {self.jobs:,} "
                    f"用时 {time.perf_counter() - self.started:.0f} s",
                    highlight=False,
                    soft_wrap=True,
                )
            return
        self.progress.update(
            self.task,
            total=total,
            advance=1,
            day=day.day.isoformat(),
            events=self.events,
            steps=self.steps,
            jobs=self.jobs,
        )
