"""The web app in headless Chromium on loopback: how fast the first clip plays, how much JavaScript and CSS a
phone downloads, and offline checks in the spirit of Lighthouse, all measured in one run.

Sets up its own world in a temporary directory: an embedded Valkey, a migrated SQLite database, two members with
a dozen published clips (real H.264 + AAC MP4s of 480×854, 3 s, written with ``core.video.encode_mp4``
straight into storage, plus posters), a remix, comments, notifications and a queued generation; then starts
uvicorn and drives Debian's Chromium through Playwright at 375×780 (a phone, 2× pixels, touch).

Prints:
- time to first clip playing on the feed (navigation start to the first ``playing`` event of a clip's video):
  median and spread over cold loads (a fresh browser profile each time: nothing cached) and warm reloads;
- JavaScript + CSS bytes, raw and gzipped: what the feed page loads, and every module and stylesheet the app
  has (target: at most 100 KB gzipped);
- per page: cumulative layout shift (PerformanceObserver ``layout-shift`` entries without recent input, during the
  load and two seconds after), and the problems found by bench/page_audit.js: controls without a label, images
  without alt, links and buttons without a name, tap targets under 44 px, horizontal overflow at 375 px, text
  contrast under WCAG AA, a missing ``lang`` or title.

Run: ``.venv/bin/python bench/frontend.py`` (about a minute; ``--help`` for the knobs). Needs /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import embedded_valkey, free_port, start_server, stop  # noqa: E402

PASSWORD = "bench-password-1"
PHONE = {"viewport": {"width": 375, "height": 780}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
# Installed in every page before its own scripts: layout shifts and the moment the first clip starts playing.
PROBE = """
window.__cls = 0;
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__cls += entry.value;
    window.__shifts.push({ value: entry.value, at: entry.startTime,
      sources: (entry.sources || []).map((s) => s.node ? (s.node.id || s.node.className || s.node.nodeName) : "") });
  }
}).observe({ type: "layout-shift", buffered: true });
document.addEventListener("playing", (event) => {
  if (window.__firstPlaying === undefined && event.target.closest && event.target.closest("article.clip")) {
    window.__firstPlaying = performance.now();
  }
}, true);
"""


def _setup_django(var_dir: Path) -> None:
    os.environ["RIFF_VAR_DIR"] = str(var_dir)
    os.environ["SQLITE_PATH"] = str(var_dir / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def _clip(seed: int, *, width: int = 480, height: int = 854, seconds: float = 3.0, fps: int = 24, rate: int = 24_000):
    """A clip that looks like the preview backend's: a sky gradient over ground, a few moving discs, a tone."""
    import numpy as np

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    background = np.empty((height, width, 3), dtype=np.uint8)
    top, bottom = rng.integers(30, 230, 3), rng.integers(30, 230, 3)
    for channel in range(3):
        background[..., channel] = np.linspace(top[channel], bottom[channel], height)[:, None].astype(np.uint8)
    background[int(height * 0.8):] = rng.integers(40, 140, 3)
    discs = [(rng.uniform(0, width), rng.uniform(0.2, 0.7) * height, rng.uniform(-6, 6), rng.integers(20, 50), rng.integers(0, 255, 3))
             for _ in range(4)]
    frames = np.empty((round(seconds * fps), height, width, 3), dtype=np.uint8)
    for index in range(len(frames)):
        frame = background.copy()
        for x, y, speed, radius, colour in discs:
            cx, cy = (x + speed * index) % width, y + 40 * np.sin(index / 7)
            frame[(xx - cx) ** 2 + (yy - cy) ** 2 < radius**2] = colour
        frames[index] = frame
    times = np.arange(round(seconds * rate)) / rate
    audio = (0.2 * np.sin(2 * np.pi * (180 + 30 * seed) * times)).astype(np.float32)
    return frames, fps, audio, rate


def seed(var_dir: Path, *, posts: int) -> dict:
    from django.core.files import File
    from django.core.files.storage import default_storage

    from accounts.services import follow_create, user_signup
    from core.video import encode_mp4, make_poster
    from feed.services import comment_create, like_create, post_create
    from generation.services import job_create

    ana = user_signup(username="ana", password=PASSWORD, display_name="Ana")
    ben = user_signup(username="ben", password=PASSWORD, display_name="Ben")
    follow_create(follower=ana, followee=ben)
    follow_create(follower=ben, followee=ana)
    work = var_dir / "clips"
    work.mkdir()
    made = []
    total_bytes = 0
    for n in range(posts):
        frames, fps, audio, rate = _clip(n)
        video_path, poster_path = work / f"{n}.mp4", work / f"{n}.jpg"
        encode_mp4(frames, fps, audio, rate, video_path)
        make_poster(frames[fps // 2], poster_path)
        total_bytes += video_path.stat().st_size
        with open(video_path, "rb") as v, open(poster_path, "rb") as p:
            video = default_storage.save(f"bench/{n}.mp4", File(v))
            poster = default_storage.save(f"bench/{n}.jpg", File(p))
        author = ben if n % 3 else ana
        made.append(post_create(
            author=author, video=video, poster=poster, caption=f"clip number {n}", prompt=f"four balls bouncing, take {n}",
            remix_of=made[0] if n == posts - 1 else None, duration_s=len(frames) / fps,
            width=frames.shape[2], height=frames.shape[1],
        ))
    comment = comment_create(user=ben, post=made[0], text="the first one")
    comment_create(user=ana, post=made[0], text="thanks!", parent_id=comment.pk)
    like_create(user=ben, post=made[0])
    job_create(user=ana, prompt="a green cube spinning in space", duration_s=2)
    return {"posts": made, "clip_bytes": total_bytes / posts}


def _log_in(page, base: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Handle").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/")


def first_clip(browser, base: str, state: dict, *, runs: int) -> dict:
    """Cold: a fresh profile per load (no HTTP cache). Warm: reloads in one profile."""

    def measure(page) -> dict:
        page.goto(base + "/?tab=latest", wait_until="commit")
        page.wait_for_function("() => window.__firstPlaying !== undefined", timeout=30_000)
        return page.evaluate(
            """() => { const nav = performance.getEntriesByType('navigation')[0];
                       return { playing: window.__firstPlaying, ttfb: nav.responseStart, dcl: nav.domContentLoadedEventEnd }; }"""
        )

    cold, warm = [], []
    for _ in range(runs):
        context = browser.new_context(storage_state=state, **PHONE)
        context.add_init_script(PROBE)
        cold.append(measure(context.new_page()))
        context.close()
    context = browser.new_context(storage_state=state, **PHONE)
    context.add_init_script(PROBE)
    page = context.new_page()
    measure(page)
    for _ in range(runs):
        warm.append(measure(page))
    context.close()
    return {"cold": cold, "warm": warm}


def asset_bytes(browser, base: str, state: dict) -> dict:
    context = browser.new_context(storage_state=state, **PHONE)
    page = context.new_page()
    loaded: dict[str, bytes] = {}

    def keep(response):
        if response.request.resource_type in ("script", "stylesheet") and response.ok:
            try:
                loaded[response.url] = response.body()
            except Exception:
                pass

    page.on("response", keep)
    page.goto(base + "/?tab=latest")
    page.wait_for_load_state("networkidle")
    context.close()
    static = ROOT / "static"
    everything = {str(p.relative_to(static)): p.read_bytes() for p in sorted(static.rglob("*")) if p.suffix in (".js", ".css")}

    def sizes(files) -> tuple[int, int]:
        return sum(len(b) for b in files.values()), sum(len(gzip.compress(b, 6)) for b in files.values())

    return {"feed": (len(loaded), *sizes(loaded)), "all": (len(everything), *sizes(everything))}


def audits(browser, base: str, state: dict, posts) -> list[dict]:
    audit = (ROOT / "bench" / "page_audit.js").read_text()
    remix = posts[-1]
    pages = [
        ("feed", "/?tab=latest"),
        ("post", f"/posts/{remix.pk}/"),
        ("profile", "/u/ben/"),
        ("composer", "/create/"),
        ("remix composer", f"/create/?remix_of={posts[0].pk}"),
        ("drafts", "/drafts/"),
        ("notifications", "/notifications/"),
        ("check a clip", "/provenance/"),
        ("cameos", "/cameos/"),
    ]
    rows = []
    context = browser.new_context(storage_state=state, **PHONE)
    context.add_init_script(PROBE)
    page = context.new_page()
    for name, path in pages:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(2000)
        result = page.evaluate(audit)
        cls = page.evaluate("window.__cls")
        rows.append({"page": name, "cls": cls, "shifts": page.evaluate("window.__shifts"), **result})
    context.close()
    anonymous = browser.new_context(**PHONE)
    anonymous.add_init_script(PROBE)
    page = anonymous.new_page()
    for name, path in [("login", "/login/"), ("signup", "/signup/"), ("post, signed out", f"/posts/{remix.pk}/")]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)
        rows.append({"page": name, "cls": page.evaluate("window.__cls"), "shifts": page.evaluate("window.__shifts"), **page.evaluate(audit)})
    anonymous.close()
    return rows


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values):7.0f} ms (min {min(values):.0f}, max {max(values):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="loads measured for the first clip (cold and warm each)")
    parser.add_argument("--posts", type=int, default=12, help="published clips to seed")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="riff-bench-frontend-"))
    valkey = server = None
    try:
        valkey = embedded_valkey(var_dir)  # without REDIS_URL, as `make run` starts one (cache, channel layer)
        _setup_django(var_dir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        world = seed(var_dir, posts=args.posts)
        print(f"seeded {args.posts} clips (480×854, 3 s, {world['clip_bytes'] / 1024:.0f} KB each on average) in {time.perf_counter() - t0:.1f} s")
        port = free_port()
        server = start_server(port=port, var_dir=var_dir, env={"DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost"})
        base = f"http://127.0.0.1:{port}"

        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            context = browser.new_context(**PHONE)
            page = context.new_page()
            _log_in(page, base)
            state = context.storage_state()
            context.close()

            clip = first_clip(browser, base, state, runs=args.runs)
            size = asset_bytes(browser, base, state)
            rows = audits(browser, base, state, world["posts"])
            version = browser.version
            browser.close()

        print(f"\nChromium {version}, 375×780 @2x, touch; uvicorn on loopback, one process; {os.cpu_count()} CPU cores")
        print("\nTime to first clip playing on the feed (navigation start → the first clip's `playing` event)")
        for label, runs in (("cold (empty cache)", clip["cold"]), ("warm (reload)", clip["warm"])):
            print(f"  {label:<19} {_ms([r['playing'] for r in runs])}   "
                  f"TTFB {statistics.median(r['ttfb'] for r in runs):.0f} ms, DOMContentLoaded {statistics.median(r['dcl'] for r in runs):.0f} ms")

        print("\nJavaScript + CSS")
        for key, label in (("feed", "loaded by the feed page"), ("all", "every module and stylesheet in static/")):
            files, raw, zipped = size[key]
            verdict = "within" if zipped <= 100 * 1024 else "OVER"
            print(f"  {label:<40} {files:2d} files  {raw / 1024:6.1f} KB raw  {zipped / 1024:5.1f} KB gzipped  ({verdict} the 100 KB target)")

        print("\nPer page at 375 px: CLS and audit problems")
        print(f"  {'page':<18} {'CLS':>6}  {'controls':>8} {'images':>6} {'targets':>7} {'lowest contrast':>15}  problems")
        total = 0
        for row in rows:
            problems = row["problems"]
            total += len(problems)
            counts = row["counts"]
            contrast = f"{row['lowestContrast']:.2f}:1" if row["lowestContrast"] else "-"
            print(f"  {row['page']:<18} {row['cls']:6.3f}  {counts['controls']:8d} {counts['images']:6d} {counts['targets']:7d} {contrast:>15}  "
                  f"{len(problems) or 'none'}")
            for problem in problems:
                print(f"      {problem['check']}: {problem['detail']}")
            for shift in row["shifts"]:
                print(f"      layout shift {shift['value']:.4f} at {shift['at']:.0f} ms: {', '.join(s for s in shift['sources'] if s)}")
        print(f"\n  worst CLS {max(r['cls'] for r in rows):.3f} (good: ≤ 0.1); {total} audit problem(s) on {len(rows)} pages")
    finally:
        stop(server, valkey)
        if args.keep:
            print(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
