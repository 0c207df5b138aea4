"""A real Redis server on 127.0.0.1 for the tests that share rate limits between servers:
the one TEST_REDIS_URL names (.ci/run starts it), or one started for the test."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid

from redis import Redis
from redis.exceptions import ConnectionError as RedisDown

from helpers import free_port

NOT_INSTALLED = "redis-server is not installed (sudo apt install redis-server; .ci/run does)"


SHARED_URL = os.environ.get("TEST_REDIS_URL", "")


class RedisServer:
    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        # Tests sharing one server count under prefixes of their own.
        self.key_prefix = f"test-{uuid.uuid4().hex}"

    @property
    def url(self) -> str:
        return SHARED_URL or f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if SHARED_URL:
            Redis.from_url(SHARED_URL, socket_timeout=2).ping()
            return
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--bind", "127.0.0.1", "--port", str(self.port),
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = Redis(port=self.port, socket_timeout=1)
        for _ in range(100):
            try:
                client.ping()
                return
            except RedisDown:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
