"""Starts `seqsim serve` (HTTP and gRPC, CPU ONNX Runtime) for the tests that talk to it with
Triton's own Python client."""

import os
import re
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "sim" / "examples" / "direct-basic.json"
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 60
READY_LINE = re.compile(r"on http://(\S+) and grpc (\S+) \(KServe v2")


@dataclass
class Server:
    """A running `seqsim serve`: its endpoints, and everything it printed."""

    process: subprocess.Popen
    http_url: str
    grpc_url: str
    output: list = field(default_factory=list)

    def stop(self):
        """SIGTERM: the server drains, checks the oracles and writes its trace. Returns (code, output)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode, "".join(self.output)


def _node():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: seqsim needs Node.js 20")
    return node


@pytest.fixture(scope="session")
def built():
    """The compiled and bundled CLI (dist/, dist/bundle/) up to date with the sources, as the vitest setup does."""
    for step in ([str(ROOT / "node_modules" / "typescript" / "bin" / "tsc"), "-p", str(ROOT / "tsconfig.build.json")], [str(ROOT / "cli" / "bundle.mjs")]):
        run = subprocess.run([_node(), *step], cwd=ROOT, capture_output=True, text=True)
        if run.returncode != 0:
            pytest.fail(f"npm run build failed:\n{run.stdout}{run.stderr}")


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    """`seqsim serve` on free loopback ports (port 0: the system picks), HTTP and gRPC."""
    trace = tmp_path_factory.mktemp("serve") / "trace.jsonl"
    process = subprocess.Popen(
        [
            _node(),
            str(ROOT / "cli" / "bin.mjs"),
            "serve",
            str(SCENARIO),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--grpc-port",
            "0",
            "--ep",
            "cpu",
            "--drain",
            "10s",
            "--trace",
            str(trace),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    output = []
    ready = threading.Event()
    endpoints = {}

    def read():
        for line in process.stdout:
            output.append(line)
            match = READY_LINE.search(line)
            if match and not ready.is_set():
                endpoints["http"], endpoints["grpc"] = match.group(1), match.group(2)
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(START_TIMEOUT_S) or "http" not in endpoints:
        process.kill()
        pytest.fail("seqsim serve did not start:\n" + "".join(output))
    running = Server(process, endpoints["http"], endpoints["grpc"], output)
    yield running
    running.stop()
