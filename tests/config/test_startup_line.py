import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_web_process_logs_the_active_stack_when_it_starts(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "web.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port)],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while b"web ready:" not in log.read_bytes() and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            proc.terminate()
            proc.wait(10)
    text = log.read_text()
    line = next(line for line in text.splitlines() if "web ready:" in line)
    for part in ("database=", "broker=redis://", "channel_layer=RedisChannelLayer", "storage=", "backend=preview"):
        assert part in line
