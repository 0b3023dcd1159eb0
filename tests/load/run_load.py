"""`make load`: a busy Saturday against gunicorn on PostgreSQL, with a worker killed and the database restarted.

Two shops share one fresh PostgreSQL database: one with the dummy provider, one with the Stripe stand-in
(tests/stripe_stub.py). A crowd of threads browses, fills carts and checks out on both for a bounded time;
Stripe payments are confirmed by signed webhooks, some delivered twice. Mid-run one gunicorn worker is killed
with SIGKILL and PostgreSQL is restarted. At the end it prints requests served, errors by status, the orders
paid, and `flask shop check-integrity`; it exits 1 when an invariant broke or a paid order was lost.

Needs TEST_DATABASE_URL (a PostgreSQL the script may create databases in) and root for the restart.
"""
import collections
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.stripe_stub import StripeStub, make_event, sign_webhook  # noqa: E402

DURATION = int(os.environ.get("LOAD_SECONDS", "60"))
CROWD = int(os.environ.get("LOAD_CROWD", "24"))
SECRET = "whsec_load"
FLASK = [str(ROOT / ".venv/bin/flask"), "--app", "wsgi"]
stats = collections.Counter()
paid_by_crowd: list[str] = []
lock = threading.Lock()


def fresh_database() -> str:
    base = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://")
    name = f"shop_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def environment(database_url: str, **extra) -> dict:
    return {**os.environ, "SHOP_ENV": "production", "SECRET_KEY": "load-test-secret", "DATABASE_URL": database_url,
            "ALLOW_DUMMY_PAYMENTS": "1", "STRIPE_WEBHOOK_SECRET": SECRET, "RATELIMIT_ENABLED": "0",
            "RESERVATION_MINUTES": "30", "TRUSTED_PROXY_COUNT": "1",
            "SHOP_BASE_URL": "https://shop.cityfarm.test", **extra}


def serve(env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{port}",
                                "--workers", "3", "--access-logfile", "/dev/null", "--error-logfile", "-"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=open(f"/tmp/shop-load-{port}.log", "wb"))  # noqa: SIM115 (lives with the server)
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn on port {port} did not start")


class Browser(requests.Session):
    """A visitor as nginx passes them on: HTTPS outside (so Secure cookies are sent), forwarded headers
    inside, and each form posted from the page it was on (the CSRF check reads the Referer)."""

    def __init__(self) -> None:
        super().__init__()
        self.headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
        self.hooks["response"].append(self._remember_page)

    def prepare_request(self, request):
        for cookie in self.cookies:
            cookie.secure = False  # the TLS end is played by this script
        return super().prepare_request(request)

    def _remember_page(self, response, *_args, **_kwargs):
        if response.request.method == "GET":
            self.headers["Referer"] = response.url.replace("http://", "https://", 1)


def on_this_host(base: str, location: str) -> str:
    """Point a redirect the shop wrote for the outside (https://shop/…) back at the gunicorn behind nginx."""
    parts = urlsplit(location)
    return base + parts.path + (f"?{parts.query}" if parts.query else "")


def record(response) -> None:
    with lock:
        stats[response.status_code] += 1


def token(page: str) -> str:
    """The CSRF token of the page's first form, whichever order its input's attributes come in."""
    for tag in re.findall(r"<input[^>]*>", page):
        if 'name="csrf_token"' in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return ""


def shopper(base: str, stub: StripeStub | None, slugs: list[str], deadline: float) -> None:
    rng = random.Random()
    while time.time() < deadline:
        web = Browser()
        try:
            for path in ("/", "/catalog/", f"/catalog/?q={rng.choice(['basil', 'мята', 'kit'])}", "/courses/"):
                record(web.get(base + path, timeout=10))
            page = web.get(f"{base}/products/{rng.choice(slugs)}", timeout=10)
            record(page)
            slug = re.search(r'name="product" value="([^"]+)"', page.text)
            if rng.random() < 0.4 or not slug:  # browsing only, or the kit is sold out
                continue
            # The add-to-cart form carries no token: the Referer of the product page proves where it came from.
            record(web.post(base + "/cart/add", data={"product": slug.group(1),
                                                      "quantity": rng.choice(["1", "1", "2"])}, timeout=10))
            form = web.get(base + "/checkout", timeout=10)
            record(form)
            if 'name="email"' not in form.text:  # the kit sold out meanwhile and the cart stayed empty
                with lock:
                    stats["sold out before checkout"] += 1
                continue
            answer = web.post(base + "/checkout", allow_redirects=False, timeout=20, data={
                "csrf_token": token(form.text), "email": f"load{rng.randrange(10**6)}@example.kz",
                "full_name": "Load Test", "phone": "+77012345678", "delivery_method": "pickup", "accept_terms": "y"})
            record(answer)
            if answer.status_code == 303:
                pay(web, base, stub, on_this_host(base, answer.headers["Location"]), rng)
        except requests.RequestException as error:
            with lock:
                stats[type(error).__name__] += 1


def pay(web, base, stub, location, rng) -> None:
    if stub is None:
        page = web.get(location, timeout=10)
        record(page)
        answer = web.post(location, data={"csrf_token": token(page.text), "outcome": "pay"}, timeout=20,
                          allow_redirects=False)
        record(answer)
        paid = re.search(r"/checkout/success\?order=([\w-]+)", answer.headers.get("Location", ""))
        if answer.status_code == 303 and paid:
            with lock:
                paid_by_crowd.append(paid.group(1))
        return
    session_id = location.rsplit("/", 1)[-1]
    session = stub.complete(session_id)
    event = make_event("checkout.session.completed", session)
    payload = json.dumps(event).encode()
    copies = 2 if rng.random() < 0.3 else 1  # some deliveries duplicated, as Stripe does
    for _ in range(copies):
        deliver(base, payload)
    with lock:
        stats["Stripe payments"] += 1
        stats["webhooks delivered twice"] += copies - 1
    with lock:
        paid_by_crowd.append(session["metadata"]["order_id"])


def deliver(base: str, payload: bytes) -> None:
    """Send a webhook until the shop answers 2xx, retrying with back-off as Stripe does (here within 60 s)."""
    for delay in (0, 0.5, 1, 2, 4, 8, 15, 30):
        time.sleep(delay)
        try:
            answer = requests.post(base + "/webhooks/stripe", data=payload, timeout=20,
                                   headers={"Stripe-Signature": sign_webhook(payload, SECRET)})
        except requests.RequestException as error:
            with lock:
                stats[f"webhook {type(error).__name__}"] += 1
            continue
        record(answer)
        if answer.ok:
            return
        with lock:
            stats["webhook retried"] += 1
    with lock:
        stats["webhook given up"] += 1


def disturb(dummy: subprocess.Popen, start: float) -> None:
    time.sleep(DURATION / 3)
    workers = subprocess.run(["pgrep", "-P", str(dummy.pid)], capture_output=True, text=True).stdout.split()
    if workers:
        os.kill(int(workers[0]), signal.SIGKILL)
        print(f"[{time.time() - start:5.1f}s] killed gunicorn worker {workers[0]} with SIGKILL", flush=True)
    time.sleep(DURATION / 3)
    restarted = subprocess.run("pg_ctlcluster $(pg_lsclusters -h | awk 'NR==1{print $1, $2}') restart "
                               "|| service postgresql restart", shell=True, capture_output=True)
    print(f"[{time.time() - start:5.1f}s] restarted PostgreSQL (exit {restarted.returncode})", flush=True)


def main() -> int:
    if not os.environ.get("TEST_DATABASE_URL"):
        print("make load needs TEST_DATABASE_URL (PostgreSQL); skipped.")
        return 0
    database_url = fresh_database()
    env = environment(database_url)
    subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*FLASK, "shop", "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    with StripeStub() as stub:
        dummy = serve(env, 8101)
        stripe = serve(environment(database_url, PAYMENT_PROVIDER="stripe", STRIPE_SECRET_KEY="sk_test_load",
                                   STRIPE_API_BASE=stub.base_url), 8102)
        slugs = [item["slug"] for item in requests.get("http://127.0.0.1:8101/api/products", timeout=10).json()]
        start = time.time()
        deadline = start + DURATION
        crowd = [threading.Thread(target=shopper, args=(f"http://127.0.0.1:{8101 + n % 2}",
                                                        stub if n % 2 else None, slugs, deadline))
                 for n in range(CROWD)]
        chaos = threading.Thread(target=disturb, args=(dummy, start))
        for thread in (*crowd, chaos):
            thread.start()
        for thread in (*crowd, chaos):
            thread.join()
        elapsed = time.time() - start
        for process in (dummy, stripe):
            process.terminate()
        for process in (dummy, stripe):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    return report(env, database_url, elapsed)


def report(env: dict, database_url: str, elapsed: float) -> int:
    served = sum(count for key, count in stats.items() if isinstance(key, int))
    print(f"\n{served} requests in {elapsed:.0f} s ({served / elapsed:.0f}/s) by {CROWD} shoppers")
    print("answers: " + ", ".join(f"{key}: {count}" for key, count in sorted(stats.items(), key=str)))
    engine = create_engine(database_url)
    with engine.connect() as connection:
        paid_ids = set(connection.execute(text("SELECT public_id FROM shop_order WHERE status = 'paid'")).scalars())
        sold = connection.execute(text("SELECT -coalesce(sum(delta), 0) FROM stock_movement WHERE kind='sold'"))\
            .scalar()
    engine.dispose()
    print(f"orders paid: {len(paid_ids)} (crowd saw {len(paid_by_crowd)} payments confirmed); units sold: {sold}")
    check = subprocess.run([*FLASK, "shop", "check-integrity"], cwd=ROOT, env=env, capture_output=True, text=True)
    print("check-integrity:", check.stdout.strip())
    lost = set(paid_by_crowd) - paid_ids
    if lost:
        print(f"LOST: {len(lost)} payments the crowd saw confirmed are not paid orders: {sorted(lost)[:10]}")
    return 1 if check.returncode or lost else 0


if __name__ == "__main__":
    sys.exit(main())
