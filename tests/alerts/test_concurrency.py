"""At-least-once delivery made exactly-once: concurrent redeliveries of the same batch store each alert once and
count it once in its group, on a database of the test's own with real connections and transactions."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fengqiao.alerts import devices
from fengqiao.alerts.intake import IngestResult, clear_caches, ingest
from fengqiao.alerts.models import Alert, AlertGroup
from fengqiao.db import migrate
from fengqiao.db.engine import for_writing
from tests.alerts.conftest import T0, message

CLIENTS = 4
DEVICES = 50


def test_concurrent_redeliveries_store_and_group_each_alert_once(isolated_engine: Engine) -> None:
    migrate.upgrade(isolated_engine)
    with Session(isolated_engine) as session:
        devices.bulk_register(
            session=session, county_code="331081", rows=[{"code": f"C-{i}", "kind": "smoke"} for i in range(DEVICES)]
        )
        session.commit()
    clear_caches()
    batch = [message(f"C-{i}", f"a-{i}-{n}", at=T0 + timedelta(seconds=n)) for i in range(DEVICES) for n in range(2)]
    writer = for_writing(isolated_engine)
    barrier = threading.Barrier(CLIENTS)

    def deliver(client: int) -> IngestResult:
        barrier.wait(timeout=30)
        with Session(writer) as session:
            # Each client sends the batch in its own order, so the transactions interleave on different rows.
            ordered = batch if client % 2 == 0 else list(reversed(batch))
            result = ingest(
                session=session, payloads=ordered, source=f"c{client}", county_code="331081", received_at=T0
            )
            session.commit()
            return result

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(deliver, range(CLIENTS)))
    assert sum(r.accepted for r in results) == len(batch)
    assert sum(r.duplicates for r in results) == len(batch) * (CLIENTS - 1)
    with Session(isolated_engine) as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == len(batch)
        counts = session.scalars(select(AlertGroup.alert_count)).all()
        assert sorted(counts) == [2] * DEVICES
        assert session.scalar(select(func.count()).select_from(Alert).where(Alert.group_id.is_(None))) == 0


def test_concurrent_batches_for_the_same_devices_share_their_groups(isolated_engine: Engine) -> None:
    migrate.upgrade(isolated_engine)
    with Session(isolated_engine) as session:
        devices.bulk_register(
            session=session, county_code="331081", rows=[{"code": f"C-{i}", "kind": "smoke"} for i in range(DEVICES)]
        )
        session.commit()
    clear_caches()
    writer = for_writing(isolated_engine)
    barrier = threading.Barrier(CLIENTS)

    def deliver(client: int) -> IngestResult:
        # Different alerts of the same devices: the clients race to open each device's group.
        batch = [message(f"C-{i}", f"c{client}-{i}", at=T0 + timedelta(seconds=client)) for i in range(DEVICES)]
        barrier.wait(timeout=30)
        with Session(writer) as session:
            result = ingest(session=session, payloads=batch, source=f"c{client}", county_code="331081", received_at=T0)
            session.commit()
            return result

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(deliver, range(CLIENTS)))
    assert sum(r.accepted for r in results) == DEVICES * CLIENTS
    with Session(isolated_engine) as session:
        assert sorted(session.scalars(select(AlertGroup.alert_count)).all()) == [CLIENTS] * DEVICES
