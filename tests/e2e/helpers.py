"""Helpers for browser tests."""

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class AppServer:
    """A Streamlit server for app.py on a free loopback port (use as a context manager)."""

    def __init__(self, log_path, env_extra: dict | None = None, port: int | None = None):
        import socket

        self.log_path = Path(log_path)
        self.env_extra = env_extra or {}
        if port is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc = None

    def __enter__(self):
        import os
        import subprocess
        import sys
        import time
        import urllib.request

        root = Path(__file__).resolve().parents[2]
        env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false", **self.env_extra)
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(root / "app.py"), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=root, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("streamlit exited early:\n" + self.log_path.read_text(errors="replace"))
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("streamlit did not become healthy:\n" + self.log_path.read_text(errors="replace"))

    def __exit__(self, *exc):
        import subprocess

        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()
        return False
