"""The whole generation, stage by stage and town by town, streamed into a sink: only one town's base data is in
memory at a time. Measures how long generating and writing each table takes."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from fengqiao.demo.buildings import BUILDING_COLUMNS, generate_buildings
from fengqiao.demo.county import build_territory, unit_batch
from fengqiao.demo.enterprises import ENTERPRISE_COLUMNS, generate_enterprises
from fengqiao.demo.plan import CountyPlan, plan_county
from fengqiao.demo.population import RESIDENT_COLUMNS, generate_residents
from fengqiao.demo.records import TABLES, Batch, IdCounter, RowSink
from fengqiao.demo.rentals import RENTAL_COLUMNS, generate_rentals
from fengqiao.demo.rooms import ROOM_COLUMNS, generate_rooms
from fengqiao.demo.roster import build_roster
from fengqiao.demo.territory import TownTerritory


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@dataclass
class TableReport:
    rows: int = 0
    generate_seconds: float = 0.0
    write_seconds: float = 0.0
    peak_mib: float = 0.0


@dataclass
class SeedReport:
    scale: float
    seed: int
    tables: dict[str, TableReport] = field(default_factory=lambda: {name: TableReport() for name in TABLES})
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables.values())


class Listener(Protocol):
    """Told what the generator is doing (a progress bar)."""

    def begin(self, steps: int) -> None: ...

    def start(self, label: str) -> None: ...

    def done(self, rows: int) -> None: ...


class _Run:
    def __init__(self, sink: RowSink, report: SeedReport, listener: Listener | None) -> None:
        self.sink = sink
        self.report = report
        self.listener = listener
        self.ids = IdCounter()

    @contextmanager
    def generating(self, *tables: str) -> Iterator[None]:
        """Time spent generating, shared evenly by the tables it produces."""
        started = time.perf_counter()
        yield
        share = (time.perf_counter() - started) / len(tables)
        for table in tables:
            self.report.tables[table].generate_seconds += share

    def write(self, batch: Batch) -> None:
        started = time.perf_counter()
        self.sink.write(batch)
        table = self.report.tables[batch.table]
        table.write_seconds += time.perf_counter() - started
        table.rows += len(batch)
        table.peak_mib = peak_memory_mib()

    def start(self, label: str) -> None:
        if self.listener is not None:
            self.listener.start(label)

    def done(self, rows: int) -> None:
        if self.listener is not None:
            self.listener.done(rows)

    def town(self, town: TownTerritory, seed: int) -> None:
        plan = town.plan
        self.start(f"{town.unit.name} 楼房人口企业 / base data")
        with self.generating("buildings"):
            buildings = generate_buildings(town, seed=seed, first_id=self.ids.take("buildings", plan.building_count))
        self.write(Batch("buildings", BUILDING_COLUMNS, buildings.rows))
        with self.generating("rooms"):
            rooms = generate_rooms(
                town, buildings, seed=seed, first_id=self.ids.take("rooms", int(buildings.rooms.sum()))
            )
        self.write(Batch("rooms", ROOM_COLUMNS, rooms.rows))
        with self.generating("residents"):
            residents = generate_residents(town, rooms, seed=seed, first_id=self.ids.take("residents", plan.residents))
        self.write(Batch("residents", RESIDENT_COLUMNS, residents.rows))
        with self.generating("rentals"):
            lets = int(rooms.rental.sum())
            rentals = generate_rentals(
                town, buildings, rooms, residents, seed=seed, first_id=self.ids.take("rentals", lets)
            )
        self.write(Batch("rentals", RENTAL_COLUMNS, rentals))
        with self.generating("enterprises"):
            first = self.ids.take("enterprises", plan.enterprises)
            enterprises = generate_enterprises(town, buildings, residents, seed=seed, first_id=first)
        self.write(Batch("enterprises", ENTERPRISE_COLUMNS, enterprises))
        rows = len(buildings) + len(rooms) + len(residents) + len(rentals) + len(enterprises)
        self.done(rows)


def generate_county(*, scale: float, seed: int, sink: RowSink, listener: Listener | None = None) -> SeedReport:
    """Generate the whole county into ``sink``; the same (scale, seed) always yields the same rows."""
    started = time.perf_counter()
    plan: CountyPlan = plan_county(scale=scale)
    report = SeedReport(scale=scale, seed=seed)
    run = _Run(sink, report, listener)
    if listener is not None:
        listener.begin(2 + len(plan.towns))
    run.start("行政区划与站所 / jurisdiction")
    with run.generating("units"):
        territory = build_territory(plan=plan, seed=seed, ids=run.ids)
        units = unit_batch(territory)
    run.write(units)
    run.done(len(units))
    run.start("值班人员 / people on duty")
    with run.generating("staff", "duty_assignments"):
        roster = build_roster(territory, seed=seed, ids=run.ids)
    for batch in roster.batches():
        run.write(batch)
    run.done(len(roster.staff) + len(roster.assignments))
    for town in territory.towns:
        run.town(town, seed)
    report.seconds = time.perf_counter() - started
    return report
