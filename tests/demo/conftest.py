"""The demo (``smartcar-demo``) started as a real subprocess on free ports, as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from smartcar_emulator.server import free_port


class Demo:
    def __init__(self, flow: str, tmp_dir: str) -> None:
        self.port = free_port()
        self.emulator_port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "smartcar_demo.cli", "--flow", flow, "--port", str(self.port),
             "--emulator-port", str(self.emulator_port), "--db", tmp_dir],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")})
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/login").status_code == 302:
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                output = self.process.stdout.read() if self.process.stdout else ""
                raise RuntimeError(f"smartcar-demo did not start:\n{output}")
            time.sleep(0.05)

    def stop(self) -> int:
        self.process.terminate()
        return self.process.wait(timeout=15)


@pytest.fixture()
def start_demo(tmp_path) -> Iterator[Callable[[str], Demo]]:
    started: list[Demo] = []

    def start(flow: str = "code") -> Demo:
        demo = Demo(flow, str(tmp_path / flow))
        started.append(demo)
        return demo

    yield start
    for demo in started:
        if demo.process.poll() is None:
            demo.stop()
