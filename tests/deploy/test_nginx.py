"""deploy/nginx/breachdesk.conf passes `nginx -t`, with a throwaway certificate and paths
substituted into a copy and the full nginx.conf around it that a Debian nginx would have."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ..certificates import self_signed
from .conftest import DEPLOY

SITE = DEPLOY / "nginx" / "breachdesk.conf"
CERT_DIR = "/etc/letsencrypt/live/breachdesk.example.org"


def nginx_test(site_text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
    if nginx is None:
        pytest.skip("nginx is not installed (make test installs the Debian package 'nginx')")
    site = tmp_path / "breachdesk.conf"
    site.write_text(site_text)
    # nginx -t opens no sockets; its pid, logs and temporary folders go under tmp_path.
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {site};
}}
"""
    )
    return subprocess.run(  # noqa: S603
        [nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def substituted(tmp_path: Path) -> str:
    cert, key = self_signed(
        tmp_path, "breachdesk.example.org", files=("fullchain.pem", "privkey.pem")
    )
    text = SITE.read_text()
    assert f"{CERT_DIR}/fullchain.pem" in text and f"{CERT_DIR}/privkey.pem" in text
    text = text.replace(f"{CERT_DIR}/fullchain.pem", str(cert))
    return text.replace(f"{CERT_DIR}/privkey.pem", str(key))


def test_the_nginx_example_is_valid(tmp_path: Path) -> None:
    result = nginx_test(substituted(tmp_path), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_nginx_t_would_catch_a_broken_example(tmp_path: Path) -> None:
    broken = substituted(tmp_path).replace("proxy_pass http://breachdesk;", "proxy_pass;")
    assert nginx_test(broken, tmp_path).returncode != 0


def test_the_example_passes_the_client_address_and_scheme_breachdesk_reads() -> None:
    text = SITE.read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "proxy_pass http://breachdesk;" in text and "server 127.0.0.1:8000;" in text


def test_uploads_stay_off_the_proxys_disk_and_the_host_keeps_its_port() -> None:
    """Found by exploratory testing: an upload larger than nginx's body buffer was written to
    /var/lib/nginx/body in clear, though the comment said evidence never touches the proxy's
    disk; and `Host $host` dropped a non-standard port, so the CSRF check refused every form."""
    import re

    text = SITE.read_text()
    sizes = dict(
        re.findall(r"^\s*(client_max_body_size|client_body_buffer_size) (\d+)m;", text, re.M)
    )
    assert int(sizes["client_body_buffer_size"]) >= int(sizes["client_max_body_size"])
    assert "proxy_max_temp_file_size 0;" in text
    assert "proxy_set_header Host $http_host;" in text and "Host $host;" not in text
