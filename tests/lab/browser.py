"""A JupyterLab and a headless Chromium for `make lab-check`, driven over the DevTools protocol.

Only what the check needs: start both, run JavaScript in the page (awaiting promises), wait for a
condition, take a screenshot. websocket-client comes with Jupyter; nothing else is installed.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import websocket

TOKEN = "cswo-lab-check"


class CheckFailed(Exception):
    """The lab did not do what the analyst expects (a timeout counts)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise CheckFailed(f"{url} did not answer within {seconds:.0f} s")


def start_chromium(port: int, profile: Path) -> subprocess.Popen:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        raise CheckFailed("Chromium is not installed (apt-get install chromium)")
    return subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--remote-debugging-port={port}", f"--user-data-dir={profile}", "--window-size=1400,1100", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


class Browser:
    """One page of a headless Chromium."""

    def __init__(self, port: int) -> None:
        wait_for(f"http://127.0.0.1:{port}/json/version")
        self.ids = 0
        target = next(t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
                      if t.get("type") == "page")  # fmt: skip
        self.socket = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=600)
        self.call("Runtime.enable")

    def call(self, method: str, **params):
        self.ids += 1
        self.socket.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.ids:
                if "error" in message:
                    raise CheckFailed(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression: str):
        found = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in found:
            details = found["exceptionDetails"]
            raise CheckFailed(f"in the page: {details.get('exception', {}).get('description') or details}")
        return found.get("result", {}).get("value")

    def until(self, expression: str, what: str, seconds: float = 180):
        """The expression's value once it is truthy; CheckFailed naming ``what`` after ``seconds``."""
        deadline = time.time() + seconds
        value = None
        while time.time() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.5)
        raise CheckFailed(f"timed out after {seconds:.0f} s waiting for {what} (last: {value!r})")

    def screenshot(self, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        return target

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)
