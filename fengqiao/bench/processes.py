"""What several benchmarks start around the code they measure: a free local port, `fengqiao serve` in a subprocess
waited for on /healthz, and a throwaway PostgreSQL database dropped afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(
    database_url: str, *, log_path: Path | None = None, startup_seconds: float = 300, extra: tuple[str, ...] = ()
) -> Iterator[str]:
    """`fengqiao serve --no-worker` on a free port, waited for on /healthz (a loaded machine may take a while: the
    server warms the classifier before it answers). Yields the base URL."""
    port = free_port()
    env = {**os.environ, "FENGQIAO_DATABASE_URL": database_url, "FENGQIAO_LOG_LEVEL": "WARNING"}
    env.pop("FENGQIAO_MQTT_HOST", None)
    command = [sys.executable, "-m", "fengqiao", "serve", "--no-worker", *extra, "--port", str(port)]
    if log_path is None:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    else:
        with log_path.open("ab") as log:
            process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with code {process.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def postgres_database(server_url: str, *, prefix: str) -> Iterator[str]:
    """A new database on the PostgreSQL server of ``server_url``, dropped (connections and all) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
