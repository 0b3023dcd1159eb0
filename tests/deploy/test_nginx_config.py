"""The nginx site in deploy/ is valid for Debian's nginx, and the systemd units start commands that exist."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _site_for(tmp: Path) -> Path:
    """Return the site file with its machine paths moved into ``tmp`` (a throwaway certificate, logs)."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=cityfarm.kz", "-keyout", str(tmp / "privkey.pem"), "-out", str(tmp / "fullchain.pem")],
                   check=True, capture_output=True)
    text = (DEPLOY / "nginx" / "cityfarm.conf").read_text()
    for machine_path, here in {"/etc/letsencrypt/live/cityfarm.kz/": f"{tmp}/", "/srv/shop/": f"{ROOT}/",
                               "/var/log/nginx/": f"{tmp}/", "/var/www/letsencrypt": f"{tmp}/acme"}.items():
        text = text.replace(machine_path, here)
    site = tmp / "cityfarm.conf"
    site.write_text(text)
    return site


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (.ci/run installs Debian's nginx)")
def test_the_nginx_site_passes_nginx_t(tmp_path):
    site = _site_for(tmp_path)
    main = tmp_path / "nginx.conf"
    main.write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    access_log off;
    include {site};
}}
""")
    result = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_the_site_sends_every_payment_notification_path_to_the_app():
    site = (DEPLOY / "nginx" / "cityfarm.conf").read_text()
    pattern = re.search(r"location ~ (\^/webhooks/\S+) \{", site).group(1)
    for path in ["/webhooks/stripe", *(f"/webhooks/tiptoppay/{kind}" for kind in
                                      ("check", "pay", "fail", "refund", "cancel", "receipt"))]:
        assert re.match(pattern, path), path


def test_each_systemd_unit_starts_a_command_the_shop_has(runner):
    commands = set()
    for unit in (DEPLOY / "systemd").glob("*.service"):
        start = re.search(r"^ExecStart=(.+)$", unit.read_text(), re.MULTILINE).group(1)
        if "flask --app wsgi shop " in start:
            commands.add(start.split(" shop ", 1)[1].split()[0])
    assert commands == {"worker", "scheduler"}
    for command in commands:
        result = runner.invoke(args=["shop", command, "--help"])
        assert result.exit_code == 0, result.output
