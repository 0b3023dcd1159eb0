"""``make bench``: the seeded shop under gunicorn, measured with wrk against a bare Flask "hello world".

Both apps run under the same gunicorn settings (2 sync workers on 127.0.0.1, plus any
``BENCH_GUNICORN_ARGS``) and get the same load: wrk with 2 threads and 32 connections, ``BENCH_SECONDS``
(default 10) per endpoint after a 1-second warm-up (``BENCH_ONLY=product,course`` measures only those),
sending a browser's ``Accept-Encoding`` and ``Accept-Language``. The shop runs with production settings
on a fresh SQLite file (migrated with ``flask db upgrade`` and seeded with ``flask shop seed-demo``) and,
when ``TEST_DATABASE_URL`` is set, again on a fresh PostgreSQL database created for the run and dropped
after it. Bare Flask is measured right before each database's run, so that each ratio compares runs
made under the same background load; the load average is printed at the start and the end.

Arranged for the load, and only here:
- ``RATELIMIT_ENABLED=0``: all load comes from one address, which the checkout limit would rightly refuse.
- ``HOLD_MAX_UNPAID_ORDERS``, ``HOLD_MAX_BUYER_UNITS`` raised: the caps on what one buyer may hold unpaid count
  by network address too, and here 128 buyers share 127.0.0.1 (each has their own e-mail and cart).
- Stock: the basil kit receives 1,000,000 units through ``receive_stock`` (a ledger row like any
  delivery), so neither cart adds nor checkouts run out.
- Visitors: 128 sessions are primed over HTTP first (the product page, one basil kit into the cart, the
  cart page for the CSRF token the checkout form carries, clearing the flash). wrk's threads take disjoint
  shares of them, so cart adds and checkouts come from many carts, as from many buyers. Each checkout
  replaces that cart's earlier unpaid order and releases its hold, as the contract says, so holds never
  pile up. CSRF stays on.
A request counts as an error when the socket fails or the answer is not the expected one: 200 for pages,
303 for a cart add, and 303 to the dummy payment page for a checkout.
"""
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
GUNICORN_ARGS = os.environ.get("BENCH_GUNICORN_ARGS", "").split()  # e.g. "--worker-class gthread --threads 4"
ONLY = {label.strip() for label in os.environ.get("BENCH_ONLY", "").split(",") if label.strip()}  # e.g. "product"
CONNECTIONS, WRK_THREADS, WORKERS, VISITORS = 32, 2, 2, 128
MEMORY_ROUNDS, MEMORY_ROUND_REQUESTS = 4, 5_000
SERVERS: dict[str, int] = {}  # base URL -> gunicorn master's pid
PRODUCT, COURSE = "basil-starter-kit", "microgreens-at-home"
ENDPOINTS = [
    ("home", "get", "/"),
    ("catalogue", "get", "/catalog/"),
    ("product", "get", f"/products/{PRODUCT}"),
    ("course", "get", f"/courses/{COURSE}"),
    ("/api/products", "get", "/api/products"),
    ("cart add + view", "cart", "/cart"),
    ("checkout start", "checkout", "/checkout"),
]
BUYER = {"email": "bench@example.kz", "full_name": "Бенч Тестов", "phone": "+7 701 234 56 78",
         "delivery_method": "courier", "city": "Алматы", "address": "пр. Абая 10, кв. 5", "accept_terms": "y"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def shop_env(database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("STRIPE_", "MAIL_"))}
    env.update(SHOP_ENV="production", SECRET_KEY="bench-" + os.urandom(16).hex(), DATABASE_URL=database_url,
               ALLOW_SQLITE="1", ALLOW_DUMMY_PAYMENTS="1", PAYMENT_PROVIDER="dummy", RATELIMIT_ENABLED="0",
               HOLD_MAX_UNPAID_ORDERS="1000000", HOLD_MAX_BUYER_UNITS="1000000",
               RATELIMIT_STORAGE_URI="memory://", TRUSTED_PROXY_COUNT="0", FLASK_DEBUG="0")
    env["SHOP_BASE_URL"] = "https://bench.cityfarm.test"
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command[:4])}… failed:\n{done.stdout}{done.stderr}")


def prepare_database(env: dict[str, str]) -> None:
    """Migrate, seed and stock up the bench database, with the shop's own commands and services."""
    flask = [str(BIN / "flask"), "--app", "wsgi"]
    _run([*flask, "db", "upgrade"], env)
    _run([*flask, "shop", "seed-demo"], env)
    stock_up = (
        "from sqlalchemy import select\n"
        "from shop import create_app\nfrom shop.clock import utcnow\nfrom shop.database import unit_of_work\n"
        "from shop.extensions import db\nfrom shop.inventory.services import receive_stock\n"
        "from shop.models import Product\n"
        "with create_app().app_context():\n"
        "    with unit_of_work():\n"
        f"        kit = db.session.scalar(select(Product).where(Product.slug == {PRODUCT!r}))\n"
        "        receive_stock(kit, 1_000_000, now=utcnow(), reason='bench: plenty for checkouts')\n"
    )
    _run([sys.executable, "-c", stock_up], env)


@contextmanager
def gunicorn(app_path: str, env: dict[str, str], cwd: Path):
    """Serve ``app_path`` with the bench's gunicorn settings; yield its base URL."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", *GUNICORN_ARGS, app_path]
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if status_of(port, "/") < 500:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start: {' '.join(command)}")
            time.sleep(0.2)
        SERVERS[f"http://127.0.0.1:{port}"] = server.pid
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def status_of(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    return connection.getresponse().status


def _call(base: str, method: str, path: str, cookie: str = "", form: dict | None = None):
    """Send one request; return (status, body, the session cookie it set or the one sent)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers.update({"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"})
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith("session="):
            cookie = header.split(";", 1)[0]
    return response.status, text, cookie


def prime_visitors(base: str, count: int) -> Path:
    """Give ``count`` sessions a cart with one kit and a CSRF token; write them where wrk reads them.

    The add-to-cart form carries no token (the browser's ``Sec-Fetch-Site`` proves it was posted from the
    shop); the cart page gives the token the checkout form needs.
    """
    lines = []
    for number in range(count):
        _call(base, "GET", f"/products/{PRODUCT}")
        add = {"product": PRODUCT, "quantity": "1"}
        status, _, cookie = _call(base, "POST", "/cart/add", form=add)
        assert status == 303, f"priming a cart got {status}"
        status, page, cookie = _call(base, "GET", "/cart", cookie)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        buyer = {"csrf_token": token, **BUYER, "email": f"bench{number}@example.kz"}
        lines.append("\t".join([cookie, urlencode(add), urlencode(buyer)]))
    path = Path(tempfile.mkstemp(prefix="bench-visitors-", suffix=".tsv")[1])
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(url: str, mode: str, visitors: Path | None, seconds: int) -> dict:
    command = ["wrk", "-t", str(WRK_THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "10s",
               "-s", str(HERE / "bench.lua"), url, "--", mode]
    if visitors is not None:
        command += [str(visitors), str(WRK_THREADS)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line.removeprefix("BENCH "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = result["socket_errors"] + result["unexpected"]
    return result


def measure(base: str, endpoints, visitors: Path | None = None) -> dict[str, dict]:
    results = {}
    for label, mode, path in endpoints:
        wrk(base + path, mode, visitors, 1)
        results[label] = wrk(base + path, mode, visitors, SECONDS)
        print(f"  {label}: {results[label]['rps']:.0f} req/s", file=sys.stderr, flush=True)
    return results


def worker_memory_mib(base: str) -> list[float]:
    """Return the resident memory of each gunicorn worker serving ``base``, in MiB."""
    master = SERVERS[base]
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return sorted(sizes)


def _mixed_requests(base: str, visitors: Path, count: int) -> None:
    """Send ``count`` requests as a day's mix: pages, searches, the JSON, cart adds and cart views."""
    rows = [line.split("\t") for line in visitors.read_text().splitlines() if line]
    pages = ["/", "/catalog/", f"/products/{PRODUCT}", f"/courses/{COURSE}", "/api/products",
             "/catalog/?q=basil", "/courses/", "/catalog/?sort=price"]

    def one(index: int) -> None:
        cookie, cart_body, _checkout = rows[index % len(rows)]
        if index % 10 == 9:
            _call(base, "POST", "/cart/add", cookie, dict(parse_qsl(cart_body)))
        elif index % 10 == 8:
            _call(base, "GET", "/cart", cookie)
        else:
            _call(base, "GET", pages[index % len(pages)])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(count)))


def measure_memory(base: str, visitors: Path) -> list[list[float]]:
    """Return each worker's resident memory after each round of mixed requests."""
    rounds = []
    for _ in range(MEMORY_ROUNDS):
        _mixed_requests(base, visitors, MEMORY_ROUND_REQUESTS)
        rounds.append(worker_memory_mib(base))
    print(f"  memory per worker after each {MEMORY_ROUND_REQUESTS:,} requests: "
          + "; ".join(", ".join(f"{size:.1f}" for size in sizes) for sizes in rounds) + " MiB", file=sys.stderr)
    return rounds


def bench_shop(database_url: str) -> tuple[dict[str, dict], list[list[float]]]:
    env = shop_env(database_url)
    prepare_database(env)
    with gunicorn("wsgi:app", env, ROOT) as base:
        visitors = prime_visitors(base, VISITORS)
        try:
            results = measure(base, [endpoint for endpoint in ENDPOINTS if not ONLY or endpoint[0] in ONLY], visitors)
            return results, ([] if ONLY else measure_memory(base, visitors))
        finally:
            visitors.unlink()


def bench_hello() -> dict:
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    with gunicorn("hello_app:app", env, HERE) as base:
        return measure(base, [("bare Flask hello world", "get", "/")])["bare Flask hello world"]


@contextmanager
def fresh_postgres(url: str):
    """Create an empty database beside TEST_DATABASE_URL's for this run; drop it afterwards."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    name = f"shop_bench_{os.getpid()}"
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    bench_url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
    try:
        yield bench_url.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return f"{os.cpu_count()} CPUs ({cpu}), {memory_kb / 1024 / 1024:.1f} GiB RAM, Python {sys.version.split()[0]}"


def _row(database: str, label: str, result: dict, baseline: dict) -> str:
    return (f"| {database} | {label} | {result['rps']:.0f} | {result['p50_us'] / 1000:.1f} | "
            f"{result['p99_us'] / 1000:.1f} | {result['errors']} | {100 * result['rps'] / baseline['rps']:.0f} % |")


def table(runs: dict[str, tuple[dict, dict[str, dict], list]]) -> str:
    rows = ["| database | endpoint | requests/s | p50 ms | p99 ms | errors | vs bare Flask |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for database, (hello, results, _memory) in runs.items():
        rows.append(_row(database, "bare Flask hello world", hello, hello))
        rows += [_row(database, label, result, hello) for label, result in results.items()]
    return "\n".join(rows)


def memory_table(runs: dict[str, tuple[dict, dict[str, dict], list]]) -> str:
    """Resident memory per worker after 10,000 and 20,000 mixed requests, and the growth between them."""
    total = MEMORY_ROUNDS * MEMORY_ROUND_REQUESTS
    rows = [f"| database | worker | MiB after {total // 2:,} requests | MiB after {total:,} | growth |",
            "| --- | --- | ---: | ---: | ---: |"]
    for database, (_hello, _results, memory) in runs.items():
        if not memory:
            continue
        middle, last = memory[MEMORY_ROUNDS // 2 - 1], memory[-1]
        for worker, (before, after) in enumerate(zip(middle, last, strict=False), start=1):
            rows.append(f"| {database} | {worker} | {before:.1f} | {after:.1f} | {after - before:+.1f} |")
    return "\n".join(rows)


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    if shutil.which("wrk") is None:
        sys.exit("make bench needs wrk (Debian package 'wrk'); `make bench` installs it with apt-get")
    started = time.monotonic()
    print(f"Machine: {machine()}; {load()}", file=sys.stderr)
    # Bare Flask is measured again right before each database's run, so each ratio compares runs made
    # minutes apart under the same background load.
    runs = {}
    with tempfile.TemporaryDirectory(prefix="shop-bench-") as folder:
        print("bare Flask, then the shop on SQLite:", file=sys.stderr)
        runs["SQLite"] = (bench_hello(), *bench_shop(f"sqlite:///{folder}/bench.sqlite3"))
    if os.environ.get("TEST_DATABASE_URL"):
        with fresh_postgres(os.environ["TEST_DATABASE_URL"]) as url:
            print("bare Flask, then the shop on PostgreSQL:", file=sys.stderr)
            runs["PostgreSQL"] = (bench_hello(), *bench_shop(url))
    settings = " ".join([f"{WORKERS} workers", *GUNICORN_ARGS])
    print(f"\nCity Farm shop vs bare Flask: gunicorn {settings}, wrk {WRK_THREADS} threads × {CONNECTIONS} connections"
          f", {SECONDS} s per endpoint\n{machine()}; at the end {load()}\n")
    print(table(runs))
    if not ONLY:
        print(f"\nMemory (resident, per worker) after rounds of {MEMORY_ROUND_REQUESTS:,} mixed requests\n")
        print(memory_table(runs))
    print(f"\n(took {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
