"""The live dashboard: a poller thread folding chain events, and a Starlette app streaming them.

    dash = Dashboard(rpc_url, deployment_file, data_dir=Path(".emergent/agents"))
    dash.serve(port=8600)                           # blocks (emergent dashboard)
    url = dash.start_background(port=0)             # a thread (simulate --dashboard, tests); dash.stop()

Routes: `/` the page, `/static/plotly.min.js` plotly.js from the pinned plotly package (so the page
works offline), `/api/state` the current snapshot as JSON, `/events` server-sent events: one `data:`
line with the snapshot whenever it changed (checked every 0.25 s), a comment every 15 s otherwise.

The poller (one thread): an `EventIndexer` over the watched contracts from the deployment block, every
event folded into `DashboardState`; new jobs' descriptions (`descriptionOf`, once per job) and live
proposals' `Governor.state` are read after each poll; when a data dir is given, each agent's last
cycle report (`<data_dir>/<address>/metrics.jsonl`: L4.9 status, survival class, ASS) and its persona
(`agent.log.jsonl`'s `started` line) are read. An unreachable RPC is shown, never fatal.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import plotly
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from starlette.routing import Route

from agents.chain.contracts import Contracts
from agents.chain.indexer import EventIndexer
from agents.dashboard.state import DashboardState

log = logging.getLogger(__name__)
PAGE = Path(__file__).with_name("page.html")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
WATCHED = ("AgentToken", "AgentRegistry", "Staking", "Reputation", "ServiceEscrow", "Governor")
SSE_CHECK = 0.25
SSE_KEEPALIVE = 15.0


def _tail_line(path: Path, chunk: int = 8192) -> str | None:
    """The last complete line of a text file (None if it has none)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - chunk))
            data = fh.read()
    except OSError:
        return None
    lines = [ln for ln in data.split(b"\n") if ln.strip()]
    if not data.endswith(b"\n") and lines:
        lines.pop()  # a line being written
    return lines[-1].decode("utf-8", "replace") if lines else None


class MindReader:
    """Each agent's latest cycle report from its data dir (the agents write it; we only read)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.personas: dict[str, str] = {}

    def _persona(self, d: Path) -> str:
        key = d.name
        if key not in self.personas:
            try:
                with open(d / "agent.log.jsonl", encoding="utf-8") as fh:
                    for _, line in zip(range(50), fh, strict=False):
                        rec = json.loads(line)
                        if rec.get("event") == "started" and rec.get("persona"):
                            self.personas[key] = str(rec["persona"])
                            break
            except (OSError, json.JSONDecodeError):
                return ""
        return self.personas.get(key, "")

    def read(self, checksum: dict[str, str]) -> dict[str, dict[str, Any]]:
        """{checksummed address: {"persona", "status", "survival", "ass", "cycle"}}; `checksum` maps the
        lower-case directory names to the chain's spelling."""
        out: dict[str, dict[str, Any]] = {}
        # the agents' data dirs are named by lower-case address (agent.Agent.dir)
        if not self.data_dir.is_dir():
            return out
        for d in sorted(self.data_dir.iterdir()):
            if not (d.is_dir() and d.name.startswith("0x") and len(d.name) == 42):
                continue
            line = _tail_line(d / "metrics.jsonl")
            rec: dict[str, Any] = {}
            if line:
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    rec = {}
            addr = checksum.get(d.name.lower()) or _checksum(d.name)
            out[addr] = {
                "persona": self._persona(d),
                "status": str(rec.get("status", "")),
                "survival": str(rec.get("survival", "")),
                "ass": rec.get("ass"),
                "cycle": rec.get("cycle"),
            }
        return out


def _checksum(addr: str) -> str:
    from eth_utils.address import to_checksum_address

    return to_checksum_address(addr)


class Dashboard:
    def __init__(
        self, rpc_url: str, deployment_file: Path, data_dir: Path | None = None, poll_interval: float = 0.5
    ) -> None:
        from agents.runtime.process import make_web3

        self.rpc_url = rpc_url
        self.web3 = make_web3(rpc_url)
        self.c = Contracts.load(self.web3, deployment_file=Path(deployment_file))
        names = [n for n in WATCHED if n in self.c]
        self.indexer = EventIndexer(
            self.web3,
            self.c.watch_list(names),
            start_block=int(self.c.deployment.get("block", 0)),
            max_range=2000,
        )
        self.state = DashboardState()
        self.minds = MindReader(data_dir) if data_dir else None
        self.poll_interval = poll_interval
        self.lock = threading.Lock()
        self._snapshot = json.dumps(self._full_snapshot())
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: uvicorn.Server | None = None
        self.app = self._make_app()

    # ------------------------------------------------------------------ polling
    def poll_once(self) -> None:
        events = self.indexer.poll()
        st = self.state
        with self.lock:
            for ev in events:
                st.apply(ev)
        reads: list[tuple[str, int, Any]] = []
        try:
            esc = self.c["ServiceEscrow"].functions
            for jid in st.jobs_without_service():
                reads.append(("job", jid, esc.descriptionOf(jid).call()))
            if "Governor" in self.c:
                gov = self.c["Governor"].functions
                for pid in st.live_proposals():
                    reads.append(("proposal", pid, int(gov.state(pid).call())))
        except Exception as exc:  # noqa: BLE001 - a failed read is retried on the next poll
            log.warning("dashboard: read failed: %s", exc)
        minds = None
        if self.minds is not None:
            known = {a.lower(): a for a in st.agents()}
            minds = self.minds.read(known)
        with self.lock:
            for kind, key, value in reads:
                if kind == "job":
                    st.set_service(key, value)
                else:
                    st.set_proposal_state(key, value)
            if minds is not None:
                st.set_minds(minds)
            if self.indexer.health.head is not None:
                st.set_head(self.indexer.health.head)
            self._snapshot = json.dumps(self._full_snapshot())

    def _full_snapshot(self) -> dict[str, Any]:
        snap = self.state.snapshot()
        h = self.indexer.health
        snap["rpc"] = {"url": _redact(self.rpc_url), "available": h.available, "error": h.last_error}
        snap["time"] = time.time()
        return snap

    def snapshot_json(self) -> tuple[int, str]:
        with self.lock:
            return self.state.version, self._snapshot

    def _poll_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # the dashboard keeps showing the last state
                log.exception("dashboard: poll failed")
            self._stop.wait(self.poll_interval)

    # ------------------------------------------------------------------ web
    def _make_app(self) -> Starlette:
        async def page(_: Request) -> HTMLResponse:
            return HTMLResponse(PAGE.read_text(encoding="utf-8"))

        async def plotly_js(_: Request) -> FileResponse:
            return FileResponse(PLOTLY_JS, media_type="application/javascript")

        async def state(_: Request) -> JSONResponse:
            return JSONResponse(json.loads(self.snapshot_json()[1]))

        async def events(request: Request) -> StreamingResponse:
            async def stream() -> AsyncIterator[str]:
                sent, quiet = -1, 0.0
                while not self._stop.is_set():
                    if await request.is_disconnected():
                        break
                    version, text = self.snapshot_json()
                    if version != sent:
                        sent, quiet = version, 0.0
                        yield f"data: {text}\n\n"
                    elif quiet >= SSE_KEEPALIVE:
                        quiet = 0.0
                        yield ": keep-alive\n\n"
                    await asyncio.sleep(SSE_CHECK)
                    quiet += SSE_CHECK

            return StreamingResponse(
                stream(),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )

        return Starlette(
            routes=[
                Route("/", page),
                Route("/static/plotly.min.js", plotly_js),
                Route("/api/state", state),
                Route("/events", events),
            ]
        )

    def _start_poller(self) -> None:
        t = threading.Thread(target=self._poll_loop, name="dashboard-poller", daemon=True)
        t.start()
        self._threads.append(t)

    def serve(self, host: str = "127.0.0.1", port: int = 8600) -> None:
        """Run until interrupted (Ctrl-C)."""
        self._start_poller()
        self._server = uvicorn.Server(uvicorn.Config(self.app, host=host, port=port, log_level="warning"))
        try:
            self._server.run()
        finally:
            self._stop.set()

    def start_background(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Poller and server in daemon threads; returns the page's URL once it answers."""
        if port == 0:
            with socket.socket() as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        self._start_poller()
        self._server = uvicorn.Server(uvicorn.Config(self.app, host=host, port=port, log_level="warning"))
        t = threading.Thread(target=self._server.run, name="dashboard-server", daemon=True)
        t.start()
        self._threads.append(t)
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not t.is_alive():
                raise RuntimeError(f"dashboard server did not start on {host}:{port}")
            time.sleep(0.05)
        return f"http://{host}:{port}/"

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.should_exit = True
        for t in self._threads:
            t.join(timeout=5)


def _redact(url: str) -> str:
    """An RPC URL without its user:password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        return urlunsplit((parts.scheme, "***@" + host, parts.path, parts.query, parts.fragment))
    return url
