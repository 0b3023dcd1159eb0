"""A strict, in-memory stand-in for the parts of the Stripe API the shop uses (API version 2023-08-16).

    with StripeStub() as stub:
        client = stripe.StripeClient("sk_test_x", base_addresses={"api": stub.base_url},
                                     stripe_version="2023-08-16", max_network_retries=0)
        session = client.v1.checkout.sessions.create(params={...})
        stub.complete(session.id)            # the customer pays
        assert stub.rejections == []

Pointing the real ``stripe`` library (16.x) at the stub -- both ways work:

* ``stripe.StripeClient(key, base_addresses={"api": stub.base_url})`` -- per client, preferred;
* ``stripe.api_base = stub.base_url`` -- module-global, used by ``stripe.checkout.Session.create(...)``
  and friends (set ``stripe.api_key`` too; restore ``api_base`` afterwards, e.g. with monkeypatch).

Set ``max_network_retries=0`` (client argument or ``stripe.max_network_retries``) when a test provokes
errors, or the library retries 5xx / connection errors. stripe 16 sends ``Stripe-Version: 2026-10-28.endive``
unless told otherwise; the schemas here are 2023-08-16, so pin ``stripe_version`` / ``stripe.api_version``
and pass ``StripeStub(api_version="2023-08-16")`` to have the stub insist on it.

Strictness: each request is decoded from Stripe's bracket form encoding, coerced to the types the
endpoint's published request schema expects, and validated with jsonschema. Nested objects are closed
(unknown nested params are refused, as Stripe does) and enums marked ``x-stripeBypassValidation`` are
open. A few Stripe rules the schema cannot express are checked too (see ``_check_session_rules``).
A refused request answers 400 in Stripe's error shape and is appended to ``stub.rejections``; errors a
test provokes on purpose (unknown ids, expiring a closed session, over-refunding, ``fail_next``) are not.
"""
from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
import re
import secrets
import string
import threading
import time
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import jsonschema

API_VERSION = "2023-08-16"
# A copy of shared/stripe/request-schemas-2023-08-16.json, kept with the tests so a fresh clone has it.
SCHEMA_FILE = Path(os.environ.get("STRIPE_REQUEST_SCHEMAS",
                                  Path(__file__).parent / "data" / "stripe-request-schemas-2023-08-16.json"))
ROUTES = [  # (method, path regex, schema key, handler method)
    ("POST", r"/v1/checkout/sessions", "POST /v1/checkout/sessions", "_create_session"),
    ("GET", r"/v1/checkout/sessions/(?P<session>[^/]+)", "GET /v1/checkout/sessions/{session}", "_get_session"),
    ("POST", r"/v1/checkout/sessions/(?P<session>[^/]+)/expire",
     "POST /v1/checkout/sessions/{session}/expire", "_expire_session"),
    ("GET", r"/v1/checkout/sessions/(?P<session>[^/]+)/line_items",
     "GET /v1/checkout/sessions/{session}/line_items", "_list_line_items"),
    ("GET", r"/v1/payment_intents/(?P<intent>[^/]+)", "GET /v1/payment_intents/{intent}", "_get_intent"),
    ("POST", r"/v1/refunds", "POST /v1/refunds", "_create_refund"),
]


def _rand(n: int = 24) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


class StripeError(Exception):
    """An error answered in Stripe's shape; ``rejection`` marks requests Stripe would refuse as malformed."""

    def __init__(self, status, message, type="invalid_request_error", param=None, code=None, rejection=False):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type, param, code
        self.rejection = rejection

    def body(self) -> dict:
        err = {"type": self.type, "message": self.message}
        err.update({k: v for k, v in (("param", self.param), ("code", self.code)) if v is not None})
        return {"error": err}


def _reject(message, param=None, code=None, status=400):
    return StripeError(status, message, param=param, code=code, rejection=True)


# ---------------------------------------------------------------- form decoding, coercion, schemas
def decode_form(text: str) -> dict:
    """``a[b][0]=x&a[c]=y`` -> ``{"a": {"b": {"0": "x"}, "c": "y"}}`` (indices stay dict keys; see coerce)."""
    root: dict = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        head, _, rest = key.partition("[")
        parts = [head] + (rest[:-1].split("][") if rest.endswith("]") else ([rest] if rest else []))
        node = root
        for i, part in enumerate(parts):
            if part == "":  # "expand[]=a" style: append
                part = str(len(node))
            if i == len(parts) - 1:
                if isinstance(node.get(part), dict):
                    raise _reject(f"Invalid parameter: {key} is both a value and a hash", param=key)
                node[part] = value
            else:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    raise _reject(f"Invalid parameter: {key} is both a value and a hash", param=key)
    return root


def _as_list(value):
    """A decoded ``{"0": a, "1": b}`` -> ``[a, b]``; anything else unchanged."""
    if isinstance(value, dict) and value and all(k.isdigit() for k in value):
        return [value[k] for k in sorted(value, key=int)]
    return value


def coerce(value, schema: dict | None):
    """Turn form strings into the JSON types ``schema`` expects (anyOf/oneOf: first branch that validates)."""
    if schema is None:  # unknown parameter: keep it, validation will name it
        value = _as_list(value)
        return [coerce(v, None) for v in value] if isinstance(value, list) else (
            {k: coerce(v, None) for k, v in value.items()} if isinstance(value, dict) else value)
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        tries = [coerce(value, b) for b in branches]
        valid = (t for t, b in zip(tries, branches, strict=True) if jsonschema.Draft7Validator(b).is_valid(t))
        return next(valid, tries[0])
    kind = schema.get("type")
    if kind == "array":
        value = _as_list(value)
        return [coerce(v, schema.get("items")) for v in value] if isinstance(value, list) else value
    if kind == "object" and isinstance(value, dict):
        props, extra = schema.get("properties", {}), schema.get("additionalProperties")
        return {k: coerce(v, props.get(k, extra if isinstance(extra, dict) else None)) for k, v in value.items()}
    if isinstance(value, str):
        if kind == "integer" and re.fullmatch(r"-?\d+", value):
            return int(value)
        if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?", value):
            return float(value) if "." in value else int(value)
        if kind == "boolean" and value in ("true", "false"):
            return value == "true"
    return value


def _tighten(schema):
    """Close nested objects (Stripe refuses unknown nested params) and open x-stripeBypassValidation enums."""
    if isinstance(schema, list):
        return [_tighten(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _tighten(v) for k, v in schema.items() if k != "description"}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if out.pop("x-stripeBypassValidation", False):
        out.pop("enum", None)
    return out


def load_schemas(path: Path = SCHEMA_FILE) -> dict:
    """Schema key -> (JSON schema of the body or query, JSON schema of the path params)."""
    endpoints = json.loads(path.read_text())["endpoints"]
    out = {}
    for key, ep in endpoints.items():
        params = {"query": {}, "path": {}}
        for p in ep.get("parameters", []):
            params[p["in"]][p["name"]] = p["schema"]
        query = {"type": "object", "properties": params["query"], "additionalProperties": False}
        body = query if key.startswith("GET") else ep["requestBody"]
        out[key] = (_tighten(body), {"type": "object", "properties": params["path"]})
    return out


def _param_name(path) -> str | None:
    parts = [str(p) for p in path]
    return (parts[0] + "".join(f"[{p}]" for p in parts[1:])) if parts else None


def validate(params: dict, schema: dict) -> None:
    """Raise a 400 rejection carrying jsonschema's message and the offending param, Stripe style."""
    error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(schema).iter_errors(params))
    if error is None:
        return
    path, inst = list(error.absolute_path), error.instance
    if error.validator == "additionalProperties" and isinstance(inst, dict):
        path += sorted(set(inst) - set(error.schema.get("properties", {})))[:1]
    elif error.validator == "required" and isinstance(inst, dict):
        path += [k for k in error.validator_value if k not in inst][:1]
    raise _reject(error.message, param=_param_name(path))


# ---------------------------------------------------------------- webhooks
def sign_webhook(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header value Stripe would send for ``payload``: ``t=...,v1=<hex HMAC-SHA256>``."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    body = payload.encode() if isinstance(payload, str) else payload
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def make_event(type: str, obj: dict, event_id: str | None = None) -> dict:
    """An event envelope as Stripe posts it to webhooks (serialize with ``json.dumps(...).encode()``)."""
    return {"id": event_id or f"evt_{_rand()}", "object": "event", "type": type, "data": {"object": obj},
            "created": int(time.time()), "livemode": False, "api_version": API_VERSION,
            "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None}}


# ---------------------------------------------------------------- the server
class _Handler(BaseHTTPRequestHandler):
    stub: StripeStub  # set on a per-stub subclass

    def _handle(self, method):
        if self.stub._down:  # drop the connection without answering
            self.close_connection = True
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if method == "GET" and self.path.startswith("/pay/"):  # the hosted-checkout page, for browsers
            status, payload, ctype = 200, f"<h1>Stripe stub checkout {self.path[5:]}</h1>", "text/html"
        else:
            status, obj = self.stub._dispatch(method, self.path, self.headers, body)
            payload, ctype = json.dumps(obj), "application/json"
        data = payload.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_{_rand(14)}")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._handle(self.command)

    do_POST = do_DELETE = do_GET

    def log_message(self, *args):  # keep test output quiet
        pass


class StripeStub:
    """In-memory Stripe on ``base_url``; see the module docstring. Thread-safe; one lock guards all state."""

    def __init__(self, api_key: str | None = None, api_version: str | None = None, schema_file: Path = SCHEMA_FILE):
        self.api_key, self.api_version = api_key, api_version  # None: any sk_test_/rk_test_ key, any version
        self.schemas = load_schemas(Path(schema_file))
        self.sessions: dict[str, dict] = {}
        self.payment_intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.requests: list[tuple] = []      # (method, path, decoded params, headers)
        self.rejections: list[dict] = []     # requests Stripe would refuse: method, path, status, message, param
        self._line_items: dict[str, list] = {}   # session id -> its line items
        self._pi_metadata: dict[str, dict] = {}  # session id -> payment_intent_data[metadata]
        self._idempotency: dict[str, tuple] = {}
        self._failures: list[int] = []
        self._lock = threading.RLock()
        self._server = self._thread = None
        self._down, self.port = False, 0

    # -- lifecycle
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StripeStub:
        handler = type("Handler", (_Handler,), {"stub": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        self._down = False
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def down(self) -> None:
        """Stop listening (connections are refused) until ``up()``; the port is kept."""
        self._down = True
        self.stop()

    def up(self) -> None:
        if self._server is None:
            self.start()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- test helpers
    def fail_next(self, n: int = 1, status: int = 500) -> None:
        """Answer the next ``n`` API requests with an error of HTTP ``status`` (nothing is executed)."""
        with self._lock:
            self._failures += [status] * n

    def complete(self, session_id: str, payment_status: str = "paid") -> dict:
        """The customer finished checkout: session complete, a PaymentIntent created. Returns the session."""
        with self._lock:
            s = self._open_session(session_id)
            paid = payment_status == "paid"
            pi = {"id": f"pi_{_rand()}", "object": "payment_intent", "amount": s["amount_total"],
                  "amount_received": s["amount_total"] if paid else 0, "currency": s["currency"],
                  "status": "succeeded" if paid else "processing",
                  "latest_charge": f"ch_{_rand()}" if paid else None, "created": int(time.time()),
                  "metadata": dict(self._pi_metadata[session_id]), "livemode": False}
            self.payment_intents[pi["id"]] = pi
            s.update(status="complete", payment_status=payment_status, payment_intent=pi["id"], url=None,
                     customer_details={"email": s["customer_email"]})
            return copy.deepcopy(s)

    def expire(self, session_id: str) -> dict:
        """The session timed out (or was expired); returns it."""
        with self._lock:
            s = self._open_session(session_id)
            s.update(status="expired", url=None)
            return copy.deepcopy(s)

    def _open_session(self, session_id):
        s = self.sessions[session_id]
        if s["status"] != "open":
            raise ValueError(f"session {session_id} is {s['status']}, not open")
        return s

    # -- request handling
    def _dispatch(self, method, raw_path, headers, body) -> tuple[int, dict]:
        """Answer one API request: ``headers`` is the case-insensitive ``http.client.HTTPMessage``."""
        url = urlsplit(raw_path)
        with self._lock:
            try:
                raw = decode_form(body if method == "POST" else url.query)
            except StripeError as e:
                raw, early = {}, e
            else:
                early = None
            route = next(((m, key, handler, match.groupdict()) for m, rx, key, handler in ROUTES
                          if (match := re.fullmatch(rx, url.path)) and m == method), None)
            schema = self.schemas[route[1]][0] if route else None
            params = coerce(raw, schema)
            self.requests.append((method, url.path, params, dict(headers)))
            try:
                if self._failures:
                    raise self._injected(self._failures.pop(0))
                self._authenticate(headers)
                if early:
                    raise early
                if route is None:
                    raise _reject(f"Unrecognized request URL ({method}: {url.path}).", status=404)
                _, key, handler, path_params = route
                validate(path_params, self.schemas[key][1])
                validate(params, schema)
                return self._execute(method, key, handler, path_params, params, headers)
            except Exception as e:  # a bug in the stub is reported as a rejection too, so tests notice
                if not isinstance(e, StripeError):
                    e = StripeError(500, f"Stripe stub crashed: {e!r}", type="api_error", rejection=True)
                if e.rejection:
                    self.rejections.append({"method": method, "path": url.path, "status": e.status,
                                            "message": e.message, "param": e.param, "params": params})
                return e.status, e.body()

    def _execute(self, method, key, handler, path_params, params, headers):
        """Run the handler; POSTs with an Idempotency-Key are replayed (same params) or refused (different)."""
        ikey = headers.get("Idempotency-Key") if method == "POST" else None
        if ikey in self._idempotency:
            fingerprint, response = self._idempotency[ikey]
            if fingerprint != (key, path_params, params):
                raise StripeError(400, f"Keys for idempotent requests can only be used with the same parameters "
                                  f"they were first used with. Try using a key other than '{ikey}' if you "
                                  f"meant to execute a different request.", type="idempotency_error",
                                  rejection=True)
            return copy.deepcopy(response)
        try:
            response = (200, getattr(self, handler)(params, **path_params))
        except StripeError as e:
            if e.rejection:
                raise
            response = (e.status, e.body())
        if ikey:
            self._idempotency[ikey] = ((key, path_params, params), copy.deepcopy(response))
        return response

    def _authenticate(self, headers):
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            raise StripeError(401, "You did not provide an API key. You need to provide your API key in the "
                              "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                              "YOUR_SECRET_KEY').", rejection=True)
        key = auth[7:]
        if not re.fullmatch(r"(sk|rk)_test_\w+", key) or (self.api_key and key != self.api_key):
            raise StripeError(401, f"Invalid API Key provided: {key[:8]}****{key[-4:]}", rejection=True)
        version = headers.get("Stripe-Version")
        if self.api_version and version != self.api_version:
            raise _reject(f"Stripe-Version {version!r} sent; this stub serves {self.api_version!r}.")

    @staticmethod
    def _injected(status):
        kind = "api_error" if status >= 500 else "card_error" if status == 402 else "invalid_request_error"
        return StripeError(status, f"Injected failure (HTTP {status}) from the Stripe stub.", type=kind,
                           code="rate_limit" if status == 429 else None)

    @staticmethod
    def _find(table, kind, param, value):
        """``table[value]``, else Stripe's resource_missing: 404 for an id in the path, 400 for a param."""
        if value not in table:
            raise StripeError(404 if param in ("session", "intent") else 400, f"No such {kind}: '{value}'",
                              param=param, code="resource_missing")
        return table[value]

    # -- endpoints
    def _session_view(self, s, expand):
        out = copy.deepcopy(s)
        if "payment_intent" in expand and s["payment_intent"]:
            out["payment_intent"] = copy.deepcopy(self.payment_intents[s["payment_intent"]])
        if "line_items" in expand:
            out["line_items"] = self._list_line_items({}, s["id"])
        return out

    def _create_session(self, p):
        now = int(time.time())
        items, currency = self._check_session_rules(p, now)
        sid = f"cs_test_{_rand(40)}"
        total = sum(i["amount_total"] for i in items)
        metadata = {k: v for k, v in (p.get("metadata") or {}).items() if v != ""}
        self._line_items[sid] = items
        self.sessions[sid] = s = {
            "id": sid, "object": "checkout.session", "url": f"{self.base_url}/pay/{sid}", "status": "open",
            "payment_status": "unpaid", "amount_subtotal": total, "amount_total": total, "currency": currency,
            "client_reference_id": p.get("client_reference_id"), "customer": p.get("customer"),
            "customer_email": p.get("customer_email"), "customer_details": None, "metadata": metadata,
            "expires_at": p.get("expires_at", now + 86400), "created": now, "success_url": p["success_url"],
            "cancel_url": p.get("cancel_url"), "mode": p["mode"], "payment_intent": None,
            "payment_method_types": p.get("payment_method_types", ["card"]), "locale": p.get("locale"),
            "livemode": False}
        self._pi_metadata[sid] = (p.get("payment_intent_data") or {}).get("metadata", {})
        return self._session_view(s, p.get("expand", []))

    def _check_session_rules(self, p, now):
        """Stripe rules the schema cannot express; returns (line items as the API lists them, currency).

        ``mode`` is required; success/cancel URLs are http(s); ``expires_at`` is 30 min..24 h ahead; payment
        mode needs ``line_items``; each item has ``quantity`` >= 1 and ``price_data`` (the stub holds no Price
        or Product ids) with ``product_data``, ``unit_amount`` (or ``_decimal``) >= 0, no ``recurring`` in
        payment mode, and a lowercase 3-letter currency shared by all items.
        """
        if "mode" not in p:
            raise _reject("Missing required param: mode.", param="mode")
        for name in ("success_url", "cancel_url"):
            if name in p and not re.match(r"https?://[^/\s]+", p[name]):
                raise _reject("Not a valid URL", param=name)
        if "expires_at" in p and not now + 1800 <= p["expires_at"] <= now + 86400:
            bound = "at least 30 minutes" if p["expires_at"] < now + 1800 else "less than 24 hours"
            raise _reject(f"The `expires_at` timestamp must be {bound} from Checkout Session creation.",
                          param="expires_at")
        if p["mode"] == "payment" and not p.get("line_items"):
            raise _reject("`line_items` is required in `payment` mode.", param="line_items")
        if "currency" in p and not re.fullmatch(r"[a-z]{3}", p["currency"]):
            raise _reject(f"Invalid currency: {p['currency']}.", param="currency")
        items = []
        for n, li in enumerate(p.get("line_items", [])):
            at = f"line_items[{n}]"
            if "price" in li:
                raise _reject(f"No such price: '{li['price']}' (the stub knows no prices; use price_data)",
                              param=f"{at}[price]", code="resource_missing")
            pd = li.get("price_data")
            if pd is None:
                raise _reject(f"You must specify either `price` or `price_data` in `{at}`.", param=at)
            if "quantity" not in li:
                raise _reject(f"Quantity is required. Add `quantity` to `{at}`.", param=f"{at}[quantity]")
            if li["quantity"] < 1:
                raise _reject("This value must be greater than or equal to 1.", param=f"{at}[quantity]")
            if not re.fullmatch(r"[a-z]{3}", pd["currency"]):
                raise _reject(f"Invalid currency: {pd['currency']}. Currency codes are three lowercase letters.",
                              param=f"{at}[price_data][currency]")
            if "product_data" not in pd:
                raise _reject(f"You must specify either `product` or `product_data` in `{at}[price_data]` "
                              "(the stub knows no products).", param=f"{at}[price_data][product_data]")
            if p["mode"] == "payment" and "recurring" in pd:
                raise _reject("You specified `payment` mode but passed a recurring price.",
                              param=f"{at}[price_data][recurring]")
            try:
                unit = pd["unit_amount"] if "unit_amount" in pd else Decimal(pd["unit_amount_decimal"])
            except (KeyError, InvalidOperation):
                raise _reject(f"You must specify either `unit_amount` or `unit_amount_decimal` in "
                              f"`{at}[price_data]`.", param=f"{at}[price_data][unit_amount]") from None
            if unit < 0:
                raise _reject("This value must be greater than or equal to 0.",
                              param=f"{at}[price_data][unit_amount]")
            if items and pd["currency"] != items[0]["currency"]:
                raise _reject("All line items must use the same currency.", param=f"{at}[price_data][currency]")
            amount = int((unit * li["quantity"]).to_integral_value()) if isinstance(unit, Decimal) \
                else unit * li["quantity"]
            items.append({"id": f"li_{_rand()}", "object": "item", "amount_subtotal": amount,
                          "amount_total": amount, "currency": pd["currency"], "quantity": li["quantity"],
                          "description": pd["product_data"]["name"],
                          "price": {"id": f"price_{_rand()}", "object": "price", "currency": pd["currency"],
                                    "unit_amount": pd.get("unit_amount"), "product": f"prod_{_rand()}",
                                    "type": "one_time" if "recurring" not in pd else "recurring"}})
        return items, (items[0]["currency"] if items else p.get("currency"))

    def _get_session(self, p, session):
        return self._session_view(self._find(self.sessions, "checkout.session", "session", session),
                                  p.get("expand", []))

    def _expire_session(self, p, session):
        s = self._find(self.sessions, "checkout.session", "session", session)
        if s["status"] != "open":
            raise StripeError(400, f"Only Checkout Sessions with a status in [\"open\"] can be expired. This "
                              f"Checkout Session has a status of \"{s['status']}\".")
        s.update(status="expired", url=None)
        return self._session_view(s, p.get("expand", []))

    def _list_line_items(self, p, session):
        items = self._find(self._line_items, "checkout.session", "session", session)
        limit = p.get("limit", 10)
        if not 1 <= limit <= 100:
            raise _reject("This value must be between 1 and 100.", param="limit")
        start = 0
        if "starting_after" in p:
            start = 1 + next((i for i, li in enumerate(items) if li["id"] == p["starting_after"]), -1)
        page = items[start:start + limit]
        return {"object": "list", "data": copy.deepcopy(page), "has_more": start + limit < len(items),
                "url": f"/v1/checkout/sessions/{session}/line_items"}

    def _get_intent(self, p, intent):
        return copy.deepcopy(self._find(self.payment_intents, "payment_intent", "intent", intent))

    def _create_refund(self, p):
        if "payment_intent" in p:
            pi = self._find(self.payment_intents, "payment_intent", "payment_intent", p["payment_intent"])
        elif "charge" in p:
            by_charge = {pi["latest_charge"]: pi for pi in self.payment_intents.values() if pi["latest_charge"]}
            pi = self._find(by_charge, "charge", "charge", p["charge"])
        else:
            raise _reject("One of the following params should be provided for this request: "
                          "payment_intent or charge.")
        if pi["status"] != "succeeded":
            raise StripeError(400, f"This PaymentIntent ({pi['id']}) does not have a successful charge to refund.")
        refunded = sum(r["amount"] for r in self.refunds.values() if r["payment_intent"] == pi["id"])
        remaining = pi["amount"] - refunded
        if remaining == 0:
            raise StripeError(400, f"Charge {pi['latest_charge']} has already been refunded.",
                              code="charge_already_refunded")
        amount = p.get("amount", remaining)
        if amount <= 0:
            raise _reject("Invalid positive integer", param="amount")
        if amount > remaining:
            raise StripeError(400, f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                              f"({remaining})", param="amount", code="amount_too_large")
        refund = {"id": f"re_{_rand()}", "object": "refund", "amount": amount, "currency": pi["currency"],
                  "charge": pi["latest_charge"], "payment_intent": pi["id"], "status": "succeeded",
                  "reason": p.get("reason"), "metadata": p.get("metadata") or {}, "created": int(time.time())}
        self.refunds[refund["id"]] = refund
        return copy.deepcopy(refund)
