"""Runtime settings, read from the environment (prefix ``FENGQIAO_``) and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")
# `make setup` installs the front-end libraries (package.json) into the project's node_modules.
DEFAULT_ASSETS_DIR = Path(__file__).resolve().parent.parent / "node_modules"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FENGQIAO_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=DEFAULT_DATA_DIR, description="Where the embedded database and files live.")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is SQLite in WAL mode at <data_dir>/fengqiao.db."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    log_json: bool = False
    county_code: str = Field(default="331081", description="The county this installation serves (温岭市).")
    demo_scale: float = Field(default=0.05, description="Scale of the demo county `make run` loads.")
    demo_seed: int = 20231
    assets_dir: Path = Field(
        default=DEFAULT_ASSETS_DIR,
        description="Folder holding the npm front-end packages served under /static/vendor/ (no CDN on intranets).",
    )
    tile_url: str | None = Field(
        default=None,
        description="Base-map tile URL template on the intranet, e.g. http://gis.local/{z}/{x}/{y}.png; none = "
        "boundaries only.",
    )
    tile_attribution: str = Field(default="", description="Attribution shown under the base map when tiles are used.")
    # Sensor alerts over MQTT (fengqiao/alerts/mqtt.py). No host = no subscriber: the HTTP webhook still works.
    mqtt_host: str | None = Field(default=None, description="MQTT broker (Mosquitto, EMQX); none = HTTP intake only.")
    mqtt_port: int = 1883
    mqtt_username: str | None = None
    mqtt_password: SecretStr | None = None
    mqtt_tls: bool = Field(default=False, description="Connect with TLS (port usually 8883).")
    mqtt_ca_file: Path | None = Field(default=None, description="CA bundle for the broker's certificate (TLS).")
    mqtt_client_id: str = Field(default="fengqiao-alerts", description="Fixed: the broker keeps the session by it.")
    mqtt_topic: str = "fengqiao/+/alerts/#"
    mqtt_shared_group: str | None = Field(
        default=None, description="Subscribe as $share/<group>/… so several subscribers split the load (EMQX)."
    )
    mqtt_batch_size: int = Field(default=1000, description="Messages per database transaction at most.")
    mqtt_batch_ms: int = Field(default=50, description="How long a batch waits to fill before it is written.")
    mqtt_session_expiry: int = Field(default=7 * 24 * 3600, description="Seconds the broker keeps our queue.")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'fengqiao.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
