"""Starts the Triton Inference Server bundled in the nvidia-pytriton wheel, directly (not through
PyTriton's Python API), CPU only, on free loopback ports.

As a command (triton/start.sh runs it with the .venv-triton Python):

    python triton/tritonserver.py --repository DIR [--log-file F] [--env K=V ...] [-- EXTRA_ARGS]

prints one JSON line once the server is ready, {"http": "127.0.0.1:P", "grpc": ..., "metrics": ...,
"pid": N, "log": F, "version": "2.51.0"}, then keeps it running until SIGINT/SIGTERM (or, with
--stop-on-stdin-close, until its stdin closes), and stops it cleanly. Exit 2: bad input or no usable install; 1: the server failed to start.

As a module: `with TritonServer(repository) as server: server.http_url ...` (used by the pytest).
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VENV = ROOT / ".venv-triton"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0


class SetupError(Exception):
    """The Triton install is missing or unusable (the message says what to run)."""


class StartError(Exception):
    """The server process did not become ready (the message holds the log's tail)."""


def venv_dir() -> Path:
    return Path(os.environ.get("SEQSIM_TRITON_VENV", DEFAULT_VENV))


def unavailable_reason() -> str | None:
    """Why the real Triton cannot run here (None when it can): set by .ci/run when triton/setup.sh
    failed (SEQSIM_TRITON_UNAVAILABLE), else a missing or broken install. Tests skip with it."""
    reason = os.environ.get("SEQSIM_TRITON_UNAVAILABLE")
    if reason:
        return reason
    try:
        Install(venv_dir())
    except SetupError as error:
        return f"real Triton not installed ({error})"
    return None


def _site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python3.*/site-packages/pytriton/tritonserver"))
    if not found:
        raise SetupError(f"no nvidia-pytriton in {venv}; run triton/setup.sh")
    return found[0].parent.parent


class Install:
    """Paths inside the installed wheel, plus the backends folder made beside it."""

    def __init__(self, venv: Path):
        self.venv = venv
        site = _site_packages(venv)
        self.server_dir = site / "pytriton" / "tritonserver"
        self.binary = self.server_dir / "bin" / "tritonserver"
        self.libs = site / "nvidia_pytriton.libs"
        self.python_version = site.parent.name.removeprefix("python")  # e.g. "3.11"
        # The wheel's backends/python lacks the stub: PyTriton copies the stub matching the running
        # Python into a copy of the folder at start. We do the same once, into the venv.
        self.backends = venv / "triton-backends"
        if not self.binary.exists():
            raise SetupError(f"{self.binary} missing; run triton/setup.sh")

    def prepare_backends(self) -> Path:
        python = self.backends / "python"
        stub = python / "triton_python_backend_stub"
        if stub.exists():
            return self.backends
        source = self.server_dir / "python_backend_stubs" / self.python_version / "triton_python_backend_stub"
        if not source.exists():
            raise SetupError(f"the wheel has no Python backend stub for Python {self.python_version} (it looked for {source})")
        python.mkdir(parents=True, exist_ok=True)
        for name in ("libtriton_python.so", "triton_python_backend_utils.py"):
            target = python / name
            if not target.exists():
                target.symlink_to(self.server_dir / "backends" / "python" / name)
        shutil.copyfile(source, stub)
        stub.chmod(0o755)
        return self.backends

    def environment(self, extra: dict[str, str]) -> dict[str, str]:
        env = dict(os.environ)
        # The stub embeds libpython3.X; prefer the venv's own interpreter library when it is shared.
        libdirs = [str(self.libs)]
        base_libdir = _base_python_libdir(self.venv)
        if base_libdir is not None:
            libdirs.append(base_libdir)
        if env.get("LD_LIBRARY_PATH"):
            libdirs.append(env["LD_LIBRARY_PATH"])
        env["LD_LIBRARY_PATH"] = ":".join(libdirs)
        # The stub's Python takes its prefix (and so numpy) from the python found first on PATH.
        env["PATH"] = f"{self.venv / 'bin'}:{env.get('PATH', '')}"
        env.update(extra)
        return env


def _base_python_libdir(venv: Path) -> str | None:
    cfg = venv / "pyvenv.cfg"
    if not cfg.exists():
        return None
    home = next((line.split("=", 1)[1].strip() for line in cfg.read_text().splitlines() if line.startswith("home")), None)
    if home is None:
        return None
    libdir = Path(home).parent / "lib"
    return str(libdir) if any(libdir.glob("libpython3.*.so.1.0")) else None


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class TritonServer:
    def __init__(self, repository: Path, *, env: dict[str, str] | None = None, extra_args: list[str] | None = None, log_file: Path | None = None):
        self.install = Install(venv_dir())
        self.repository = Path(repository).resolve()
        if not self.repository.is_dir():
            raise SetupError(f"model repository {self.repository} is not a folder")
        self.env = env or {}
        self.extra_args = extra_args or []
        self.log_file = Path(log_file) if log_file else Path(tempfile.mkdtemp(prefix="seqsim-triton-")) / "tritonserver.log"
        self.process: subprocess.Popen | None = None
        self.http_port = self.grpc_port = self.metrics_port = 0
        self.version = ""

    @property
    def http_url(self) -> str:
        return f"127.0.0.1:{self.http_port}"

    @property
    def grpc_url(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def start(self) -> "TritonServer":
        backends = self.install.prepare_backends()
        last_error = None
        for _ in range(3):  # ports picked free may be taken by someone else before Triton binds them
            self.http_port, self.grpc_port, self.metrics_port = free_ports(3)
            args = [
                str(self.install.binary),
                f"--model-repository={self.repository}",
                f"--backend-directory={backends}",
                f"--http-address=127.0.0.1",
                f"--http-port={self.http_port}",
                f"--grpc-address=127.0.0.1",
                f"--grpc-port={self.grpc_port}",
                f"--metrics-address=127.0.0.1",
                f"--metrics-port={self.metrics_port}",
                "--allow-gpu-metrics=false",
                "--pinned-memory-pool-byte-size=0",
                # Sequences still holding slots would delay exit up to this (Triton waits for their END).
                "--exit-timeout-secs=2",
                *self.extra_args,
            ]
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            with open(self.log_file, "wb") as log:
                self.process = subprocess.Popen(
                    args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=self.install.environment(self.env), start_new_session=True
                )
            try:
                self._wait_ready()
                return self
            except StartError as error:
                last_error = error
                self.stop()
                if "Address already in use" not in str(error):
                    break
        raise last_error

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StartError(f"tritonserver exited with status {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://{self.http_url}/v2/health/ready", timeout=1) as response:
                    if response.status == 200:
                        with urllib.request.urlopen(f"http://{self.http_url}/v2", timeout=1) as meta:
                            self.version = json.load(meta).get("version", "")
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise StartError(f"tritonserver not ready after {READY_TIMEOUT_S:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no log)"
        # Drop the wide ASCII tables Triton prints at start.
        kept = [line for line in text.splitlines() if not line.startswith(("+", "|"))]
        return "\n".join(kept[-lines:])

    def log_text(self) -> str:
        return self.log_file.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # Triton drains in-flight work up to --exit-timeout-secs
        try:
            self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def describe(self) -> dict:
        return {
            "http": self.http_url,
            "grpc": self.grpc_url,
            "metrics": f"127.0.0.1:{self.metrics_port}",
            "pid": self.process.pid if self.process else None,
            "log": str(self.log_file),
            "version": self.version,
        }

    def __enter__(self) -> "TritonServer":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def _parse_env(pairs: list[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SetupError(f"--env expects KEY=VALUE, got '{pair}'")
        env[key] = value
    return env


def main(argv: list[str]) -> int:
    extra = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    parser = argparse.ArgumentParser(description="Start the bundled tritonserver on free loopback ports (CPU only).")
    parser.add_argument("--repository", required=True, type=Path, help="model repository folder")
    parser.add_argument("--log-file", type=Path, help="server log (default: a fresh temp folder)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra environment, e.g. TRITONSERVER_DELAY_SCHEDULER=4")
    parser.add_argument("--stop-on-stdin-close", action="store_true", help="stop when stdin closes (for a parent process that spawned us)")
    args = parser.parse_args(argv)
    try:
        server = TritonServer(args.repository, env=_parse_env(args.env), extra_args=extra, log_file=args.log_file)
        server.start()
    except SetupError as error:
        print(f"tritonserver: {error}", file=sys.stderr)
        return 2
    except StartError as error:
        print(f"tritonserver: {error}", file=sys.stderr)
        return 1
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())

    def watch_stdin() -> None:
        sys.stdin.read()
        stopping.set()

    if args.stop_on_stdin_close:
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(json.dumps(server.describe()), flush=True)
    while not stopping.wait(0.5):
        if server.process.poll() is not None:
            print(f"tritonserver: exited with status {server.process.returncode}:\n{server.log_tail()}", file=sys.stderr)
            return 1
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
