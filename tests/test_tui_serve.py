"""The app in a browser: `textual-serve`'s `Server` on 127.0.0.1, the page over HTTP, then a
session over its websocket (what a browser does), until the app's first screen arrives."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

aiohttp = pytest.importorskip("aiohttp")
pytest.importorskip("textual_serve")

ROOT = Path(__file__).resolve().parent.parent
SERVE = (
    "import sys; from textual_serve.server import Server; "
    "Server(sys.argv[1], host='127.0.0.1', port=int(sys.argv[2])).serve()"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def fetch_page(url: str, tries: int = 300) -> str:
    """The page once the server listens (it starts in a child process)."""
    async with aiohttp.ClientSession() as session:
        for _ in range(tries):
            try:
                async with session.get(url) as response:
                    assert response.status == 200
                    return str(await response.text())
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise AssertionError(f"nothing served at {url}")


async def first_screen(url: str, wanted: bytes, limit: float = 120) -> bytes:
    """Open a session as the browser does and collect its output until `wanted` shows."""
    seen = b""
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        async with asyncio.timeout(limit):
            while wanted not in seen:
                message = await ws.receive()
                if message.type == aiohttp.WSMsgType.BINARY:
                    seen += message.data
                elif message.type == aiohttp.WSMsgType.TEXT:
                    seen += message.data.encode("utf-8")
                else:
                    break
    return seen


def test_the_app_is_served_to_a_browser_on_localhost(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, DIFFVIEW_STORE=str(tmp_path / "store"))
    command = f"{sys.executable} -m tui.app"
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, command, str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        page = asyncio.run(fetch_page(f"http://127.0.0.1:{port}/"))
        assert "textual" in page.casefold()
        assert f"ws://127.0.0.1:{port}/ws" in page  # the session the page opens
        output = asyncio.run(
            first_screen(f"ws://127.0.0.1:{port}/ws?width=120&height=35", b"Timeline")
        )
        assert b"Timeline" in output  # the app started and painted its first screen
        assert (tmp_path / "store").is_dir()  # built for the session, where it was told
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
