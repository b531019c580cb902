"""Only holders of a valid join token enroll, only enrolled hosts open a session, and only holders
of an API token use the API."""
from __future__ import annotations

import json
import re
import socket
import ssl
import time

import pytest

from harness.checks import assert_error

REFUSAL_WORDS = re.compile(r"token|unauthori[sz]ed|401|refused|denied|invalid|expired|fingerprint|enroll",
                           re.IGNORECASE)
AGENT_EXIT_TIMEOUT = 45


def flip_first_char(text: str) -> str:
    # The first character, not the last: in unpadded base64 the last one may carry ignored bits.
    return ("b" if text[0] == "a" else "a") + text[1:]


def token_parts(token: str) -> list[str]:
    parts = token.split(".")
    assert len(parts) == 3 and all(parts), f"join token is not ID.SECRET.CAFINGERPRINT: {token!r}"
    return parts


def assert_refused(agent, make_site, site: str) -> None:
    code = agent.wait_exit(AGENT_EXIT_TIMEOUT)
    assert code is not None, f"{agent.name} still runs {AGENT_EXIT_TIMEOUT}s after a bad join:\n{agent.log_tail()}"
    assert code != 0, f"{agent.name} exited 0 on a bad join:\n{agent.log_tail()}"
    assert REFUSAL_WORDS.search(agent.log()), f"{agent.name} gave no reason:\n{agent.log_tail()}"
    assert make_site.hosts(site) == [], f"a host enrolled with a bad token: {make_site.hosts(site)}"


@pytest.mark.parametrize("forge", ["wrong-secret", "unknown-id", "not-a-token"])
def test_agent_with_a_wrong_token_is_refused(make_site, forge):
    site = make_site("north-1", {"region": "north"}, start_agent=False)
    ident, secret, fingerprint = token_parts(make_site.token(site.name))
    forged = {
        "wrong-secret": f"{ident}.{flip_first_char(secret)}.{fingerprint}",
        "unknown-id": f"{flip_first_char(ident)}.{secret}.{fingerprint}",
        "not-a-token": "not-a-token",
    }[forge]
    agent = make_site.start_agent(site.name, forged, site.host)
    assert_refused(agent, make_site, site.name)


def test_agent_with_an_expired_token_is_refused(make_site):
    site = make_site("north-1", {"region": "north"}, start_agent=False)
    token = make_site.token(site.name, "--ttl", "1s")
    time.sleep(2.5)  # real time must pass for the tower's clock; nothing to poll
    agent = make_site.start_agent(site.name, token, site.host)
    assert_refused(agent, make_site, site.name)


def test_a_join_token_works_once(make_site):
    site = make_site("north-1", {"region": "north"}, start_agent=False)
    token = make_site.token(site.name)
    first = make_site.start_agent(site.name, token, "north-1-h1")
    make_site.wait_connected(site.name, "north-1-h1", first)

    second = make_site.start_agent(site.name, token, "north-1-h2")
    code = second.wait_exit(AGENT_EXIT_TIMEOUT)
    assert code not in (None, 0), f"second use of a token: exit {code}\n{second.log_tail()}"
    assert [h["name"] for h in make_site.hosts(site.name)] == ["north-1-h1"]


def test_agent_refuses_a_tower_whose_ca_does_not_match_the_token(make_site):
    # The fingerprint pins the tower: with a wrong one the agent must not send its token at all,
    # so the token still works afterwards.
    site = make_site("north-1", {"region": "north"}, start_agent=False)
    ident, secret, fingerprint = token_parts(make_site.token(site.name))
    pinned_elsewhere = f"{ident}.{secret}.{flip_first_char(fingerprint)}"
    agent = make_site.start_agent(site.name, pinned_elsewhere, "north-1-h1")
    assert_refused(agent, make_site, site.name)

    retry = make_site.start_agent(site.name, f"{ident}.{secret}.{fingerprint}", "north-1-h2")
    make_site.wait_connected(site.name, "north-1-h2", retry)


def session_upgrade(tower, extra_headers: str = "") -> str:
    """Opens /v1/session without a client certificate; returns the status line, or how the
    connection was refused."""
    request = ("GET /v1/session HTTP/1.1\r\n"
               f"Host: 127.0.0.1:{tower.port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
               f"{extra_headers}\r\n")
    context = tower.ssl_context()
    try:
        with socket.create_connection(("127.0.0.1", tower.port), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.sendall(request.encode())
                answer = tls.recv(4096).decode(errors="replace")
    except (ssl.SSLError, ConnectionError) as error:
        return f"refused by TLS: {error}"
    return answer.split("\r\n", 1)[0] if answer else "closed without an answer"


@pytest.mark.parametrize("with_admin_token", [False, True], ids=["anonymous", "admin-bearer"])
def test_session_needs_a_client_certificate(tower, with_admin_token):
    headers = f"Authorization: Bearer {tower.admin_token}\r\n" if with_admin_token else ""
    outcome = session_upgrade(tower, headers)
    assert " 101 " not in outcome + " ", f"session opened without a client certificate: {outcome}"
    assert (outcome.startswith("refused by TLS") or outcome == "closed without an answer"
            or re.match(r"HTTP/1\.[01] 40[13]\b", outcome)), f"unexpected answer: {outcome}"


@pytest.mark.parametrize("token", [None, "wrong-token", ""], ids=["missing", "wrong", "empty"])
def test_api_needs_the_bearer_token(tower, api, token):
    # token=None sends no Authorization header; "" sends "Bearer " with nothing after it.
    auth = {"headers": {"Authorization": "Bearer "}, "token": None} if token == "" else {"token": token}
    for method, path, body in [("GET", "/v1/sites", None), ("GET", "/v1/deployments", None),
                               ("POST", "/v1/sites", {"name": "intruder"}),
                               ("POST", "/v1/apply", "kind: site\nname: intruder\n")]:
        status, answer = api.request(method, path, body, **auth)
        assert_error(status, answer, 401, code="unauthorized")
    status, answer = api.get("/v1/sites/intruder")
    assert status == 404, f"an unauthenticated request created a site: {status} {answer}"
    status, answer = api.get("/v1/ca", token=None)
    assert status == 200, f"GET /v1/ca must stay public: {status} {answer}"


def new_csr() -> str:
    """A P-256 key's certificate signing request, as an agent makes it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    request = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "h")]))
               .sign(key, hashes.SHA256()))
    return request.public_bytes(serialization.Encoding.PEM).decode()


def read_http_answer(tls: ssl.SSLSocket) -> tuple[str, bytes]:
    """One HTTP answer with a Content-Length body: its status line and its body."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(4096)
        assert chunk, f"the tower closed the connection mid-answer: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"(?im)^content-length:\s*(\d+)", head).group(1))
    while len(body) < length:
        chunk = tls.recv(4096)
        assert chunk, "the tower closed the connection mid-body"
        body += chunk
    return head.split(b"\r\n", 1)[0].decode(), body


class TowerConnection:
    """One TLS connection to the tower without a client certificate, for requests in turn."""

    def __init__(self, tower):
        self.tower = tower
        raw = socket.create_connection(("127.0.0.1", tower.port), timeout=10)
        self.tls = tower.ssl_context().wrap_socket(raw, server_hostname="127.0.0.1")

    def enroll(self, token: str, host: str) -> str:
        """POST /v1/enroll, keep-alive; the answer's status line."""
        body = json.dumps({"token": token, "host": host, "csr": new_csr()}).encode()
        self.tls.sendall(b"POST /v1/enroll HTTP/1.1\r\n"
                         + f"Host: 127.0.0.1:{self.tower.port}\r\nContent-Type: application/json\r\n".encode()
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        return read_http_answer(self.tls)[0]

    def get(self, path: str) -> str:
        """A GET, keep-alive; the answer's status line."""
        self.tls.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.tower.port}\r\n\r\n".encode())
        return read_http_answer(self.tls)[0]

    def upgrade(self) -> str:
        """The session's upgrade; the answer's status line, or how the connection ended."""
        self.tls.sendall(("GET /v1/session HTTP/1.1\r\n"
                          f"Host: 127.0.0.1:{self.tower.port}\r\n"
                          "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        answer = self.tls.recv(4096).decode(errors="replace")
        return answer.split("\r\n", 1)[0] if answer else "closed without an answer"

    def close(self) -> None:
        self.tls.close()


@pytest.fixture
def connections(tower):
    opened: list[TowerConnection] = []

    def open_one() -> TowerConnection:
        opened.append(TowerConnection(tower))
        return opened[-1]

    yield open_one
    for connection in opened:
        connection.close()


def test_a_host_opens_its_first_session_on_the_connection_it_enrolled_on(make_site, connections):
    site = make_site("north-1", {"region": "north"}, start_agent=False)
    connection = connections()
    assert re.match(r"HTTP/1\.1 200\b", connection.enroll(make_site.token(site.name), "north-1-h1"))
    upgraded = connection.upgrade()
    assert re.match(r"HTTP/1\.1 101\b", upgraded), f"no session on the enrollment's connection: {upgraded}"


@pytest.mark.parametrize("before", ["nothing", "a-successful-enrollment"])
def test_a_refused_enrollment_opens_no_session_on_its_connection(make_site, connections, before):
    site = make_site("north-1", {"region": "north"}, start_agent=False)
    ident, secret, fingerprint = token_parts(make_site.token(site.name, "--uses", "2"))
    connection = connections()
    if before == "a-successful-enrollment":
        assert re.match(r"HTTP/1\.1 200\b", connection.enroll(f"{ident}.{secret}.{fingerprint}", "north-1-h1"))
    refused = connection.enroll(f"{ident}.{flip_first_char(secret)}.{fingerprint}", "north-1-h2")
    assert re.match(r"HTTP/1\.1 401\b", refused), refused
    upgraded = connection.upgrade()
    assert re.match(r"HTTP/1\.1 401\b", upgraded), f"a session opened after a refused enrollment: {upgraded}"


def test_only_the_request_right_after_an_enrollment_may_open_its_session(make_site, connections):
    site = make_site("north-1", {"region": "north"}, start_agent=False)
    connection = connections()
    assert re.match(r"HTTP/1\.1 200\b", connection.enroll(make_site.token(site.name), "north-1-h1"))
    assert re.match(r"HTTP/1\.1 200\b", connection.get("/v1/ca"))
    upgraded = connection.upgrade()
    assert re.match(r"HTTP/1\.1 401\b", upgraded), f"a session opened two requests after the enrollment: {upgraded}"


def test_a_host_enrolled_again_elsewhere_opens_no_session_on_its_first_connection(make_site, connections):
    # The second enrollment gives the host a new certificate serial: the first connection's
    # claim is to the replaced one.
    site = make_site("north-1", {"region": "north"}, start_agent=False)
    token = make_site.token(site.name, "--uses", "2")
    first, second = connections(), connections()
    assert re.match(r"HTTP/1\.1 200\b", first.enroll(token, "north-1-h1"))
    assert re.match(r"HTTP/1\.1 200\b", second.enroll(token, "north-1-h1"))
    upgraded = first.upgrade()
    assert re.match(r"HTTP/1\.1 401\b", upgraded), f"a replaced enrollment opened a session: {upgraded}"
    assert re.match(r"HTTP/1\.1 101\b", second.upgrade())


def test_an_agent_enrolls_and_opens_its_first_session_on_one_connection_and_later_ones_with_its_certificate(make_site):
    site = make_site("north-1", {"region": "north"})
    first = site.agents[-1]
    assert "on the connection it enrolled on" in first.log(), first.log_tail()
    written_before = len(first.log())  # both agents of the host write to one log file
    again = make_site.restart_agent(site)
    after_restart = again.log()[written_before:]
    assert "session to the tower established" in after_restart, again.log_tail()
    assert "with its certificate" in after_restart, again.log_tail()
    assert "on the connection it enrolled on" not in after_restart, again.log_tail()
