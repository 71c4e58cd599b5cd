"""The simulation loop: day by day, hour by hour — arrivals through triage's bulk intake, the due timers and
auto-dispatch jobs through their real handlers, and people's steps through ``events.actions.perform`` — all at
simulated time. One transaction per day, so an interrupted run loses at most the day it was in; a rerun picks up
from the last simulated day (arrivals carry source ids made of seed, day and number, which intake never registers
twice, and people's next steps follow from the events' state)."""

from __future__ import annotations

import hashlib
import heapq
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import event as orm_event
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, UOWTransaction, selectinload

from fengqiao.core.clock import CHINA_TZ
from fengqiao.core.errors import FengqiaoError
from fengqiao.duty.roles import DutyRole
from fengqiao.events import intake
from fengqiao.events.actions import perform
from fengqiao.events.kinds import OPEN_STATUSES, Channel, EventStatus, PartyKind, PartyRole
from fengqiao.events.models import Event, EventAction, Supervision
from fengqiao.events.timers import STEP_DEADLINE, STEP_WARNING, SUPERVISION_DUE
from fengqiao.jobs.models import Job, JobStatus
from fengqiao.jobs.registry import get_handler, load_handler_modules
from fengqiao.jurisdiction.models import Unit
from fengqiao.triage import pipeline
from fengqiao.triage.dispatch.service import AUTO_DISPATCH
from fengqiao.triage.taxonomy import default_taxonomy
from fengqiao.warnings.issued import ACK_DUE
from fengqiao.warnings.jobs import ANALYSE
from fengqiao.warnings.scans import TOPIC_SCAN
from fengqiao.workcalendar import WorkCalendar
from fengqiao.workcalendar.days import is_workday

from .behaviour import Behaviour, Step, StepKind, people_actions, subcategory_code
from .clock import SimulatedClock, simulated_time
from .texts import Details, compose
from .volumes import CHANNELS, MONTH_FACTOR, ChannelVolume
from .world import Person, Place, World

# The worker's jobs that act on the county's events, run at their simulated moments: auto-dispatch, deadlines and
# supervision, and early warning (linking and patterns after each intake, the daily topic scan, the escalation of a
# warning nobody acknowledged).
JOB_KINDS = (AUTO_DISPATCH, STEP_WARNING, STEP_DEADLINE, SUPERVISION_DUE, ANALYSE, TOPIC_SCAN, ACK_DUE)
SOURCE_PREFIX = "SIM"


@dataclass
class DayReport:
    day: date
    registered: int
    steps: int
    jobs: int


@dataclass
class SimulationReport:
    seed: int
    scale: float
    first_day: date | None = None
    last_day: date | None = None
    days: int = 0
    registered: int = 0
    steps: int = 0
    jobs: int = 0
    refused: int = 0
    per_day: list[DayReport] = field(default_factory=list)


Listener = Callable[[DayReport, int], None]  # (the day done, how many days in all)


def source_prefix(seed: int) -> str:
    return f"{SOURCE_PREFIX}{seed}-"


@dataclass(frozen=True)
class Arrival:
    at: datetime
    channel: ChannelVolume
    source_id: str
    subcategory: str
    is_dispute: bool


class Simulation:
    def __init__(self, *, session: Session, seed: int, scale: float) -> None:
        self.session = session
        self.seed = seed
        self.scale = scale
        self.world = World.load(session)
        self.calendar = WorkCalendar.load(session=session, county_code=self.world.county.county_code)
        self.behaviour = Behaviour(world=self.world, seed=seed, calendar=self.calendar)
        self.taxonomy = default_taxonomy()
        # People's next steps, and the events they act on (held, so the session keeps them loaded between steps).
        self._heap: list[tuple[datetime, str, int, Step, Event]] = []
        self._counter = 0
        # The events' pending jobs, by when they are due: fed by the session as the services add or move them (see
        # ``_track_jobs``), so finding what is due costs no query.
        self._jobs: list[tuple[datetime, int, Job]] = []
        self._actions_added = 0  # timeline entries written so far (counted at each flush)
        self._clock: SimulatedClock | None = None
        self._repeated = 0  # citizens' repeated complaints registered today
        load_handler_modules()

    # --- resuming -----------------------------------------------------------------------------------------------

    def resume_day(self) -> date | None:
        """The local day the last run got to (re-run whole: arrivals are idempotent, steps follow the state)."""
        prefix = source_prefix(self.seed)
        latest = self.session.scalar(
            select(func.max(EventAction.at))
            .join(Event, Event.id == EventAction.event_id)
            .where(Event.source_id.like(f"{prefix}%"))
        )
        if latest is None:
            return None
        if latest.tzinfo is None:
            latest = latest.replace(tzinfo=UTC)
        return latest.astimezone(CHINA_TZ).date()

    def _earliest_day(self) -> date | None:
        earliest = self.session.scalar(
            select(func.min(Event.registered_at)).where(Event.source_id.like(f"{source_prefix(self.seed)}%"))
        )
        if earliest is None:
            return None
        if earliest.tzinfo is None:
            earliest = earliest.replace(tzinfo=UTC)
        return earliest.astimezone(CHINA_TZ).date()

    def _load_open(self) -> None:
        """Compute the next step of every open simulated event from its state (at start or resume)."""
        prefix = source_prefix(self.seed)
        events = self.session.scalars(
            select(Event)
            .where(
                Event.source_id.like(f"{prefix}%"),
                Event.status.in_([s.value for s in OPEN_STATUSES] + [EventStatus.CLOSED.value]),
            )
            .options(selectinload(Event.tasks), selectinload(Event.actions))
            .order_by(Event.id)
        ).all()
        for event in events:
            self._schedule(event)
        for job in self.session.scalars(
            select(Job).where(Job.status == JobStatus.PENDING, Job.kind.in_(JOB_KINDS)).order_by(Job.run_at, Job.id)
        ):
            self._push_job(job)

    # --- the loop -----------------------------------------------------------------------------------------------

    def run(
        self, *, first_day: date, last_day: date, until: datetime, listener: Listener | None = None
    ) -> SimulationReport:
        """Simulate ``first_day`` … ``last_day`` (local dates), stopping at the moment ``until``."""
        report = SimulationReport(seed=self.seed, scale=self.scale)
        resume = self.resume_day()
        earliest = self._earliest_day()
        # Continue from the day the last run got to; a window reaching further back than what is simulated (a year
        # asked for after `demo ensure` made a month) starts at its beginning: events are independent of each
        # other, and days already done only find their arrivals registered and their steps taken.
        start = first_day if resume is None or earliest is None or earliest > first_day else max(first_day, resume)
        total = max(0, (last_day - start).days + 1)
        orm_event.listen(self.session, "after_flush", self._track_jobs)
        try:
            self._run_days(start, last_day, until=until, total=total, report=report, listener=listener)
        finally:
            orm_event.remove(self.session, "after_flush", self._track_jobs)
        return report

    def _run_days(
        self,
        start: date,
        last_day: date,
        *,
        until: datetime,
        total: int,
        report: SimulationReport,
        listener: Listener | None,
    ) -> None:
        with simulated_time(datetime.combine(start, time(0), tzinfo=CHINA_TZ)) as clock:
            self._clock = clock
            self._load_open()
            day = start
            while day <= last_day:
                done = self._simulate_day(day, until=until, clock=clock, report=report)
                # Memory stays flat over a long run without expunging: the session holds rows weakly, and only events
                # with a step to come (and pending jobs) are held here; the rest go once their day is committed.
                self.session.commit()
                report.per_day.append(done)
                report.days += 1
                report.first_day = report.first_day or day
                report.last_day = day
                if listener is not None:
                    listener(done, total)
                day += timedelta(days=1)

    def _simulate_day(
        self, day: date, *, until: datetime, clock: SimulatedClock, report: SimulationReport
    ) -> DayReport:
        arrivals = [a for a in self.arrivals(day) if a.at <= until]
        by_hour: dict[int, list[Arrival]] = {}
        for arrival in arrivals:
            by_hour.setdefault(arrival.at.hour, []).append(arrival)
        registered = steps = jobs = 0
        for hour in range(24):
            hour_end = datetime.combine(day, time(hour), tzinfo=CHINA_TZ) + timedelta(hours=1)
            end = min(hour_end, until)
            batches = _batches(by_hour.get(hour, []))
            # Arrivals, people's steps and jobs in the order they happen, so the clock only moves forward.
            while batches or (self._heap and self._heap[0][0] < end):
                if batches and (not self._heap or self._heap[0][0] >= end or batches[0][0].at <= self._heap[0][0]):
                    batch = batches.pop(0)
                    jobs += self._run_jobs(clock, batch[0].at)
                    clock.set(batch[0].at)
                    registered += self._register(batch)
                    jobs += self._run_jobs(clock, batch[0].at)
                    continue
                at, _, _, step, event = heapq.heappop(self._heap)
                jobs += self._run_jobs(clock, at)
                clock.set(at)
                if self._execute(step, event, report):
                    steps += 1
            jobs += self._run_jobs(clock, end)
            if hour_end > until:
                break
        registered += self._repeated
        self._repeated = 0
        report.registered += registered
        report.steps += steps
        report.jobs += jobs
        return DayReport(day, registered, steps, jobs)

    # --- arrivals -----------------------------------------------------------------------------------------------

    def arrivals(self, day: date) -> list[Arrival]:
        """What arrives on ``day``, by channel: Poisson counts around the scaled yearly volume, at plausible hours."""
        found: list[Arrival] = []
        for volume in CHANNELS:
            rng = random.Random(f"{self.seed}|{day.isoformat()}|{volume.code}")
            factor = self._day_factor(volume, day)
            items: list[tuple[bool, str]] = []
            for is_dispute, yearly, mix in (
                (True, volume.disputes, volume.dispute_mix),
                (False, volume.others, volume.other_mix),
            ):
                if not yearly or not mix:
                    continue
                for _ in range(_poisson(rng, yearly * self.scale * factor / 365.0)):
                    category = _weighted(rng, mix)
                    subs = self.taxonomy.category(category).subcategories
                    items.append((is_dispute, rng.choice(subs).code))
            for index, (is_dispute, subcategory) in enumerate(items):
                at = datetime.combine(day, _arrival_time(rng, volume), tzinfo=CHINA_TZ)
                source_id = f"{source_prefix(self.seed)}{day:%Y%m%d}-{volume.code}{index:04d}"
                found.append(Arrival(at, volume, source_id, subcategory, is_dispute))
        found.sort(key=lambda a: (a.at, a.source_id))
        return found

    def _day_factor(self, volume: ChannelVolume, day: date) -> float:
        """The day's share of the channel's yearly volume, times 365 (weekends, holidays and months differ)."""
        workday = is_workday(day, self.calendar.overrides)
        return (
            (1.0 if workday else volume.weekend_factor)
            * MONTH_FACTOR[day.month]
            / _YEAR_NORMALISER[volume.weekend_factor]
        )

    def expected_disputes(self, day: date) -> float:
        """How many disputes arrive on ``day`` on average (the Poisson means of ``arrivals``)."""
        return sum(v.disputes * self.scale * self._day_factor(v, day) / 365.0 for v in CHANNELS if v.dispute_mix)

    def _register(self, batch: list[Arrival]) -> int:
        """Register one channel's arrivals of the hour through triage's bulk intake, grouped by registering unit."""
        groups: dict[tuple[int, int | None], list[intake.NewEvent]] = {}
        for arrival in batch:
            new, unit_id = self._new_event(arrival)
            groups.setdefault((unit_id, self._keyed_by(arrival, unit_id)), []).append(new)
        created = 0
        for (unit_id, actor_id), news in groups.items():
            results = pipeline.register_many(
                session=self.session, items=news, registering_unit=self.world.units[unit_id], actor_id=actor_id
            )
            fresh = [r.event_id for r in results if r.created and r.event_id is not None]
            created += len(fresh)
            for event in self._events(fresh):
                self._schedule(event)
        return created

    def _keyed_by(self, arrival: Arrival, unit_id: int) -> int | None:
        """Who registered it: what a grid worker finds on patrol is theirs (their patrol record and health index
        count it); the offices' and feeds' batches have no one person behind them."""
        if arrival.channel.channel != Channel.GRID_PATROL:
            return None
        workers = self.world.staff_of(unit_id, _PATROLLERS)
        if not workers:
            return None
        return workers[random.Random(f"{self.seed}|{arrival.source_id}|patrol").randrange(len(workers))]

    def _events(self, ids: list[int]) -> list[Event]:
        if not ids:
            return []
        return list(
            self.session.scalars(
                select(Event)
                .where(Event.id.in_(ids))
                .options(selectinload(Event.tasks), selectinload(Event.actions))
                .order_by(Event.id)
                .execution_options(populate_existing=True)
            )
        )

    def _new_event(self, arrival: Arrival, *, repeat_of: Event | None = None) -> tuple[intake.NewEvent, int]:
        rng = random.Random(f"{self.seed}|{arrival.source_id}|text")
        world = self.world
        volume = arrival.channel
        place = (_place_of(world, repeat_of) if repeat_of is not None else None) or world.places[
            rng.randrange(len(world.places))
        ]
        grid = world.units[place.grid_id]
        codes = world.path_codes(grid.id)
        town = world.by_code[codes[1]]
        village = world.by_code[codes[2]] if len(codes) > 2 else grid
        people = world.residents_at(place.building_id)
        for _ in range(4):  # shops, factories and empty houses have no residents: the reporter lives nearby
            if people:
                break
            people = world.residents_at(world.places[rng.randrange(len(world.places))].building_id)
        others: list[Person] = []
        for _ in range(5):
            if others:
                break
            others = world.residents_at(world.places[rng.randrange(len(world.places))].building_id)
        first = people[rng.randrange(len(people))] if people else None
        second = others[rng.randrange(len(others))] if others else None
        if repeat_of is not None and repeat_of.parties:
            first = Person(
                repeat_of.parties[0].name,
                repeat_of.parties[0].id_number or "",
                repeat_of.parties[0].phone,
                repeat_of.parties[0].address or "",
            )
        firms = world.firms_by_town.get(town.code) or [f for fs in world.firms_by_town.values() for f in fs[:1]]
        firm = firms[rng.randrange(len(firms))] if firms else None
        spot = rng.choice([s for s in (place.estate, place.road, f"{village.name}", f"{town.name}{village.name}") if s])
        details = Details(
            a=first.name if first else "群众",
            b=second.name if second else "对方",
            place=spot,
            ent=firm.name if firm else "某公司",
            town=town.name,
            village=village.name,
        )
        sub = self.taxonomy.subcategory(arrival.subcategory)
        title, content = compose(
            subcategory=arrival.subcategory,
            subcategory_name=sub.name,
            channel=volume.channel,
            is_dispute=arrival.is_dispute,
            rng=rng,
            details=details,
            repeat=repeat_of is not None,
        )
        parties: list[intake.NewParty] = []
        if first is not None:
            parties.append(
                intake.NewParty(
                    role=PartyRole.APPLICANT if arrival.is_dispute else PartyRole.REPORTER,
                    name=first.name,
                    id_number=first.id_number or None,
                    phone=first.phone,
                    address=first.address or None,
                )
            )
        if arrival.is_dispute:
            if firm is not None and firm.name in content:
                parties.append(
                    intake.NewParty(
                        role=PartyRole.RESPONDENT,
                        kind=PartyKind.ORGANISATION,
                        name=firm.name,
                        credit_code=firm.credit_code,
                        phone=firm.phone,
                    )
                )
            elif second is not None:
                parties.append(
                    intake.NewParty(
                        role=PartyRole.RESPONDENT,
                        name=second.name,
                        id_number=second.id_number,
                        phone=second.phone,
                        address=second.address,
                    )
                )
        new = intake.NewEvent(
            channel=volume.channel,
            title=title,
            content=content,
            source_id=arrival.source_id,
            is_dispute=arrival.is_dispute and volume.channel in (Channel.COURT, Channel.POLICE_110),
            reporter_name=first.name if first else None,
            reporter_phone=first.phone if first else None,
            occurred_at=arrival.at - timedelta(hours=rng.uniform(0.2, 72)),
            involved_count=rng.choice((2, 2, 2, 3, 4, 6, 12)) if arrival.is_dispute else None,
            parties=parties,
        )
        located_by = volume.located_by if repeat_of is None else "address"
        if located_by == "building":
            new.building_id = place.building_id
            new.address = place.address
        elif located_by == "point":
            new.lon = place.lon + rng.uniform(-0.0002, 0.0002)
            new.lat = place.lat + rng.uniform(-0.0002, 0.0002)
            new.address = place.address
        else:
            # People name their village without the town (the matcher knows village names); a bare road and number
            # could be in any town, so those keep it.
            bare = place.address.removeprefix(town.name)
            unique = bare != place.address and not place.road.endswith(("路", "街", "大道", "巷"))
            new.address = bare if unique and rng.random() < 0.4 else rng.choice(("", "", "温岭市")) + place.address
        match volume.registers_at if repeat_of is None else "county":
            case "grid":
                unit_id = grid.id
            case "town":
                unit_id = town.id
            case _:
                unit_id = world.county.id
        return new, unit_id

    # --- people's steps -----------------------------------------------------------------------------------------

    def _schedule(self, event: Event) -> None:
        step = self.behaviour.next_step(event)
        if step is not None:
            self._counter += 1
            heapq.heappush(self._heap, (step.at, event.source_id or "", self._counter, step, event))

    def _execute(self, step: Step, event: Event, report: SimulationReport) -> bool:
        if len(people_actions(event)) != step.key:
            return False  # stale: the event moved on (an auto-dispatch, a timer) and has a newer step queued
        if step.kind == StepKind.REPEAT:
            self._repeat(event)
            return True
        assert step.request is not None
        savepoint = self.session.begin_nested()
        try:
            perform(session=self.session, viewer=step.viewer, event_id=event.id, request=step.request)
        except FengqiaoError:
            savepoint.rollback()
            report.refused += 1
            self.session.expire(event)
            return False
        savepoint.commit()
        self._schedule(event)
        return True

    def _repeat(self, original: Event) -> None:
        assert original.source_id is not None
        sub = subcategory_code(original)
        if sub is None or sub not in self.taxonomy.subcategories:
            return
        arrival = Arrival(
            at=self._clock.now if self._clock is not None else original.registered_at,
            channel=next(c for c in CHANNELS if c.channel == Channel.HOTLINE_12345),
            source_id=f"{original.source_id}-R",
            subcategory=sub,
            is_dispute=bool(original.is_dispute),
        )
        new, unit_id = self._new_event(arrival, repeat_of=original)
        results = pipeline.register_many(session=self.session, items=[new], registering_unit=self.world.units[unit_id])
        for event in self._events([r.event_id for r in results if r.created and r.event_id is not None]):
            self._repeated += 1
            self._schedule(event)

    # --- timers and auto-dispatch -------------------------------------------------------------------------------

    def _reschedule(self, job: Job) -> None:
        event_id = job.payload.get("event_id")
        if event_id is None and job.payload.get("supervision_id") is not None:
            supervision = self.session.get(Supervision, int(job.payload["supervision_id"]))
            event_id = supervision.event_id if supervision is not None else None
        # The session's own copy is current (every change went through it): no reload.
        event = self.session.get(Event, int(event_id)) if event_id is not None else None
        if event is not None:
            self._schedule(event)

    # --- timers and auto-dispatch: the pending jobs -----------------------------------------------------------------

    def _push_job(self, job: Job) -> None:
        heapq.heappush(self._jobs, (_aware(job.run_at), job.id, job))

    def _track_jobs(self, session: Session, _context: UOWTransaction) -> None:
        """After each flush: the events' jobs just added or moved (by ``jobs.schedule``/``reschedule``) join the queue.
        A job queued twice, or moved since, is recognised when it comes up and skipped."""
        for held in (*session.new, *session.dirty):
            if isinstance(held, Job) and held.kind in JOB_KINDS and held.status == JobStatus.PENDING:
                self._push_job(held)
            elif isinstance(held, EventAction) and held in session.new:
                self._actions_added += 1

    def _due_job(self, upto: datetime) -> Job | None:
        """The first pending job due by ``upto`` (removed from the queue), or None."""
        while self._jobs and self._jobs[0][0] <= upto:
            run_at, _, job = heapq.heappop(self._jobs)
            state = inspect(job)
            # Gone with a rolled-back savepoint, run already, or moved to another time (queued again for that).
            if state.persistent and job.status == JobStatus.PENDING and _aware(job.run_at) == run_at:
                return job
        return None

    def _run_jobs(self, clock: SimulatedClock, upto: datetime) -> int:
        """Run the events' due jobs with their real handlers, each at the moment it was due, in order of due time
        (jobs a handler adds that are due by ``upto`` run too)."""
        ran = 0
        while (job := self._due_job(upto)) is not None:
            clock.set(max(_aware(job.run_at), clock.now))
            actions_before = self._actions_added
            savepoint = self.session.begin_nested()
            try:
                get_handler(job.kind)(self.session, job)
            except FengqiaoError as exc:
                savepoint.rollback()
                job.status = JobStatus.FAILED
                job.last_error = exc.message
            else:
                savepoint.commit()
                job.status = JobStatus.DONE
            job.attempts += 1
            job.finished_at = clock.now
            ran += 1
            if job.kind != STEP_WARNING and self._actions_added != actions_before:
                # Auto-dispatch, overdue and unanswered supervision change what people do next: plan afresh
                # (the step planned before is now stale and will be dropped). A timer that found its step done
                # changed nothing (every change of an event is an action in its timeline): the plan stands.
                self._reschedule(job)
        return ran


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _place_of(world: World, event: Event) -> Place | None:
    if event.building_id is None:
        return None
    return next((p for p in world.places if p.building_id == event.building_id), None)


def _batches(arrivals: list[Arrival]) -> list[list[Arrival]]:
    """An hour's arrivals, one batch per channel (feeds deliver in batches), in order of their first arrival."""
    by_channel: dict[str, list[Arrival]] = {}
    for arrival in arrivals:
        by_channel.setdefault(arrival.channel.code, []).append(arrival)
    return sorted(by_channel.values(), key=lambda batch: (batch[0].at, batch[0].source_id))


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    total = sum(weights.values())
    x = rng.random() * total
    for key, weight in weights.items():
        x -= weight
        if x < 0:
            return key
    return next(reversed(weights))


_PATROLLERS = (DutyRole.GRID_WORKER, DutyRole.PART_TIME_GRID_WORKER, DutyRole.GRID_LEADER)
_OFFICE_CHANNELS = frozenset({Channel.FRONT_DESK, Channel.COURT, Channel.FIRST_PETITION, Channel.GRID_PATROL})


def _arrival_time(rng: random.Random, volume: ChannelVolume) -> time:
    if volume.channel in _OFFICE_CHANNELS:
        hour = rng.choice((8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 15, 16, 17))
        minute = rng.randrange(30, 60) if hour == 8 else rng.randrange(60)
    elif volume.channel == Channel.POLICE_110:
        hour = min(23, max(0, int(rng.gauss(15, 5))))
        minute = rng.randrange(60)
    else:
        hour = min(22, max(7, int(rng.gauss(13, 3.5))))
        minute = rng.randrange(60)
    return time(hour, minute, rng.randrange(60))


def _year_normaliser(weekend_factor: float) -> float:
    """Mean daily factor over a year, so the yearly volume holds whatever the weekend and month factors."""
    start = date(2025, 1, 1)
    total = 0.0
    for offset in range(365):
        day = start + timedelta(days=offset)
        total += (1.0 if is_workday(day) else weekend_factor) * MONTH_FACTOR[day.month]
    return total / 365.0


_YEAR_NORMALISER = {volume.weekend_factor: _year_normaliser(volume.weekend_factor) for volume in CHANNELS}


# --- reading back ---------------------------------------------------------------------------------------------------


def event_digest(session: Session, *, seed: int) -> str:
    """A digest of every simulated event and its timeline (not the random dispute codes): same seed, same digest."""
    prefix = source_prefix(seed)
    digest = hashlib.sha256()
    events = session.scalars(
        select(Event)
        .where(Event.source_id.like(f"{prefix}%"))
        .options(selectinload(Event.actions), selectinload(Event.tasks))
        .order_by(Event.source_id)
    ).all()
    codes: dict[int, str] = {row[0]: row[1] for row in session.execute(select(Unit.id, Unit.code))}
    for event in events:
        digest.update(
            "|".join(
                str(x)
                for x in (
                    event.source_id,
                    event.status,
                    event.level,
                    event.category,
                    event.subcategory,
                    codes.get(event.owner_unit_id),
                    event.is_overdue,
                    event.title,
                )
            ).encode()
        )
        for action in sorted(event.actions, key=lambda a: (a.at, a.id)):
            at = action.at if action.at.tzinfo else action.at.replace(tzinfo=UTC)
            digest.update(
                f"{action.action}|{action.to_status}|{at.isoformat()}|{action.actor_id}|"
                f"{codes.get(action.actor_unit_id or 0)}".encode()
            )
    return digest.hexdigest()


@dataclass(frozen=True)
class LevelSplit:
    village: int
    town: int
    county: int

    @property
    def total(self) -> int:
        return self.village + self.town + self.county

    def share(self, level: str) -> float:
        return getattr(self, level) / self.total if self.total else 0.0


def level_split(session: Session, *, seed: int | None = None) -> LevelSplit:
    """Where closed disputes were resolved (the level of the unit that handled them last)."""
    query = select(Event.level, func.count()).where(
        Event.is_dispute.is_(True), Event.status == EventStatus.CLOSED.value
    )
    if seed is not None:
        query = query.where(Event.source_id.like(f"{source_prefix(seed)}%"))
    counts = dict(session.execute(query.group_by(Event.level)).all())
    return LevelSplit(
        village=counts.get("grid", 0) + counts.get("village", 0),
        town=counts.get("town", 0),
        county=counts.get("county", 0),
    )


# Disputes registered this close to the end of the simulated stretch are mostly still being handled: the resolution
# rate is taken over the disputes registered before (the seed figure is of a year whose matters had time to settle).
SETTLING_DAYS = 30


@dataclass(frozen=True)
class DisputeFigures:
    """The simulated stretch against the seed figures: how many disputes (矛盾纠纷类事项, the events marked as
    disputes — the events total also counts complaints, hazards and requests from the same channels), how many
    of those registered before the last ``SETTLING_DAYS`` days are closed, and where the closed ones were resolved."""

    events: int
    disputes: int
    settled: int  # disputes registered before the last SETTLING_DAYS days
    settled_closed: int
    split: LevelSplit

    @property
    def resolution_rate(self) -> float:
        return self.settled_closed / self.settled if self.settled else 0.0

    @property
    def local_rate(self) -> float:
        """Share of the closed disputes resolved below the county (县级以下就地化解率)."""
        return (self.split.village + self.split.town) / self.split.total if self.split.total else 0.0


def dispute_figures(session: Session, *, seed: int) -> DisputeFigures:
    rows = session.execute(
        select(Event.is_dispute, Event.status, Event.registered_at).where(
            Event.source_id.like(f"{source_prefix(seed)}%"),
            Event.status.not_in([EventStatus.MERGED.value, EventStatus.VOIDED.value]),
        )
    ).all()
    disputes = [(status, _aware(at)) for is_dispute, status, at in rows if is_dispute]
    cutoff = max((at for _, at in disputes), default=None)
    settled = [status for status, at in disputes if cutoff is not None and at <= cutoff - timedelta(days=SETTLING_DAYS)]
    return DisputeFigures(
        events=len(rows),
        disputes=len(disputes),
        settled=len(settled),
        settled_closed=sum(1 for status in settled if status == EventStatus.CLOSED.value),
        split=level_split(session, seed=seed),
    )
