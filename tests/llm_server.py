"""A local, scripted OpenAI-compatible server for tests: no network, no real model.

It serves ``POST /v1/chat/completions`` on 127.0.0.1 (a free port) from a thread and answers
each request with the next scripted reply, so a test decides exactly what "the model" says,
whether it is slow, rate-limited or failing, and can count the requests the client made::

    with FakeLLM([reply("not a contract"), reply(good_json)]) as server:
        settings = {..., "base_url": server.base_url}
        ...
    assert len(server.requests) == 2

A reply is a dict: ``{"content": str}`` (200 with that message), ``{"status": 429}`` (an error
status with an OpenAI-style error body) or ``{"delay": 2.0, "content": ...}`` (answer late).
When the script is exhausted the server answers 500, so an unexpected extra call fails loudly.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Short server-directed back-off: the client's own default (0.5 s, doubling) would slow tests.
RETRY_AFTER_MS = "20"


def reply(content: str, *, delay: float = 0.0, prompt_tokens: int = 11, completion_tokens: int = 7):
    """A successful answer whose message content is ``content``."""
    return {
        "content": content,
        "delay": delay,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
    }


def status(code: int) -> dict:
    """An error answer with HTTP status ``code`` (429, 500, ...)."""
    return {"status": code}


class FakeLLM:
    """The scripted server; use it as a context manager (it stops on exit)."""

    def __init__(self, script: list[dict]):
        self.script = list(script)
        self.requests: list[dict] = []  # {"path", "headers", "body"} of every request received
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for it, and tests start many servers.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (``http://127.0.0.1:<port>/v1``)."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, request: dict) -> dict:
        with self._lock:
            self.requests.append(request)
            return self.script.pop(0) if self.script else {"status": 500}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"unparsed": raw.decode("utf-8", "replace")}
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                answer = fake._next(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                if answer.get("delay"):
                    time.sleep(answer["delay"])
                if "status" in answer:
                    self._send(
                        answer["status"],
                        {"error": {"message": f"scripted {answer['status']}", "type": "test"}},
                        {"retry-after-ms": RETRY_AFTER_MS},
                    )
                    return
                usage = {
                    "prompt_tokens": answer["prompt_tokens"],
                    "completion_tokens": answer["completion_tokens"],
                    "total_tokens": answer["prompt_tokens"] + answer["completion_tokens"],
                }
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-test-{len(fake.requests)}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "test-model"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": answer["content"]},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": usage,
                    },
                )

            def _send(self, code: int, payload: dict, headers: dict | None = None) -> None:
                data = json.dumps(payload).encode("utf-8")
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

        return Handler
