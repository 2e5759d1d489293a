"""The README's run command: the demo's story, then a demo department served to a browser."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.functional.console.conftest import csrf_of


def free_port() -> int:
    """Return a loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_demo_serves_a_department_a_newcomer_logs_on_to(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PLATEWARDEN_LISTEN": f"127.0.0.1:{port}", "COLUMNS": "200"}
    command = [str(Path(sys.executable).parent / "platewarden"), "demo", "--data-dir"]
    demo = subprocess.Popen(
        [*command, str(tmp_path / "demo"), "--every", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        printed = ""
        assert demo.stdout is not None
        for line in demo.stdout:
            printed += line
            if "Stop with Ctrl+C" in line:
                break
        assert f"open at http://127.0.0.1:{port}/" in printed, printed
        officer = re.search(r"│ officer\s+│ (\S+)\s+│", printed)
        assert officer, printed
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as browser:
            for _ in range(100):
                try:
                    form = browser.get("/login")
                    break
                except httpx.ConnectError:
                    time.sleep(0.2)
            logged_on = browser.post(
                "/login",
                data={
                    "username": "officer",
                    "password": officer.group(1),
                    "csrf_token": csrf_of(form.text),
                },
            )
            assert logged_on.status_code == 303, logged_on.text
            for _ in range(50):  # the live camera reads the wanted plate within seconds
                feed = browser.get("/alerts/feed")
                if "KXT442" in feed.text:
                    break
                time.sleep(0.5)
            assert "KXT442" in feed.text
    finally:
        demo.terminate()
        demo.wait(timeout=30)
        assert demo.stdout is not None
        demo.stdout.close()
