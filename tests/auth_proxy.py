"""A JSON-RPC endpoint behind authentication, for tests: forwards POSTs to a node only when the
request carries the API-key header or the basic-auth credentials it was given; 401 otherwise."""

from __future__ import annotations

import base64
import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class AuthProxy:
    def __init__(
        self, target_url: str, *, header: tuple[str, str] | None = None, basic: tuple[str, str] | None = None
    ) -> None:
        target = urlsplit(target_url)
        self.header, self.basic = header, basic
        self.refused = 0
        self.forwarded = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_a):  # quiet
                pass

            def _allowed(self) -> bool:
                if proxy.header and self.headers.get(proxy.header[0]) == proxy.header[1]:
                    return True
                if proxy.basic:
                    want = "Basic " + base64.b64encode(":".join(proxy.basic).encode()).decode()
                    if self.headers.get("Authorization") == want:
                        return True
                return False

            def do_POST(self):  # http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if not self._allowed():
                    proxy.refused += 1
                    msg = b"unauthorized"
                    self.send_response(401)
                    self.send_header("Content-Length", str(len(msg)))
                    self.send_header("WWW-Authenticate", 'Basic realm="rpc"')
                    self.end_headers()
                    self.wfile.write(msg)
                    return
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
                conn.request("POST", target.path or "/", body, {"Content-Type": "application/json"})
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                proxy.forwarded += 1
                self.send_response(resp.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def url_with(self, user: str, password: str) -> str:
        return f"http://{user}:{password}@127.0.0.1:{self.port}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
