"""The demo (``smartcar-demo``) started as a real subprocess on free ports, as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from smartcar_emulator.server import free_port
from tests.conftest import wait_until_serving


SCRIPT = str(Path(sys.executable).with_name("smartcar-demo"))


class Demo:
    def __init__(self, flow: str, tmp_dir: str, extra: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.emulator_port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.process = subprocess.Popen(  # the installed console script, launcher included
            [SCRIPT, "--flow", flow, "--port", str(self.port),
             "--emulator-port", str(self.emulator_port), "--db", tmp_dir, *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("SMARTCAR_")})
        wait_until_serving(self.process, f"http://127.0.0.1:{self.port}/login", status=302)

    def stop(self) -> int:
        self.process.terminate()
        return self.process.wait(timeout=15)


@pytest.fixture()
def start_demo(tmp_path) -> Iterator[Callable[[str], Demo]]:
    started: list[Demo] = []

    def start(flow: str = "code", *extra: str) -> Demo:
        demo = Demo(flow, str(tmp_path / flow), extra)
        started.append(demo)
        return demo

    yield start
    for demo in started:
        if demo.process.poll() is None:
            demo.stop()
