"""Browser tests: Debian's Chromium driven by Playwright against a real uvicorn server (and a real generation
worker where needed) on the test database. They run in their own pytest process (``-m browser``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest

from tests.conftest import ROOT, worker_env

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = Path(os.environ.get("RIFF_TEST_ARTIFACTS", ROOT / "test-artifacts"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
        ],
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, log: Path, port: int | None = None):
        self.log_path = log
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.start()

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(self.port),
             "--timeout-graceful-shutdown", "2"],
            cwd=ROOT, env=worker_env(DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost"), stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urlopen(self.url + "/login/", timeout=2)
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.2)
        raise RuntimeError(f"web server did not start: {Path(self.log_path).read_text()[-3000:]}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()

    def restart(self):
        """Stop and start again on the same address: every open websocket drops, the pages reconnect."""
        self.stop()
        self.start()


@pytest.fixture
def live_web(transactional_db, tmp_path):
    server = Server(tmp_path / "web.log")
    yield server
    server.stop()


@pytest.fixture
def new_page(live_web, browser):
    """A page in a browser context of its own (another person, another device); closed before the server stops."""
    contexts = []

    def make(viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or {"width": 375, "height": 780})
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)

    return take


PASSWORD = "correct-horse-42"


def off_loop(fn, *args, **kwargs):
    """Run service code in a plain thread. Playwright's sync API keeps an event loop on the test's thread, where
    the services' after-commit event sends (async_to_sync) refuse to run; in a thread they reach the channel
    layer like they do in the web process."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def call():
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def log_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/login/")
    page.get_by_label("Handle").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base_url + "/")


def clip_arrays(seed: int, *, width: int = 144, height: int = 256, seconds: float = 1.5, fps: int = 12, rate: int = 24_000):
    """A small clip that is not from Riff: a white disc moving over a gradient and a tone, as (frames, fps,
    audio, sample rate) for core.video.encode_mp4."""
    import numpy as np

    rng = np.random.default_rng(seed)
    count = round(seconds * fps)
    yy, xx = np.mgrid[0:height, 0:width]
    base = np.zeros((height, width, 3), dtype=np.uint8)
    top, bottom = rng.integers(20, 235, 3), rng.integers(20, 235, 3)
    for channel in range(3):
        base[..., channel] = np.linspace(top[channel], bottom[channel], height, dtype=np.float32)[:, None].astype(np.uint8)
    frames = np.empty((count, height, width, 3), dtype=np.uint8)
    for index in range(count):
        frame = base.copy()
        cx, cy = (20 + 8 * index) % width, height // 2 + 30 * np.sin(index / 3)
        frame[(xx - cx) ** 2 + (yy - cy) ** 2 < 18**2] = (240, 240, 240)
        frames[index] = frame
    times = np.arange(round(seconds * rate)) / rate
    audio = (0.2 * np.sin(2 * np.pi * (220 + 40 * seed % 200) * times)).astype(np.float32)
    return frames, fps, audio, rate


@pytest.fixture
def make_post(transactional_db, tmp_path):
    """A published clip without a worker: a small real MP4 (H.264 + AAC) and poster in storage, and the Post row,
    created through feed.services.post_create like any published draft."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    from core.video import encode_mp4, make_poster
    from feed.services import post_create

    counter = {"n": 0}

    def make(author, *, caption: str = "", prompt: str = "a ball bouncing in a room", remix_of=None, visibility: str = "public"):
        return off_loop(_make, author, caption=caption, prompt=prompt, remix_of=remix_of, visibility=visibility)

    def _make(author, *, caption, prompt, remix_of, visibility):
        counter["n"] += 1
        frames, fps, audio, rate = clip_arrays(counter["n"])
        video_path, poster_path = tmp_path / f"clip{counter['n']}.mp4", tmp_path / f"poster{counter['n']}.jpg"
        encode_mp4(frames, fps, audio, rate, video_path)
        make_poster(frames[0], poster_path)
        with open(video_path, "rb") as v, open(poster_path, "rb") as p:
            video = default_storage.save(f"test-posts/{author.username}-{counter['n']}.mp4", File(v))
            poster = default_storage.save(f"test-posts/{author.username}-{counter['n']}.jpg", File(p))
        return post_create(
            author=author, video=video, poster=poster, caption=caption, prompt=prompt, remix_of=remix_of,
            visibility=visibility, duration_s=len(frames) / fps, width=frames.shape[2], height=frames.shape[1],
        )

    return make


def sign_up(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/signup/")
    page.get_by_label("Handle").fill(username)
    page.get_by_label("Birth date").fill("1990-05-01")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(base_url + "/")


# Every value the composer's percentage shows, in order, from the moment this is installed.
WATCH_PERCENT = """() => {
  window.__percents = [];
  const el = document.getElementById('job-percent');
  new MutationObserver(() => window.__percents.push(el.textContent)).observe(el, {childList: true, characterData: true, subtree: true});
}"""
