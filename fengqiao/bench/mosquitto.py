"""A private Mosquitto broker for benchmarks and tests: its own port, password file and persistence folder.

Never the system's broker: a run must not depend on (or disturb) whatever listens on 1883, and CI starts none. The
configuration is what a production broker for sensor alerts needs too: no anonymous clients, persistence on (queued
QoS 1 messages survive a broker restart), and no per-client queue limit — Mosquitto's default keeps only 1,000
queued messages for a subscriber that is offline or slow and silently drops the rest, which would lose alerts
during a subscriber restart in a burst.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from fengqiao.bench.processes import free_port

USERNAME = "fengqiao"
PASSWORD = "fengqiao-test-secret"
_CANDIDATES = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto")


def find_binary(name: str = "mosquitto") -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in _CANDIDATES:
        path = Path(candidate).with_name(name)
        if path.exists():
            return str(path)
    return None


@dataclass
class PrivateBroker:
    """``with PrivateBroker() as broker:`` — Mosquitto on 127.0.0.1:``broker.port``; ``stop``/``start`` restart it
    on the same port and folder (its persisted queue kept)."""

    username: str = USERNAME
    password: str = PASSWORD
    port: int = field(default_factory=free_port)
    folder: Path | None = None
    # A second listener speaking TLS (certificate and key in PEM, e.g. signed by a test CA); plain stays on ``port``.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_port: int | None = None
    process: subprocess.Popen[bytes] | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> PrivateBroker:
        self.start()
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def log_path(self) -> Path:
        assert self.folder is not None
        return self.folder / "mosquitto.log"

    def _configure(self) -> Path:
        binary = find_binary("mosquitto")
        passwd = find_binary("mosquitto_passwd")
        if binary is None or passwd is None:
            raise FileNotFoundError("mosquitto is not installed (tools/install-system-packages mosquitto)")
        if self.folder is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="fengqiao-mosquitto-")
            self.folder = Path(self._tmp.name)
        password_file = self.folder / "passwd"
        if not password_file.exists():
            subprocess.run(
                [passwd, "-b", "-c", str(password_file), self.username, self.password],
                check=True,
                capture_output=True,
            )
            password_file.chmod(0o600)
        (self.folder / "data").mkdir(exist_ok=True)
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous false",
            f"password_file {password_file}",
            "persistence true",
            f"persistence_location {self.folder / 'data'}/",
            "autosave_interval 60",
            "max_queued_messages 0",  # no limit: see the module's docstring
            "max_queued_bytes 0",
            "max_inflight_messages 0",  # MQTT 3.1.1 clients; v5 clients announce their receive maximum
            "set_tcp_nodelay true",
            f"log_dest file {self.log_path}",
            "log_type error",
            "log_type warning",
            "log_type notice",
        ]
        if self.tls_cert is not None and self.tls_key is not None:
            self.tls_port = self.tls_port or free_port()
            lines += [f"listener {self.tls_port} 127.0.0.1", f"certfile {self.tls_cert}", f"keyfile {self.tls_key}"]
        if os.geteuid() == 0:
            lines.append("user root")  # run as root would otherwise switch to a `mosquitto` user that cannot read it
        config = self.folder / "mosquitto.conf"
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return config

    def start(self, *, timeout: float = 10.0) -> None:
        config = self._configure()
        binary = find_binary("mosquitto")
        assert binary is not None
        self.process = subprocess.Popen(
            [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                log = self.log_path.read_text(encoding="utf-8") if self.log_path.exists() else ""
                raise RuntimeError(f"mosquitto exited with code {self.process.returncode}: {log[-2000:]}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"mosquitto did not listen on port {self.port}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Mosquitto saves its persistence file before it exits
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def environment(self) -> dict[str, str]:
        """The settings that point ``fengqiao alerts subscribe`` (or ``fengqiao serve``) at this broker."""
        return {
            "FENGQIAO_MQTT_HOST": self.host,
            "FENGQIAO_MQTT_PORT": str(self.port),
            "FENGQIAO_MQTT_USERNAME": self.username,
            "FENGQIAO_MQTT_PASSWORD": self.password,
        }
