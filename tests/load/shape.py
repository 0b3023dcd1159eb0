"""The production shape for `make load`: nginx with TLS in front of two gunicorn shops, two job workers on
Redis, a local SMTP sink that counts what arrives, and the means to break things (SIGKILL, restarts)."""
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import requests
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "cityfarm.conf"


class Sink:
    """An SMTP server on 127.0.0.1 that records each message's Message-ID and the moment it arrived."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.arrivals: list[tuple[str, float]] = []
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, _server, _session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        with self._lock:
            self.arrivals.append((str(message["Message-ID"]).strip(), time.time()))
        return "250 OK"

    def __enter__(self) -> "Sink":
        self._controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._controller.stop()


class Nginx:
    """deploy/nginx/cityfarm.conf itself, with its machine paths moved into a scratch folder and a certificate
    made on the fly; it listens on 443 (so the Host the app sees is the one the browser sent)."""

    def __init__(self, scratch: Path, upstreams: list[int]) -> None:
        self.scratch = scratch
        self.upstreams = upstreams
        self.process: subprocess.Popen | None = None

    def _configure(self) -> Path:
        scratch = self.scratch
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-keyout", str(scratch / "privkey.pem"), "-out",
                        str(scratch / "fullchain.pem")], check=True, capture_output=True)
        site = SITE.read_text()
        for machine_path, here in {"/etc/letsencrypt/live/cityfarm.kz/": f"{scratch}/", "/srv/shop/": f"{ROOT}/",
                                   "/var/log/nginx/": f"{scratch}/", "/var/www/letsencrypt": f"{scratch}/acme",
                                   "listen 80;": "listen 127.0.0.1:8080;", "listen [::]:80;": "",
                                   "listen [::]:443 ssl http2;": ""}.items():
            site = site.replace(machine_path, here)
        servers = "".join(f"    server 127.0.0.1:{port} max_fails=0;\n" for port in self.upstreams)
        site = re.sub(r"    server 127\.0\.0\.1:8000 [^\n]*\n", servers, site)
        (scratch / "site.conf").write_text(site)
        main = scratch / "nginx.conf"
        main.write_text(f"""daemon off;
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {scratch}/body;
    proxy_temp_path {scratch}/proxy;
    access_log off;
    include {scratch}/site.conf;
}}
""")
        return main

    def __enter__(self) -> "Nginx":
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        main = self._configure()
        subprocess.run([nginx, "-t", "-p", str(self.scratch), "-c", str(main)], check=True, capture_output=True)
        self.process = subprocess.Popen([nginx, "-p", str(self.scratch), "-c", str(main)])
        for _ in range(50):
            try:
                requests.get("https://127.0.0.1/healthz", verify=False, timeout=1)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        raise SystemExit("nginx did not start")

    def __exit__(self, *_exc) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)


def gunicorn(env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{port}",
                                "--workers", "3", "--access-logfile", "/dev/null", "--error-logfile", "-"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=open(f"/tmp/shop-load-{port}.log", "wb"))  # noqa: SIM115 (lives with it)
    _wait_for(f"http://127.0.0.1:{port}/healthz", f"gunicorn on port {port}")
    return process


def job_worker(env: dict, number: int) -> subprocess.Popen:
    return subprocess.Popen([str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "shop", "worker", "--hostname",
                             f"load{number}@%h", "--concurrency", "2"], cwd=ROOT, env=env,
                            stdout=open(f"/tmp/shop-load-worker{number}.log", "wb"),  # noqa: SIM115
                            stderr=subprocess.STDOUT)


def _wait_for(url: str, what: str) -> None:
    for _ in range(150):
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{what} did not start")


def kill_one_child(parent: subprocess.Popen) -> int | None:
    children = subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True, text=True).stdout.split()
    if children:
        os.kill(int(children[0]), signal.SIGKILL)
        return int(children[0])
    return None


def restart_redis() -> int:
    """Restart the machine's Redis (it keeps nothing on disk: queued jobs are lost, as in a real crash)."""
    subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True)
    time.sleep(0.5)
    started = subprocess.run(["redis-server", "--bind", "127.0.0.1", "--port", "6379", "--save", "",
                              "--appendonly", "no", "--daemonize", "yes"], capture_output=True)
    for _ in range(50):
        if subprocess.run(["redis-cli", "ping"], capture_output=True, text=True).stdout.strip() == "PONG":
            break
        time.sleep(0.1)
    return started.returncode


def restart_postgres() -> int:
    return subprocess.run("pg_ctlcluster $(pg_lsclusters -h | awk 'NR==1{print $1, $2}') restart "
                          "|| service postgresql restart", shell=True, capture_output=True).returncode
