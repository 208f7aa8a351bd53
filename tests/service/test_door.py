"""The service's door over real HTTP (ARCHITECTURE.md, "The cart service door"): 401 before the body is
read, 413 above 1 MiB however the body is framed, 415 for a body that is not JSON by its Content-Type, 422
for bad JSON or deep nesting, 431 for headers above 16 KiB, 408 for headers or a body that never finish;
every refusal in the `{message, errors, request_id}` shape. Where the framing matters the request is
written on a raw socket, byte for byte, so nothing in a client library hides what is sent when."""

from __future__ import annotations

import asyncio
import contextlib
import json
import select
import socket
import time
from urllib.parse import urlsplit

import pytest

from fulfilment_engine.service.guarded_http import LINGER_S

PLAN = "/v1/fulfilment-plans"
CART = [{"sku": "CF100002", "qty": 1}]
MiB = 1024 * 1024


def refusal(response_or_parts, status: int) -> dict:
    """The body of a refusal, checked for its status and shape."""
    got_status, body = response_or_parts
    assert got_status == status, body
    answer = json.loads(body)
    assert set(answer) == {"message", "errors", "request_id"}, answer
    first = answer["errors"][0]
    assert answer["message"] == f"{first['path']}: {first['message']}"
    assert answer["request_id"]
    return answer


def parts(response) -> tuple[int, bytes]:
    return response.status_code, response.content


class Raw:
    """One connection to the service, written byte for byte."""

    def __init__(self, base_url: str, timeout_s: float = 10.0):
        address = urlsplit(base_url)
        self.sock = socket.create_connection((address.hostname, address.port), timeout=timeout_s)

    def send(self, data: bytes) -> bool:
        """False once the server has closed its side (it refused and stopped reading)."""
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def response(self) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body of the answer (read until the server closes or the body is complete)."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            assert chunk, f"the connection closed without an answer: {data!r}"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        while len(body) < int(headers.get("content-length", 0)):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return status, headers, body

    def answered(self, within_s: float) -> bool:
        """Whether the server has written something (or closed) within `within_s`."""
        return bool(select.select([self.sock], [], [], within_s)[0])

    def closed_by_server(self, within_s: float) -> bool:
        self.sock.settimeout(within_s)
        try:
            while self.sock.recv(65536):
                pass
        except TimeoutError:
            return False
        except ConnectionResetError:
            pass
        return True

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def raw(service):
    opened: list[Raw] = []

    def connect(timeout_s: float = 10.0) -> Raw:
        opened.append(Raw(str(service.base_url), timeout_s))
        return opened[-1]

    yield connect
    for connection in opened:
        connection.close()


def request_head(path: str, headers: dict[str, str], method: str = "POST") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: test", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# ---------------------------------------------------------------------------------------------- 401 first


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-configured-key"])
def test_no_key_and_a_huge_body_is_refused_before_the_body_is_read(kit, raw, framing, authorization):
    """A declared 100 MB body: the 401 comes after 64 KiB of it, and the server closes the connection
    rather than read the rest (before: it read and parsed all of it, 1.3 GB, then answered)."""
    headers = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    headers.update(
        {"Content-Length": str(100 * MiB)}
        if framing == "content-length"
        else {"Transfer-Encoding": "chunked"}
    )
    connection = raw(timeout_s=5)
    started = time.monotonic()
    piece = b"[" * 65536
    connection.send(
        request_head(PLAN, headers)
        + (piece if framing == "content-length" else b"10000\r\n" + piece + b"\r\n")
    )
    status, answer_headers, body = connection.response()
    elapsed = time.monotonic() - started
    answer = refusal((status, body), 401)
    assert answer["errors"][0]["path"] == "Authorization"
    assert answer_headers["www-authenticate"].startswith("Bearer")
    assert answer_headers["connection"] == "close"
    assert connection.closed_by_server(within_s=5)
    assert elapsed < 5  # the socket timeout; it is milliseconds, see `python -m bench service_abuse`


def test_invalid_json_without_a_key_is_a_401_not_a_parse_report(service):
    response = service.post(PLAN, content=b'{"cart": [', headers={"Content-Type": "application/json"})
    refusal(parts(response), 401)
    response = service.get("/v1/availability", params={"sku": "CF100002"})
    assert refusal(parts(response), 401)["errors"][0]["message"].startswith("an API key is required")


# ---------------------------------------------------------------------------------------------- 413


def test_a_chunked_body_above_1_mib_is_a_413_and_reading_stops(kit, raw):
    """No Content-Length: counted while reading. The client sends 1.5 MiB and keeps the request open; the
    answer comes anyway (before: the server waited for the end, then parsed whatever it was)."""
    connection = raw(timeout_s=5)
    headers = {**kit.auth(), "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    connection.send(request_head(PLAN, headers))
    chunk = b"10000\r\n" + b" " * 65536 + b"\r\n"
    for _ in range(24):  # 1.5 MiB, no terminating chunk
        if not connection.send(chunk):
            break
    status, answer_headers, body = connection.response()
    assert refusal((status, body), 413)["errors"][0]["type"] == "body_too_large"
    assert answer_headers["connection"] == "close"


def test_chunked_2_mib_and_a_declared_2_mib_are_413(kit, service):
    def two_mib():
        for _ in range(32):
            yield b" " * 65536

    chunked = service.post(
        PLAN, content=two_mib(), headers={**kit.auth(), "Content-Type": "application/json"}
    )
    assert refusal(parts(chunked), 413)["errors"][0]["path"] == "$"
    declared = service.post(
        PLAN, content=b" " * (2 * MiB), headers={**kit.auth(), "Content-Type": "application/json"}
    )
    assert "Content-Length" in refusal(parts(declared), 413)["message"]


def test_a_body_of_exactly_1_mib_is_read(kit, service):
    body = json.dumps(kit.plan_request(CART)).encode()
    body += b" " * (MiB - len(body))
    response = service.post(PLAN, content=body, headers={**kit.auth(), "Content-Type": "application/json"})
    assert response.status_code == 200, response.text


# ---------------------------------------------------------------------------------------------- 415, 422


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/jsonx"]
)
def test_a_body_not_sent_as_json_is_a_415_naming_content_type(kit, service, content_type):
    headers = kit.auth() | ({"Content-Type": content_type} if content_type else {})
    response = service.post(PLAN, content=json.dumps(kit.plan_request(CART)).encode(), headers=headers)
    answer = refusal(parts(response), 415)
    assert answer["errors"][0]["path"] == "Content-Type"
    assert "application/json" in answer["message"]


def test_json_with_a_charset_is_json(kit, service):
    headers = kit.auth() | {"Content-Type": "Application/JSON; charset=utf-8"}
    response = service.post(PLAN, content=json.dumps(kit.plan_request(CART)).encode(), headers=headers)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deep_nesting_is_a_422_in_the_service_shape(kit, service, depth):
    """Before: a 400 `{"detail": "There was an error parsing the body"}` (Python's parser recursing)."""
    body = (
        b'{"currency": "GBP", "ship_to": {"country": "GB"}, "cart": '
        + b"[" * (depth - 1)
        + b"]" * (depth - 1)
        + b"}"
    )
    response = service.post(PLAN, content=body, headers={**kit.auth(), "Content-Type": "application/json"})
    answer = refusal(parts(response), 422)
    assert answer["errors"][0]["type"] == "too_deep"
    assert "deeper than 32" in answer["message"]
    if depth == 33:  # the path of the first array too deep: cart, then 31 more levels
        assert answer["errors"][0]["path"] == "cart" + "[0]" * 31


def test_nesting_of_32_levels_reaches_the_models(kit, service):
    body = b'{"currency": "GBP", "ship_to": {"country": "GB"}, "cart": ' + b"[" * 31 + b"]" * 31 + b"}"
    response = service.post(PLAN, content=body, headers={**kit.auth(), "Content-Type": "application/json"})
    answer = refusal(parts(response), 422)
    assert answer["errors"][0]["type"] != "too_deep"


# ---------------------------------------------------------------------------------------------- headers


@pytest.mark.parametrize("size", [17 * 1024, 10 * MiB])
def test_headers_above_16_kib_are_a_431(kit, raw, size):
    """10 MiB streams in: refused once 16 KiB are counted (before: a 100 MB header held the event loop for
    10 s); 17 KiB arrives in one piece with the body, and is measured when the parser has it."""
    connection = raw(timeout_s=5)
    body = json.dumps(kit.plan_request(CART)).encode()
    head = request_head(
        PLAN,
        {
            **kit.auth(),
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            "X-Pad": "a" * size,
        },
    )
    sent = 0
    for start in range(0, len(head), 256 * 1024):
        if connection.answered(within_s=0.05) or not connection.send(head[start : start + 256 * 1024]):
            break
        sent += 256 * 1024
    else:
        connection.send(body)
    status, answer_headers, answer_body = connection.response()
    assert refusal((status, answer_body), 431)["errors"][0]["path"] == "headers"
    assert answer_headers["connection"] == "close"
    assert answer_headers["x-request-id"]
    assert sent <= MiB  # answered while the header was still coming


def test_headers_just_under_16_kib_are_served(kit, service):
    headers = {**kit.auth(), "X-Pad": "a" * (15 * 1024)}
    response = service.post(PLAN, json=kit.plan_request(CART), headers=headers)
    assert response.status_code == 200, response.text


# ---------------------------------------------------------------------------------------------- slow clients


@pytest.fixture
def impatient(kit, sample_sqlite_url):
    """The service with short timeouts (the defaults are 10 s for headers and 30 s for the body)."""
    extra = 'header_timeout = "500ms"\nbody_timeout = "1s"\n'
    with kit.running_service(sample_sqlite_url, service_extra=extra) as client:
        yield str(client.base_url)


def test_headers_never_finished_are_answered_408_and_closed(impatient):
    connection = Raw(impatient, timeout_s=5)
    try:
        started = time.monotonic()
        connection.send(b"POST /v1/fulfilment-plans HTTP/1.1\r\nHost: test\r\nAuthoriza")
        status, headers, body = connection.response()
        assert refusal((status, body), 408)["errors"][0]["type"] == "header_timeout"
        assert headers["connection"] == "close"
        # The rest of an unfinished request is drained for up to LINGER_S before the close; the margin
        # is for a loaded machine, not a speed claim.
        assert connection.closed_by_server(within_s=LINGER_S + 5)
        assert 0.4 < time.monotonic() - started < LINGER_S + 10
    finally:
        connection.close()


def test_a_connection_that_says_nothing_is_closed(impatient):
    connection = Raw(impatient, timeout_s=5)
    try:
        assert connection.closed_by_server(within_s=4)
    finally:
        connection.close()


def test_a_body_never_finished_is_answered_408(kit, impatient):
    connection = Raw(impatient, timeout_s=5)
    try:
        head = request_head(PLAN, {**kit.auth(), "Content-Type": "application/json", "Content-Length": "100"})
        connection.send(head + b'{"cart": ')
        status, headers, body = connection.response()
        assert refusal((status, body), 408)["errors"][0]["type"] == "body_timeout"
        assert headers["connection"] == "close"
    finally:
        connection.close()


def test_a_kept_alive_connection_serves_its_next_request(kit, impatient):
    """The header clock starts again with the next request's first byte."""
    connection = Raw(impatient, timeout_s=5)
    try:
        body = json.dumps(kit.plan_request(CART)).encode()
        head = request_head(
            PLAN, {**kit.auth(), "Content-Type": "application/json", "Content-Length": str(len(body))}
        )
        for _ in range(2):
            connection.send(head + body)
            status, _, answer = connection.response()
            assert status == 200, answer
            time.sleep(0.3)
    finally:
        connection.close()


# ---------------------------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    "unit_price", ["1e26", "1_000", "12.34567", " 12.50", "1E+2", "Infinity", "\u0661\u0662", 1e26, 1.23456]
)
def test_money_not_written_as_money_is_a_422_naming_the_field(kit, service, unit_price):
    """Before: "1e26" was a 500 (decimal.InvalidOperation in the delivery charge), "1_000" read as 1000."""
    cart = [{"sku": "CF100002", "qty": 1, "unit_price": unit_price}]
    response = service.post(PLAN, json=kit.plan_request(cart), headers=kit.auth())
    answer = refusal(parts(response), 422)
    assert answer["errors"][0]["path"] == "cart[0].unit_price"
    assert "must be a decimal string" in answer["errors"][0]["message"]


def test_the_largest_money_in_a_full_basket_is_planned(kit, service):
    """100 lines at 999999999999.9999 x 1000: the basket value still rounds to pence (before, 100 x 1e24
    could not)."""
    cart = [{"sku": "CF100002", "qty": 1000, "unit_price": "999999999999.9999"} for _ in range(100)]
    response = service.post(PLAN, json=kit.plan_request(cart), headers=kit.auth())
    assert response.status_code == 200, response.text
    assert response.json()["delivery_policy"]["basket_value"] == "99999999999999990.00"


@pytest.mark.parametrize("unit_price", ["12.5", "12.3456", 12.5, 7, "0"])
def test_money_written_plainly_is_read_exactly(kit, service, unit_price):
    cart = [{"sku": "CF100002", "qty": 2, "unit_price": unit_price}]
    response = service.post(PLAN, json=kit.plan_request(cart), headers=kit.auth())
    assert response.status_code == 200, response.text


# ---------------------------------------------------------------------------------------------- shape


def test_every_error_has_the_one_shape(kit, service):
    refusal(parts(service.get("/no-such-page")), 404)
    refusal(parts(service.get(PLAN, headers=kit.auth())), 405)


async def _send_while_reading(port: int, size: int) -> bytes:
    """Write a `size`-byte body without a key as fast as the connection takes it, reading meanwhile; the
    status line of the answer, or the name of the error that came instead."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = request_head(PLAN, {"Content-Type": "application/json", "Content-Length": str(size)})

    async def write():
        with contextlib.suppress(ConnectionError):
            writer.write(head)
            for _ in range(size // MiB):
                writer.write(b"[" * MiB)
                await writer.drain()

    writing = asyncio.create_task(write())
    try:
        return await asyncio.wait_for(reader.readline(), 10)
    except ConnectionError as exc:
        return type(exc).__name__.encode()
    finally:
        writing.cancel()
        writer.close()


def test_clients_still_sending_get_their_401_not_a_reset(service):
    """Closing while a client is still sending makes the kernel reset the connection, and the reset can
    take the 401 with it (one client in four, in the abuse benchmark): the server throws the rest of the
    body away for a moment instead, and the answer arrives."""
    port = urlsplit(str(service.base_url)).port

    async def rounds():
        answers = []
        for _ in range(12):
            answers += await asyncio.gather(*(_send_while_reading(port, 64 * MiB) for _ in range(4)))
        return answers

    answers = asyncio.run(rounds())
    assert all(answer.startswith(b"HTTP/1.1 401") for answer in answers), answers
