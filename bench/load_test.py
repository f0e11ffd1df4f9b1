"""Load test: N concurrent real browser sessions against one `streamlit run app/main.py`.

Run: .venv/bin/python bench/load_test.py [--users 1,5,10,20] [--rounds 2] [--quick] [--timeout 300]

The app runs on 127.0.0.1 (a free port, headless) on a temporary SQLite demo database seeded
first with `python -m genxsop_core seed-demo` (demo company and planning history). One
headless Chromium (Debian's /usr/bin/chromium through Playwright's async API, never a
downloaded browser) holds one context per session. For each N, N sessions start at once; each
opens the app, signs in through the real form (demo users round-robin over the roles,
password genxsop-demo), then visits Demand review, Supply review, Inventory, What-if
scenarios, KPIs and Dashboard `rounds` times by clicking the sidebar navigation, with no
pause between clicks; session i starts the cycle at page i (mod 6), so N sessions do not all
ask for the same page at the same moment.

Page latency = from the click to the page drawn: the script run started by the click has
finished (the app root's `data-test-script-state` went back to "notRunning", recorded by a
MutationObserver so a fast run is not missed) and the page's h1 title is shown in an element
of the latest run (`data-stale="false"`), with no stale element left. Streamlit's running
indicator (`stStatusWidget`) is not the signal: it appears only after 500 ms of running and
fades out over 200 ms. Plotly draws its charts a few frames later, not counted. "p50 to run
end" is the median time until the run's script_finished message reached the browser's
network stack (server work plus transfer; the rest is the browser drawing). A session that
times out or fails counts as an error (the others carry on; the failure names the step); a
page showing an exception counts as a page error. A click after which no script run has
started within 90 s is repeated (if its target is still there), as a user would, and counted;
its time runs from the first click. Each level gets a fresh browser, so a browser that crashes
costs one level. An untimed warm-up session visits every page first (imports, caches). The browser runs on the same
machine and competes with the server for the CPUs (its CPU time is printed).
Prints figures only; nothing here is a pass/fail test.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

import numpy as np
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("GENXSOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--disable-renderer-backgrounding",
                 "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"]
USERS = ("admin", "coordinator", "demand", "supply", "executive", "viewer")  # one per role
PASSWORD = "genxsop-demo"
COOKIE_NAME = b"genxsop_auth"
PAGES = ("Demand review", "Supply review", "Inventory", "What-if scenarios", "KPIs", "Dashboard")
SIGN_IN, LOGIN_FORM = "sign in -> Dashboard", "open app -> login form"
POLL_MS = 50  # how often a page checks whether it is drawn: fine enough for latencies of seconds

# Counts finished script runs: the app root's data-test-script-state goes running -> notRunning.
OBSERVER = """
window.__gx = {started: 0, finished: 0, state: null};
new MutationObserver((mutations) => {
  for (const m of mutations) {
    const state = m.target.getAttribute('data-test-script-state');
    if (state === 'running' && window.__gx.state !== 'running') window.__gx.started += 1;
    if (state === 'notRunning' && window.__gx.state !== 'notRunning') window.__gx.finished += 1;
    window.__gx.state = state;
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""
DRAWN = """
([title, before]) => {
  if (!window.__gx || window.__gx.finished <= before) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stElementContainer"][data-stale="true"]')) return false;
  const heads = document.querySelectorAll('[data-testid="stElementContainer"][data-stale="false"] h1');
  return Array.from(heads).some((h) => h.textContent.trim() === title);
}
"""
STARTED = "([started, finished]) => window.__gx && (window.__gx.started > started || window.__gx.finished > finished)"
STATE = """() => ({state: window.__gx && window.__gx.state,
  titles: Array.from(document.querySelectorAll('h1')).map((h) => h.textContent.trim()),
  stale: document.querySelectorAll('[data-stale="true"]').length})"""
EXCEPTION = '[data-testid="stElementContainer"][data-stale="false"] [data-testid="stException"]'
LOST_CLICK_S = 90  # no script run started this long after a click: click again, as a user would


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine_note() -> str:
    start = time.process_time()
    total = 0
    for i in range(5_000_000):
        total += i
    return (f"load average (1, 5, 15 min) {', '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs; "
            f"CPU yardstick: a 5-million-step Python loop took {time.process_time() - start:.2f} s of CPU")


class Server:
    """`streamlit run app/main.py` on 127.0.0.1 on a freshly seeded SQLite demo database."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port, self.process = folder, free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "GENXSOP_DATABASE_URL": f"sqlite:///{folder / 'load.db'}", "GENXSOP_DEMO": "1",
                    "GENXSOP_BUCKET": "week", "GENXSOP_LOG_DIR": str(folder)}
        self.env.pop("GENXSOP_COOKIE_KEY", None)
        self.log_path = folder / "streamlit.log"

    def seed(self) -> float:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "genxsop_core", "seed-demo"], cwd=ROOT, env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return time.perf_counter() - start

    def start(self) -> float:
        start = time.perf_counter()
        self.log = open(self.log_path, "w")  # noqa: SIM115 - open while the server runs, closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"), "--server.headless=true",
             f"--server.port={self.port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
             "--server.fileWatcherType=none"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)  # a signal to the server's process group does not reach this script
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}: {self.log_tail()}")
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).status == 200:
                    return time.perf_counter() - start
            time.sleep(0.5)
        raise RuntimeError(f"streamlit did not become healthy in 120 s: {self.log_tail()}")

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text()[-2000:]
        return ""

    def usage(self) -> tuple[float, int]:
        """CPU seconds used so far and resident memory now (0, 0 without psutil)."""
        try:
            import psutil

            process = psutil.Process(self.process.pid)
            times = process.cpu_times()
            return times.user + times.system, process.memory_info().rss
        except Exception:  # noqa: BLE001 - psutil missing or the process gone: no figure
            return 0.0, 0

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "log", None):
            self.log.close()


class ClientCpu:
    """CPU seconds of the client side (this process, Playwright's driver, Chromium and its renderers),
    sampled every second per process so renderers of closed contexts still count (up to 1 s lost)."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid, self.seen, self._stop = server_pid, {}, threading.Event()

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        for process in [me, *me.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                if process.pid != self.server_pid and self.server_pid not in {p.pid for p in process.parents()}:
                    times = process.cpu_times()
                    self.seen[process.pid] = times.user + times.system

    def _watch(self) -> None:
        while not self._stop.wait(1.0):
            self._sample()

    def __enter__(self) -> Self:
        try:
            self._sample()
        except ImportError:
            self._stop.set()
            return self
        self.start_total = sum(self.seen.values())
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._stop.is_set():
            self._stop.set()
            self._thread.join()
            self._sample()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values()) - getattr(self, "start_total", 0.0)


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    run_end: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # click -> script_finished
    page_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failed_sessions: list[str] = field(default_factory=list)
    clicks_repeated: int = 0


async def wait_sent(page, frames: list[bytes], pattern: bytes, timeout_s: float) -> None:
    """Until the page has sent a websocket frame containing `pattern` (see browser_helpers.SentFrames)."""
    deadline = time.monotonic() + timeout_s
    while not any(pattern in frame for frame in frames):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the page never sent {pattern!r}")
        await page.wait_for_timeout(50)


class Frames:
    """What the page's websocket carries: frames sent (to wait for the cookie manager's reports, see
    browser_helpers.SentFrames) and when each successful script_finished message arrived."""

    def __init__(self, page) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.sent: list[bytes] = []
        self.sent_at: list[float] = []
        self.finished: list[float] = []  # perf_counter() at arrival
        self._message, self._ok = ForwardMsg, (ForwardMsg.FINISHED_SUCCESSFULLY,)
        page.on("websocket", self._attach)

    def _attach(self, ws) -> None:
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    def _sent(self, payload: bytes | str) -> None:
        self.sent.append(payload if isinstance(payload, bytes) else payload.encode())
        self.sent_at.append(time.perf_counter())

    async def settle(self, page, after: bytes, timeout_s: float, quiet_s: float = 1.0) -> None:
        """Wait until the run that the first sent frame holding `after` asked for has finished and the
        app has stayed idle for `quiet_s` (the login cookie's report reruns the script once or twice:
        a click during those reruns would be timed with them)."""
        await wait_sent(page, self.sent, after, timeout_s)
        sent_at = next(t for t, frame in zip(self.sent_at, self.sent) if after in frame)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            idle = await page.evaluate("window.__gx && window.__gx.state === 'notRunning'")
            last = self.finished[-1] if self.finished else 0.0
            if idle and last > sent_at and time.perf_counter() - last > quiet_s:
                return
            await page.wait_for_timeout(100)
        raise TimeoutError("the app did not settle after sign-in")

    def _received(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes) and len(payload) < 1024:  # script_finished is tiny; skip the deltas
            with contextlib.suppress(Exception):
                message = self._message.FromString(payload)
                if message.WhichOneof("type") == "script_finished" and message.script_finished in self._ok:
                    self.finished.append(time.perf_counter())


async def click_and_wait(page, frames: Frames, target, title: str, timeout_s: float,
                         results: Results) -> tuple[float, float]:
    """Click `target` and wait until page `title` is drawn: (seconds to drawn, seconds until the run's
    script_finished message reached the browser's network stack: server time plus transfer). A click
    that started no script run within LOST_CLICK_S is repeated (counted); the time runs from the first."""
    started, finished = await page.evaluate("[window.__gx.started, window.__gx.finished]")
    seen = len(frames.finished)
    start = time.perf_counter()
    await target.click()
    for attempt in range(3):
        try:
            await page.wait_for_function(STARTED, arg=[started, finished], timeout=LOST_CLICK_S * 1000,
                                         polling=POLL_MS)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            if await target.is_visible():  # a click that did land may have taken its target away (sign-in)
                results.clicks_repeated += 1
                with contextlib.suppress(PlaywrightError):
                    await target.click(timeout=5_000)
    remaining = max(timeout_s - (time.perf_counter() - start), 1.0)
    try:
        await page.wait_for_function(DRAWN, arg=[title, finished], timeout=remaining * 1000, polling=POLL_MS)
    except PlaywrightTimeout:
        raise TimeoutError(f"{title} not drawn after {timeout_s:.0f} s: {await page.evaluate(STATE)}") from None
    total = time.perf_counter() - start
    run_end = frames.finished[seen] - start if len(frames.finished) > seen else float("nan")
    return total, run_end


async def one_session(browser, url: str, user: str, offset: int, rounds: int, timeout_s: float,
                      results: Results) -> None:
    step, context = "new browser context", None
    try:
        context = await browser.new_context(viewport={"width": 1400, "height": 900})
        await context.add_init_script(OBSERVER)
        page = await context.new_page()
        page.set_default_timeout(timeout_s * 1000)
        frames = Frames(page)
        step = LOGIN_FORM
        start = time.perf_counter()
        await page.goto(url)
        await page.get_by_role("textbox", name="Username").first.wait_for()
        results.latencies[LOGIN_FORM].append(time.perf_counter() - start)
        step = SIGN_IN
        # a click sent before the login cookie manager's first report is lost (browser_helpers.SentFrames)
        await wait_sent(page, frames.sent, rb"-init", timeout_s)
        await page.get_by_role("textbox", name="Username").fill(user)
        await page.get_by_role("textbox", name="Password").fill(PASSWORD)
        sign_in = page.get_by_role("button", name="Sign in")
        total, run_end = await click_and_wait(page, frames, sign_in, "Dashboard", timeout_s, results)
        results.latencies[SIGN_IN].append(total)
        results.run_end[SIGN_IN].append(run_end)
        await frames.settle(page, COOKIE_NAME, timeout_s)  # ... and so is one before the new cookie's report
        nav = page.get_by_test_id("stSidebarNav")
        order = PAGES[offset % len(PAGES):] + PAGES[:offset % len(PAGES)]
        for _ in range(rounds):
            for title in order:
                step = title
                link = nav.get_by_role("link", name=title)  # the name also holds the icon's ligature text
                total, run_end = await click_and_wait(page, frames, link, title, timeout_s, results)
                results.latencies[title].append(total)
                results.run_end[title].append(run_end)
                if await page.locator(EXCEPTION).count():
                    results.page_errors[title] += 1
    except Exception as error:  # noqa: BLE001 - a failed session is an error figure, not a crash
        results.failed_sessions.append(f"{user} at {step}: {type(error).__name__}: "
                                       f"{str(error).splitlines()[0][:300]}")
    finally:
        if context is not None:
            with contextlib.suppress(Exception):
                await context.close()


async def run_level(browser, url: str, users: int, rounds: int, timeout_s: float) -> tuple[Results, float]:
    results = Results()
    names = list(itertools.islice(itertools.cycle(USERS), users))
    start = time.perf_counter()
    await asyncio.gather(*(one_session(browser, url, name, i, rounds, timeout_s, results)
                           for i, name in enumerate(names)))
    return results, time.perf_counter() - start


def quantiles(values: list[float], server: list[float]) -> str:
    if not values:
        return "| 0 | | | | | |"
    p50, p90, p95 = np.percentile(values, [50, 90, 95])
    server = [v for v in server if not math.isnan(v)]  # NaN: no script_finished seen
    p50_server = f"{np.percentile(server, 50):.2f}" if server else ""
    return f"| {len(values)} | {p50:.2f} | {p90:.2f} | {p95:.2f} | {max(values):.2f} | {p50_server} |"


def table(levels: list[tuple[int, Results, float, tuple[float, int, float]]], rounds: int) -> str:
    lines = ["| users | step | n | p50 s | p90 s | p95 s | max s | p50 to run end s | errors |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for users, results, _, _ in levels:
        for step in (LOGIN_FORM, SIGN_IN, *PAGES):
            expected = users * (rounds if step in PAGES else 1)
            got = results.latencies.get(step, [])
            errors = expected - len(got) + results.page_errors.get(step, 0)
            lines.append(f"| {users} | {step} {quantiles(got, results.run_end.get(step, []))} {errors} |")
        every = [v for step in PAGES for v in results.latencies.get(step, [])]
        every_end = [v for step in PAGES for v in results.run_end.get(step, [])]
        lines.append(f"| {users} | **all pages** {quantiles(every, every_end)} "
                     f"{len(results.failed_sessions)} of {users} sessions failed |")
    return "\n".join(lines)


async def level_in_new_browser(playwright, url: str, users: int, rounds: int, timeout_s: float
                               ) -> tuple[Results, float]:
    """One level in a browser of its own: a browser that dies (or is killed) costs one level's sessions."""
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    lost: list[float] = []
    browser.on("disconnected", lambda _: lost.append(time.perf_counter()))
    start = time.perf_counter()
    try:
        results, seconds = await run_level(browser, url, users, rounds, timeout_s)
    finally:
        with contextlib.suppress(Exception):
            await browser.close()
    if lost and lost[0] - start < seconds - 1:
        results.failed_sessions.insert(0, f"(the browser went away {lost[0] - start:.0f} s into this level: "
                                          "crashed or killed from outside)")
    return results, seconds


async def drive(url: str, levels: list[int], rounds: int, timeout_s: float, server: Server) -> None:
    from playwright.async_api import async_playwright

    done = []
    try:
        async with async_playwright() as playwright:
            warm, _ = await level_in_new_browser(playwright, url, 1, 1, max(timeout_s, 300))
            print("warm-up session (untimed in the table; first visit of each page in this process): "
                  + ", ".join(f"{step} {values[0]:.2f} s" for step, values in warm.latencies.items())
                  + (f"; FAILED {warm.failed_sessions}" if warm.failed_sessions else ""), flush=True)
            for users in levels:
                cpu_before, _ = server.usage()
                with ClientCpu(server.process.pid) as client:
                    results, seconds = await level_in_new_browser(playwright, url, users, rounds, timeout_s)
                cpu_after, rss = server.usage()
                done.append((users, results, seconds, (cpu_after - cpu_before, rss, client.seconds)))
                every = [v for step in PAGES for v in results.latencies.get(step, [])]
                print(f"{users} users: {seconds:.0f} s, {len(every)} page views, "
                      f"p50 {np.percentile(every, 50) if every else float('nan'):.2f} s, "
                      f"{len(results.failed_sessions)} sessions failed, {results.clicks_repeated} clicks repeated; "
                      f"server CPU {cpu_after - cpu_before:.0f} s, RSS {rss / 2**20:.0f} MiB; client (browser, "
                      f"driver, this script) CPU {client.seconds:.0f} s; {machine_note()}", flush=True)
                for failure in results.failed_sessions[:6]:
                    print(f"  failed: {failure}", flush=True)
                if server.process.poll() is not None:
                    print(f"the server exited with {server.process.returncode} during this level; stopping. "
                          f"Log tail:\n{server.log_tail()}", flush=True)
                    break
    finally:
        if done:
            print_tables(done, rounds)


def print_tables(done: list, rounds: int) -> None:
    print(f"\n## Load test: one Streamlit server, {rounds} round(s) of {len(PAGES)} pages per session, "
          f"{os.cpu_count()} CPUs (browser on the same machine)\n")
    print(table(done, rounds))
    print("\n| users | wall s | page views/s | server CPU s | server CPU per view s | server RSS MiB "
          "| client CPU s | clicks repeated |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for users, results, seconds, (cpu, rss, client) in done:
        views = sum(len(results.latencies.get(step, [])) for step in PAGES)
        print(f"| {users} | {seconds:.0f} | {views / seconds:.2f} | {cpu:.0f} | "
              f"{cpu / max(views + len(results.latencies.get(SIGN_IN, [])), 1):.2f} | {rss / 2**20:.0f} "
              f"| {client:.0f} | {results.clicks_repeated} |")
    print("\nserver CPU per view counts sign-ins as views; client CPU = Chromium, Playwright's driver and this "
          "script, on the same 2 cores; a click repeated = no script run had started 90 s after it.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="1,5,10,20", help="comma list of concurrent sessions")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the pages per session")
    parser.add_argument("--quick", action="store_true", help="users 1,5 and one round (CI)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds a page may take before the session fails")
    args = parser.parse_args()
    levels = [1, 5] if args.quick else [int(u) for u in args.users.split(",") if u.strip()]
    rounds = 1 if args.quick else args.rounds
    if not Path(CHROMIUM).exists():
        sys.exit(f"Debian chromium not found at {CHROMIUM} (apt-get install chromium)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up on `kill` too
    print(machine_note(), flush=True)
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder))
        try:
            print(f"seed demo database (seed-demo, planning history): {server.seed():.1f} s", flush=True)
            print(f"streamlit healthy after {server.start():.1f} s at {server.url}", flush=True)
            asyncio.run(drive(server.url, levels, rounds, args.timeout, server))
        except subprocess.CalledProcessError as error:
            sys.exit(f"seed-demo failed: {error.stderr.decode()[-2000:]}")
        finally:
            server.stop()
            if server.process and server.process.returncode not in (0, -signal.SIGTERM, None):
                print(f"streamlit exited with {server.process.returncode}; log tail:\n{server.log_tail()}")
    print(machine_note())


if __name__ == "__main__":
    main()
