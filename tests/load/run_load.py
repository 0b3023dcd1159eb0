"""`make load`: a busy Saturday on the production shape, with a worker killed and Redis and PostgreSQL restarted.

nginx (deploy/nginx/cityfarm.conf, TLS with a certificate made on the fly) serves two gunicorn shops on one
fresh PostgreSQL database; two `flask shop worker` processes take the e-mail jobs from Redis and send them to a
local SMTP sink that counts what arrives. A crowd of threads browses, fills carts and checks out through
nginx, paying on the test page or through the Stripe stand-in (tests/stripe_stub.py), whose signed webhooks
are sometimes delivered twice. During the run one gunicorn worker and one job worker are killed with SIGKILL
(the job worker is started again, as systemd would), Redis is restarted (losing the jobs queued in it) and
PostgreSQL is restarted. At the end it waits for the outbox to drain and prints requests served, answers by
status, e-mails queued, sent and received (each must arrive exactly once), the 50th and 95th percentile from
commit to the sink, and `flask shop check-integrity`; it exits 1 when an invariant broke, a paid order was
lost, or an e-mail was lost or doubled.

Needs TEST_DATABASE_URL (a PostgreSQL the script may create databases in), Redis on 127.0.0.1:6379, nginx, and
root (port 443 and the restarts).
"""
import collections
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.load import shape  # noqa: E402
from tests.stripe_stub import StripeStub, make_event, sign_webhook  # noqa: E402

requests.packages.urllib3.disable_warnings()  # the certificate is made on the fly for this run
DURATION = int(os.environ.get("LOAD_SECONDS", "60"))
BASE = "https://127.0.0.1"
SMTP_PORT = 2525
BROKER = "redis://127.0.0.1:6379/11"
CROWD = int(os.environ.get("LOAD_CROWD", "24"))
CHAOS = os.environ.get("LOAD_CHAOS", "1") != "0"  # 0: no kills or restarts (a quick try of the shape)
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


def environment(database_url: str, stub: StripeStub) -> dict:
    return {**os.environ, "SHOP_ENV": "production", "SECRET_KEY": "load-test-secret", "DATABASE_URL": database_url,
            "PAYMENT_METHODS": "dummy,stripe", "ALLOW_DUMMY_PAYMENTS": "1", "STRIPE_SECRET_KEY": "sk_test_load",
            "STRIPE_API_BASE": stub.base_url, "STRIPE_WEBHOOK_SECRET": SECRET, "RATELIMIT_ENABLED": "0",
            "RESERVATION_MINUTES": "30", "TRUSTED_PROXY_COUNT": "1", "SHOP_BASE_URL": BASE, "BROKER_URL": BROKER,
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(SMTP_PORT), "MAIL_STARTTLS": "0"}


class Browser(requests.Session):
    """A visitor on HTTPS through nginx, each form posted from the page it was on (the CSRF check reads the
    Referer)."""

    def __init__(self) -> None:
        super().__init__()
        self.verify = False
        self.trust_env = False  # neither a CA bundle nor a proxy from the environment: nginx is local
        self.hooks["response"].append(self._remember_page)

    def _remember_page(self, response, *_args, **_kwargs):
        if response.request.method == "GET":
            self.headers["Referer"] = response.url


def on_this_host(base: str, location: str) -> str:
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


def shopper(base: str, stub: StripeStub, slugs: list[str], deadline: float) -> None:
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
            method = rng.choice(["dummy", "stripe"])
            answer = web.post(base + "/checkout", allow_redirects=False, timeout=20, data={
                "csrf_token": token(form.text), "email": f"load{rng.randrange(10**6)}@example.kz",
                "full_name": "Load Test", "phone": "+77012345678", "delivery_method": "pickup", "accept_terms": "y",
                "payment_method": method})
            record(answer)
            location = answer.headers.get("Location", "")
            if answer.status_code == 303 and urlsplit(location).path.rstrip("/").endswith("/cart"):
                with lock:  # the kit ran out between the cart and the order: the cart says so
                    stats["sent back to the cart"] += 1
            elif answer.status_code == 303:
                pay(web, base, stub if method == "stripe" else None,
                    location if method == "stripe" else on_this_host(base, location), rng)
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
            answer = requests.post(base + "/webhooks/stripe", data=payload, timeout=20, verify=False,
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


def disturb(web_server: subprocess.Popen, workers: list, env: dict, start: float) -> None:
    def at(fraction: float, what: str, action) -> None:
        time.sleep(max(0.0, start + DURATION * fraction - time.time()))
        print(f"[{time.time() - start:5.1f}s] {what}: {action()}", flush=True)

    at(0.2, "killed a gunicorn worker with SIGKILL", lambda: shape.kill_one_child(web_server))

    def kill_job_worker():
        workers[0].kill()
        time.sleep(2)  # systemd's RestartSec
        workers[0] = shape.job_worker(env, 1)
        return "started again after 2 s"

    at(0.4, "killed job worker 1 with SIGKILL", kill_job_worker)
    at(0.6, "restarted Redis (the jobs queued in it are lost)", lambda: f"exit {shape.restart_redis()}")
    at(0.8, "restarted PostgreSQL", lambda: f"exit {shape.restart_postgres()}")


def drain(database_url: str, limit: float) -> None:
    """Wait until every queued e-mail is sent (a dead sender's claim runs out after five minutes)."""
    engine = create_engine(database_url)
    started = time.time()
    while time.time() - started < limit:
        with engine.connect() as connection:
            unsent = connection.execute(text("SELECT count(*) FROM outbox_message WHERE sent_at IS NULL")).scalar()
        if not unsent:
            break
        print(f"  waiting for {unsent} e-mail(s) to be sent ({time.time() - started:.0f} s)", flush=True)
        time.sleep(10)
    engine.dispose()
    time.sleep(2)  # the last messages on their way to the sink


def main() -> int:
    if not os.environ.get("TEST_DATABASE_URL"):
        print("make load needs TEST_DATABASE_URL (PostgreSQL); skipped.")
        return 0
    database_url = fresh_database()
    subprocess.run(["redis-cli", "-n", BROKER.rsplit("/", 1)[1], "flushdb"], check=True, capture_output=True)
    with StripeStub() as stub, shape.Sink(SMTP_PORT) as sink, tempfile.TemporaryDirectory() as scratch:
        env = environment(database_url, stub)
        subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([*FLASK, "shop", "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        servers = [shape.gunicorn(env, 8101), shape.gunicorn(env, 8102)]
        workers = [shape.job_worker(env, 1), shape.job_worker(env, 2)]
        with shape.Nginx(Path(scratch), [8101, 8102]):
            slugs = [item["slug"] for item in requests.get(f"{BASE}/api/products", timeout=10, verify=False).json()]
            start = time.time()
            deadline = start + DURATION
            crowd = [threading.Thread(target=shopper, args=(BASE, stub, slugs, deadline)) for _ in range(CROWD)]
            if CHAOS:
                crowd.append(threading.Thread(target=disturb, args=(servers[0], workers, env, start)))
            for thread in crowd:
                thread.start()
            for thread in crowd:
                thread.join()
            elapsed = time.time() - start
            drain(database_url, limit=420)
        for process in (*servers, *workers):
            process.terminate()
        for process in (*servers, *workers):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        return report(env, database_url, elapsed, sink.arrivals)


def report(env: dict, database_url: str, elapsed: float, arrivals: list[tuple[str, float]]) -> int:
    served = sum(count for key, count in stats.items() if isinstance(key, int))
    print(f"\n{served} requests in {elapsed:.0f} s ({served / elapsed:.0f}/s) by {CROWD} shoppers")
    print("answers: " + ", ".join(f"{key}: {count}" for key, count in sorted(stats.items(), key=str)))
    engine = create_engine(database_url)
    with engine.connect() as connection:
        paid_ids = set(connection.execute(
            text("SELECT public_id FROM shop_order WHERE payment_status = 'paid'")).scalars())
        sold = connection.execute(text("SELECT -coalesce(sum(delta), 0) FROM stock_movement WHERE kind='sold'"))\
            .scalar()
        queued = dict(connection.execute(text("SELECT id, created_at FROM outbox_message")).all())
        sent = connection.execute(text("SELECT count(*) FROM outbox_message WHERE sent_at IS NOT NULL")).scalar()
    engine.dispose()
    mail_broken = mail_report(queued, sent, arrivals)
    print(f"orders paid: {len(paid_ids)} (crowd saw {len(paid_by_crowd)} payments confirmed); units sold: {sold}")
    check = subprocess.run([*FLASK, "shop", "check-integrity"], cwd=ROOT, env=env, capture_output=True, text=True)
    print("check-integrity:", check.stdout.strip())
    lost = set(paid_by_crowd) - paid_ids
    if lost:
        print(f"LOST: {len(lost)} payments the crowd saw confirmed are not paid orders: {sorted(lost)[:10]}")
    return 1 if check.returncode or lost or mail_broken else 0


def mail_report(queued: dict, sent: int, arrivals: list[tuple[str, float]]) -> bool:
    """Print e-mails queued, sent and received, and commit-to-sink latency; return True when one was lost or
    doubled."""
    first: dict[int, float] = {}
    for message_id, moment in arrivals:
        found = re.match(r"<outbox\.(\d+)\.", message_id)
        if found:
            first.setdefault(int(found.group(1)), moment)
    doubled = len(arrivals) - len(first)
    missing = set(queued) - set(first)
    delays = sorted(first[number] - queued[number].timestamp() for number in first if number in queued)

    def percentile(share: float) -> float:
        return delays[min(len(delays) - 1, int(share * len(delays)))] if delays else 0.0

    print(f"e-mails: {len(queued)} queued, {sent} sent, {len(first)} received; {doubled} received twice, "
          f"{len(missing)} never arrived")
    print(f"commit to SMTP sink: p50 {percentile(0.5) * 1000:.0f} ms, p95 {percentile(0.95) * 1000:.0f} ms")
    return bool(doubled or missing)


if __name__ == "__main__":
    sys.exit(main())
