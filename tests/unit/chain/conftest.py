"""Chain-layer fixtures: a plain web3 connection to ape's anvil and the test accounts' keys."""

import contextlib
import socket
import threading
import time

import pytest
from web3 import Web3

from agents.chain.abi import load_abi


@pytest.fixture(scope="session")
def rpc_url(chain):
    return chain.provider.uri


@pytest.fixture(scope="session")
def w3(rpc_url):
    return Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 10}))


@pytest.fixture(scope="session")
def key_of():
    def _key(account):
        return account.private_key

    return _key


@pytest.fixture(scope="session")
def token_abi():
    return load_abi("AgentToken")


@pytest.fixture
def w3_token(w3, token, token_abi):
    return w3.eth.contract(address=token.address, abi=token_abi)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LateProxy:
    """A TCP forwarder to `target` that starts listening on `port` only after `delay` seconds.

    Before that the port is closed (connection refused): an RPC outage that heals.
    """

    def __init__(self, port: int, target: tuple[str, int], delay: float) -> None:
        self.port, self.target, self.delay = port, target, delay
        self._stop = threading.Event()
        self._server: socket.socket | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while not self._stop.is_set():
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def _run(self) -> None:
        time.sleep(self.delay)
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.port))
        srv.listen(16)
        srv.settimeout(0.1)
        self._server = srv
        while not self._stop.is_set():
            try:
                client, _ = srv.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.close()
        self.thread.join(timeout=2)


@pytest.fixture
def late_proxy(rpc_url):
    from urllib.parse import urlparse

    u = urlparse(rpc_url)
    proxies = []

    def _make(delay: float) -> LateProxy:
        p = LateProxy(free_port(), (u.hostname, u.port), delay)
        proxies.append(p)
        return p

    yield _make
    for p in proxies:
        p.close()
