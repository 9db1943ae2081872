"""Run llama.cpp's ``llama-server`` as a context manager for tests.

Usage::

    from tests.llm.server import LlamaServer
    with LlamaServer(binary, model, alias="smollm2", ctx=4096, parallel=2) as srv:
        srv.base_url   # "http://127.0.0.1:PORT/v1"  (OpenAI-compatible; any api_key works)
        srv.model      # "smollm2"  (the alias to pass as ``model=``)
        srv.ready_seconds, srv.port, srv.log_path, srv.log_tail()

Starts ``llama-server -m MODEL --alias NAME --host 127.0.0.1 --port PORT -c CTX -np N
-t THREADS --jinja`` on a free loopback port, polls ``/health`` until it answers 200 (timeout
60 s by default), and terminates the process on exit. If the server dies or never gets
ready, :class:`LlamaServerError` is raised with the tail of its log. The server's log goes
to a temp file (``log_path``), deleted on exit unless ``keep_log=True``. The child gets
``OMP_WAIT_POLICY=PASSIVE`` unless the environment sets it (see ``_start_once``).
Keyword-only extras: ``threads`` (default ``$ARXIV_DIGEST_LLAMA_THREADS`` or 1),
``timeout=60.0``, ``extra_args=()``, ``keep_log=False``.

Why one thread by default (SmolLM2-135M, 100 generated tokens, 2-core machine):
  quiet machine:      -t 1  ~90 tok/s | -t 2  23-131 tok/s (OpenMP spinning), 46-49 (PASSIVE)
  machine under load: -t 1  46-52     | -t 2  0.5-2.5 tok/s and 8-12 s to get ready
                                        (spinning), ~35 (PASSIVE)
``-t 1`` is never far from the best and never collapses when other processes (pytest,
mkdocs, a second server) share the two cores.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional, Sequence

__all__ = ["LlamaServer", "LlamaServerError", "free_port"]


class LlamaServerError(RuntimeError):
    """llama-server failed to start or to become ready."""


def free_port(host: str = "127.0.0.1") -> int:
    """Ask the OS for a free TCP port on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class LlamaServer:
    host = "127.0.0.1"

    def __init__(
        self,
        binary: Path,
        model: Path,
        alias: str = "smollm2",
        ctx: int = 4096,
        parallel: int = 2,
        *,
        threads: Optional[int] = None,
        timeout: float = 60.0,
        extra_args: Sequence[str] = (),
        keep_log: bool = False,
    ) -> None:
        self.binary = Path(binary)
        self.model_file = Path(model)
        self.alias = alias
        self.ctx = ctx
        self.parallel = parallel
        if threads is None:
            threads = int(os.environ.get("ARXIV_DIGEST_LLAMA_THREADS", "1"))
        self.threads = threads
        self.timeout = timeout
        self.extra_args = list(extra_args)
        self.keep_log = keep_log
        self.port: Optional[int] = None
        self.proc: Optional[subprocess.Popen] = None
        self.ready_seconds: Optional[float] = None
        self._log_file = None
        self.log_path: Optional[Path] = None

    # -- public -------------------------------------------------------------
    @property
    def model(self) -> str:
        """Model name to pass to the OpenAI client (the ``--alias``)."""
        return self.alias

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """OpenAI-compatible base URL, e.g. ``http://127.0.0.1:PORT/v1``."""
        return f"{self.root_url}/v1"

    def command(self) -> list[str]:
        return [
            str(self.binary),
            "-m", str(self.model_file),
            "--alias", self.alias,
            "--host", self.host,
            "--port", str(self.port),
            "-c", str(self.ctx),
            "-np", str(self.parallel),
            "-t", str(self.threads),
            "--jinja",
            *self.extra_args,
        ]

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def start(self) -> "LlamaServer":
        if self.proc is not None:
            raise LlamaServerError("server already started")
        if not self.binary.is_file():
            raise LlamaServerError(f"llama-server binary not found: {self.binary}")
        if not self.model_file.is_file():
            raise LlamaServerError(f"model file not found: {self.model_file}")
        # The port is picked before the server binds it; retry if someone took it meanwhile.
        last_error: Optional[LlamaServerError] = None
        for _ in range(3):
            try:
                self._start_once()
                return self
            except LlamaServerError as exc:
                last_error = exc
                tail = self.log_tail(200).lower()
                self.stop()
                if "bind" not in tail and "address already in use" not in tail:
                    break
        assert last_error is not None
        raise last_error

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if not self.keep_log and self.log_path is not None:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> "LlamaServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------
    def _start_once(self) -> None:
        self.port = free_port(self.host)
        fd, name = tempfile.mkstemp(prefix="llama-server-", suffix=".log")
        os.close(fd)
        self.log_path = Path(name)
        self._log_file = open(self.log_path, "wb")
        started = time.monotonic()
        env = dict(os.environ)
        # llama-server is built with OpenMP. If more than one thread is asked for, the default
        # (active, spinning) wait policy stalls at every barrier on a busy 2-core machine:
        # measured 0.5-2.5 tok/s and 8-12 s to get ready, against ~35 tok/s and 0.6 s with
        # PASSIVE under the same load. No effect with one thread.
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        self.proc = subprocess.Popen(
            self.command(),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = started + self.timeout
        health = f"{self.root_url}/health"
        # Loopback only: never route the health check through an HTTP(S)_PROXY.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            code = self.proc.poll()
            if code is not None:
                raise LlamaServerError(
                    f"llama-server exited with code {code} before becoming ready.\n"
                    f"command: {' '.join(self.command())}\n--- log tail ---\n{self.log_tail()}"
                )
            try:
                with opener.open(health, timeout=2) as resp:
                    if resp.status == 200:
                        self.ready_seconds = time.monotonic() - started
                        return
            except urllib.error.HTTPError:
                pass  # 503 while the model is loading
            except (urllib.error.URLError, ConnectionError, OSError):
                pass  # not listening yet
            if time.monotonic() > deadline:
                raise LlamaServerError(
                    f"llama-server not ready after {self.timeout:.0f} s on port {self.port}.\n"
                    f"--- log tail ---\n{self.log_tail()}"
                )
            time.sleep(0.1)
