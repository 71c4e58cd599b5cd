"""The demo county's sensor devices: scaled like the rest of the demo, each in a grid, the same for the same seed,
seeded for an older county by `ensure`, and a known integration token that the ingest endpoint accepts."""

from __future__ import annotations

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from fengqiao.alerts.integrations import integration_for
from fengqiao.alerts.kinds import AlertKind
from fengqiao.alerts.models import AlertDevice, AlertIntegration
from fengqiao.demo import devices as demo_devices
from fengqiao.demo.seeding import ensure_demo_county, seed_demo_county
from tests.conftest import SEEDED_SCALE, SEEDED_SEED

TINY = 0.001


def test_counts_follow_the_scale() -> None:
    assert demo_devices.device_counts(1.0) == {
        AlertKind.SMOKE: 170_000,
        AlertKind.DROWNING: 18_900,
        AlertKind.INTRUSION: 14_700,
        AlertKind.KEY_PERSON: 8_400,
    }
    small = demo_devices.device_counts(0.01)
    assert small[AlertKind.SMOKE] == 1_700
    assert sum(small.values()) - small[AlertKind.SMOKE] == 420


def test_the_seeded_county_has_its_devices_in_grids_and_the_demo_token(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        counts = dict(session.execute(select(AlertDevice.kind, func.count()).group_by(AlertDevice.kind)).all())
        assert counts == {k.value: n for k, n in demo_devices.device_counts(SEEDED_SCALE).items()}
        unplaced = session.scalar(select(func.count()).select_from(AlertDevice).where(AlertDevice.grid_id.is_(None)))
        assert unplaced == 0
        cameras = session.scalars(select(AlertDevice).where(AlertDevice.kind == "drowning").limit(5)).all()
        assert all(c.place and c.place.endswith(("水库", "山塘", "河道", "池塘", "溪滩")) for c in cameras)
        assert session.scalar(select(func.count()).where(AlertDevice.offline_since.is_not(None))) >= 1
        assert session.scalar(select(func.count()).where(AlertDevice.flapping_since.is_not(None))) >= 1
        found = integration_for(session=session, raw=demo_devices.DEMO_ALERT_TOKEN)
        assert found is not None
        assert found.county_code == "331081"
        # The same seed gives the same devices.
        again = demo_devices.device_rows(session, county_code="331081", scale=SEEDED_SCALE, seed=SEEDED_SEED)
        stored = dict(session.execute(select(AlertDevice.code, AlertDevice.building_id)).all())
        assert {row["code"]: row["building_id"] for row in again} == stored


def test_ensure_adds_devices_to_a_county_loaded_without_them(isolated_engine: Engine) -> None:
    seed_demo_county(engine=isolated_engine, scale=TINY, seed=7)
    with Session(isolated_engine) as session:
        session.execute(delete(AlertDevice))
        session.execute(delete(AlertIntegration))
        session.commit()
    assert ensure_demo_county(engine=isolated_engine, scale=TINY, seed=7) is None
    with Session(isolated_engine) as session:
        total = session.scalar(select(func.count()).select_from(AlertDevice))
        assert total == sum(demo_devices.device_counts(TINY).values())
        assert integration_for(session=session, raw=demo_devices.DEMO_ALERT_TOKEN) is not None
    # A county that has devices is left alone.
    assert demo_devices.ensure_demo_devices(engine=isolated_engine, scale=TINY, seed=7) is None
    # Regenerating the county replaces its devices (they refer to its buildings).
    seed_demo_county(engine=isolated_engine, scale=TINY, seed=8, replace=True)
    with Session(isolated_engine) as session:
        assert session.scalar(select(func.count()).select_from(AlertDevice)) == total
