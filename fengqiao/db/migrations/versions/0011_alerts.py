"""sensor and video alerts

Revision ID: 0011_alerts
Revises: 0010_key_registers
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fengqiao.db.types

revision: str = "0011_alerts"
down_revision: str | None = "0010_key_registers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("device_code", sa.String(length=64), nullable=True),
        sa.Column("alert_id", sa.String(length=128), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_dead_letters")),
    )
    op.create_index("ix_alert_dead_letters_received_at", "alert_dead_letters", ["received_at"], unique=False)
    op.create_table(
        "alert_integrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_alert_integrations_created_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_integrations")),
        sa.UniqueConstraint("county_code", "name", name="uq_alert_integrations_county_code_name"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_alert_integrations_token_hash")),
    )
    op.create_table(
        "alert_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=True),
        sa.Column("place", sa.String(length=64), nullable=True),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("vendor", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column(
            "location_path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("owner_name", sa.String(length=32), nullable=True),
        sa.Column("owner_phone", sa.String(length=20), nullable=True),
        sa.Column("heartbeat_seconds", sa.Integer(), nullable=True),
        sa.Column("last_seen_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_heartbeat_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("offline_since", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("flapping_since", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["building_id"], ["buildings.id"], name=op.f("fk_alert_devices_building_id_buildings")),
        sa.ForeignKeyConstraint(["grid_id"], ["units.id"], name=op.f("fk_alert_devices_grid_id_units")),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_alert_devices_room_id_rooms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_devices")),
        sa.UniqueConstraint("county_code", "code", name="uq_alert_devices_county_code_code"),
    )
    op.create_index("ix_alert_devices_code", "alert_devices", ["code"], unique=False)
    op.create_index("ix_alert_devices_county_kind", "alert_devices", ["county_code", "kind"], unique=False)
    op.create_index(op.f("ix_alert_devices_grid_id"), "alert_devices", ["grid_id"], unique=False)
    op.create_index("ix_alert_devices_last_seen_at", "alert_devices", ["last_seen_at"], unique=False)
    op.create_index("ix_alert_devices_location_path", "alert_devices", ["location_path"], unique=False)
    op.create_table(
        "alert_silences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column(
            "unit_path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("starts_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff.id"], name=op.f("fk_alert_silences_created_by_id_staff")),
        sa.ForeignKeyConstraint(["deleted_by_id"], ["staff.id"], name=op.f("fk_alert_silences_deleted_by_id_staff")),
        sa.ForeignKeyConstraint(
            ["device_id"], ["alert_devices.id"], name=op.f("fk_alert_silences_device_id_alert_devices")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_alert_silences_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_silences")),
    )
    op.create_index("ix_alert_silences_county_ends_at", "alert_silences", ["county_code", "ends_at"], unique=False)
    op.create_table(
        "alert_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("group_key", sa.String(length=120), nullable=False),
        sa.Column("open_key", sa.String(length=120), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_signal", sa.String(length=12), nullable=False),
        sa.Column("first_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("armed_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("window_ends_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("alert_count", sa.Integer(), nullable=False),
        sa.Column("alarm_count", sa.Integer(), nullable=False),
        sa.Column("cancel_count", sa.Integer(), nullable=False),
        sa.Column("flaps", sa.Integer(), nullable=False),
        sa.Column(
            "location_path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("silence_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("created_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["alert_devices.id"], name=op.f("fk_alert_groups_device_id_alert_devices")
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_alert_groups_event_id_events")),
        sa.ForeignKeyConstraint(
            ["silence_id"], ["alert_silences.id"], name=op.f("fk_alert_groups_silence_id_alert_silences")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_groups")),
        sa.UniqueConstraint("open_key", name=op.f("uq_alert_groups_open_key")),
    )
    op.create_index(
        "ix_alert_groups_county_status_first_at", "alert_groups", ["county_code", "status", "first_at"], unique=False
    )
    op.create_index(op.f("ix_alert_groups_device_id"), "alert_groups", ["device_id"], unique=False)
    op.create_index(op.f("ix_alert_groups_due_at"), "alert_groups", ["due_at"], unique=False)
    op.create_index(op.f("ix_alert_groups_event_id"), "alert_groups", ["event_id"], unique=False)
    op.create_index(
        "ix_alert_groups_location_path_first_at", "alert_groups", ["location_path", "first_at"], unique=False
    )
    op.create_table(
        "alert_dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "location_path",
            sa.String(length=160).with_variant(sa.String(length=160, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("notified_staff_ids", sa.JSON(), nullable=False),
        sa.Column("dispatched_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ack_deadline", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("arrive_by", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("arrived_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("arrived_by_id", sa.Integer(), nullable=True),
        sa.Column("arrived_late", sa.Boolean(), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("result_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result_by_id", sa.Integer(), nullable=True),
        sa.Column("result_note", sa.String(length=500), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["staff.id"], name=op.f("fk_alert_dispatches_acknowledged_by_id_staff")
        ),
        sa.ForeignKeyConstraint(["arrived_by_id"], ["staff.id"], name=op.f("fk_alert_dispatches_arrived_by_id_staff")),
        sa.ForeignKeyConstraint(
            ["device_id"], ["alert_devices.id"], name=op.f("fk_alert_dispatches_device_id_alert_devices")
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_alert_dispatches_event_id_events")),
        sa.ForeignKeyConstraint(["grid_id"], ["units.id"], name=op.f("fk_alert_dispatches_grid_id_units")),
        sa.ForeignKeyConstraint(
            ["group_id"], ["alert_groups.id"], name=op.f("fk_alert_dispatches_group_id_alert_groups")
        ),
        sa.ForeignKeyConstraint(["result_by_id"], ["staff.id"], name=op.f("fk_alert_dispatches_result_by_id_staff")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_alert_dispatches_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_dispatches")),
        sa.UniqueConstraint("group_id", name=op.f("uq_alert_dispatches_group_id")),
    )
    op.create_index("ix_alert_dispatches_county_result", "alert_dispatches", ["county_code", "result"], unique=False)
    op.create_index(op.f("ix_alert_dispatches_device_id"), "alert_dispatches", ["device_id"], unique=False)
    op.create_index(op.f("ix_alert_dispatches_event_id"), "alert_dispatches", ["event_id"], unique=False)
    op.create_index("ix_alert_dispatches_location_path", "alert_dispatches", ["location_path"], unique=False)
    op.create_index(op.f("ix_alert_dispatches_unit_id"), "alert_dispatches", ["unit_id"], unique=False)
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("signal", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=True),
        sa.Column("at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("grouped_at", fengqiao.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["alert_devices.id"], name=op.f("fk_alerts_device_id_alert_devices")),
        sa.ForeignKeyConstraint(["group_id"], ["alert_groups.id"], name=op.f("fk_alerts_group_id_alert_groups")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("device_id", "alert_id", name="uq_alerts_device_id_alert_id"),
    )
    op.create_index("ix_alerts_county_received_at", "alerts", ["county_code", "received_at"], unique=False)
    op.create_index(op.f("ix_alerts_group_id"), "alerts", ["group_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_alerts_group_id"), table_name="alerts")
    op.drop_index("ix_alerts_county_received_at", table_name="alerts")
    op.drop_table("alerts")
    op.drop_index(op.f("ix_alert_dispatches_unit_id"), table_name="alert_dispatches")
    op.drop_index("ix_alert_dispatches_location_path", table_name="alert_dispatches")
    op.drop_index(op.f("ix_alert_dispatches_event_id"), table_name="alert_dispatches")
    op.drop_index(op.f("ix_alert_dispatches_device_id"), table_name="alert_dispatches")
    op.drop_index("ix_alert_dispatches_county_result", table_name="alert_dispatches")
    op.drop_table("alert_dispatches")
    op.drop_index("ix_alert_groups_location_path_first_at", table_name="alert_groups")
    op.drop_index(op.f("ix_alert_groups_event_id"), table_name="alert_groups")
    op.drop_index(op.f("ix_alert_groups_due_at"), table_name="alert_groups")
    op.drop_index(op.f("ix_alert_groups_device_id"), table_name="alert_groups")
    op.drop_index("ix_alert_groups_county_status_first_at", table_name="alert_groups")
    op.drop_table("alert_groups")
    op.drop_index("ix_alert_silences_county_ends_at", table_name="alert_silences")
    op.drop_table("alert_silences")
    op.drop_index("ix_alert_devices_location_path", table_name="alert_devices")
    op.drop_index("ix_alert_devices_last_seen_at", table_name="alert_devices")
    op.drop_index(op.f("ix_alert_devices_grid_id"), table_name="alert_devices")
    op.drop_index("ix_alert_devices_county_kind", table_name="alert_devices")
    op.drop_index("ix_alert_devices_code", table_name="alert_devices")
    op.drop_table("alert_devices")
    op.drop_table("alert_integrations")
    op.drop_index("ix_alert_dead_letters_received_at", table_name="alert_dead_letters")
    op.drop_table("alert_dead_letters")
