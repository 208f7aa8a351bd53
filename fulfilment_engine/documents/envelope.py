"""The cXML envelope: root attributes, Header (From / To / Sender with its SharedSecret), Request.

Also the two identity rules of the integration: payloadIDs that never change for one purchase
order (so a retry is a duplicate, never a second order) and the constant-time shared-secret check.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, unquote

from lxml import etree

from .errors import CxmlBuildError
from .model import Credential, DeploymentMode
from .xmlio import Node, datetime_text, parse_xml, sub

# The DTD version we declare and validate the subset against (cXML.dtd / Fulfill.dtd 1.2.050).
CXML_VERSION = "1.2.050"
DEPLOYMENT_MODES: tuple[DeploymentMode, ...] = ("production", "test")


def payload_id_for(order_id: str, domain: str, *, revision: int = 0) -> str:
    """The payloadID of revision `revision` of purchase order `order_id`: the same inputs, the same id.

    `domain` names us (our web domain, or the Odoo database uuid) so that ids stay unique across
    resellers; revision 0 is the original order, 1, 2, ... its updates or its cancellation.
    """
    if not order_id.strip():
        raise CxmlBuildError("payload_id_for.order_id", "empty")
    if not domain.strip() or "@" in domain:
        raise CxmlBuildError("payload_id_for.domain", f"{domain!r} must be a non-empty name without '@'")
    if revision < 0:
        raise CxmlBuildError("payload_id_for.revision", f"must be >= 0, got {revision}")
    return f"{quote(order_id.strip(), safe='-_.~/')}.r{revision}@{domain.strip()}"


_OUR_PAYLOAD_ID = re.compile(r"^(?P<order>.+)\.r\d+@[^@]+$")


def order_id_from_payload_id(payload_id: str) -> str | None:
    """The orderID inside a payloadID made by `payload_id_for`, or None for any other payloadID."""
    match = _OUR_PAYLOAD_ID.match(payload_id.strip())
    return unquote(match.group("order")) if match else None


def verify_sender(doc_sender: Credential, expected: Credential) -> bool:
    """True when the document's Sender credential is `expected`, shared secret included.

    Every comparison runs (no early exit) and secrets compare in constant time, so neither timing
    nor a partial match tells an attacker anything. An expected credential without a secret never
    authenticates anybody: a missing configuration must not open the door.
    """
    if not expected.shared_secret or doc_sender.shared_secret is None:
        return False
    same_domain = hmac.compare_digest(
        doc_sender.domain.strip().casefold().encode(), expected.domain.strip().casefold().encode()
    )
    same_identity = hmac.compare_digest(
        doc_sender.identity.strip().encode(), expected.identity.strip().encode()
    )
    same_secret = hmac.compare_digest(doc_sender.shared_secret.encode(), expected.shared_secret.encode())
    return same_domain & same_identity & same_secret


# ---------------------------------------------------------------------------------------------- building


def new_envelope(payload_id: str, timestamp: datetime) -> etree._Element:
    if not payload_id.strip():
        raise CxmlBuildError("payload_id", "empty")
    root = etree.Element("cXML")
    root.set("payloadID", payload_id)
    root.set("timestamp", datetime_text(timestamp, "timestamp"))
    root.set("version", CXML_VERSION)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    return root


def _credential(parent: etree._Element, cred: Credential, where: str, *, with_secret: bool) -> None:
    if not cred.domain.strip() or not cred.identity.strip():
        raise CxmlBuildError(where, "domain and identity are required")
    el = sub(parent, "Credential", domain=cred.domain)
    sub(el, "Identity", cred.identity)
    if with_secret and cred.shared_secret is not None:
        sub(el, "SharedSecret", cred.shared_secret)


def new_request(
    tag: str,
    *,
    payload_id: str,
    timestamp: datetime,
    from_: Credential,
    to: Credential,
    sender: Credential,
    user_agent: str,
    deployment_mode: str,
) -> tuple[etree._Element, etree._Element]:
    """A cXML envelope with its Header around an empty `tag` request: (the root, the `tag` element)."""
    root = new_envelope(payload_id, timestamp)
    _add_header(root, from_=from_, to=to, sender=sender, user_agent=user_agent)
    return root, sub(_add_request(root, deployment_mode), tag)


def _add_header(
    root: etree._Element, *, from_: Credential, to: Credential, sender: Credential, user_agent: str
) -> None:
    header = sub(root, "Header")
    # Only Sender authenticates; a secret on From or To would leak it to whoever reads the order.
    _credential(sub(header, "From"), from_, "from_", with_secret=False)
    _credential(sub(header, "To"), to, "to", with_secret=False)
    sender_el = sub(header, "Sender")
    _credential(sender_el, sender, "sender", with_secret=True)
    sub(sender_el, "UserAgent", user_agent or "Channel Fulfilment")


def _add_request(root: etree._Element, deployment_mode: str) -> etree._Element:
    if deployment_mode not in DEPLOYMENT_MODES:
        raise CxmlBuildError("deployment_mode", f"{deployment_mode!r} is not production or test")
    return sub(root, "Request", deploymentMode=deployment_mode)


# ---------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Envelope:
    payload_id: str
    timestamp: datetime
    from_: Credential
    to: Credential
    sender: Credential
    user_agent: str
    deployment_mode: DeploymentMode
    request: Node  # the element inside Request (OrderRequest, ConfirmationRequest, ...)


def _read_credential(parent: Node) -> Credential:
    cred = parent.child("Credential")  # the first one is the one we act on
    secret = cred.opt("SharedSecret")
    return Credential(
        domain=cred.attr("domain"),
        identity=cred.child("Identity").required_text(),
        # cXML: the element's text is the secret, so it is compared exactly as sent (surrounding
        # whitespace included); identity and domain are names, trimmed.
        shared_secret="".join(secret.el.itertext()) if secret is not None else None,
    )


def read_envelope(root_el: etree._Element) -> Envelope:
    root = Node.root(root_el)
    if root_el.tag != "cXML":
        raise root.fail("not a cXML document (root element must be cXML)")
    header = root.child("Header")
    sender = header.child("Sender")
    request = root.child("Request")
    inner = [c for c in request.el if isinstance(c.tag, str)]
    if len(inner) != 1:
        raise request.fail(f"must contain exactly one request element, found {len(inner)}")
    mode = request.choice_attr("deploymentMode", DEPLOYMENT_MODES, "production")
    return Envelope(
        payload_id=root.attr("payloadID"),
        timestamp=root.datetime_attr("timestamp"),
        from_=_read_credential(header.child("From")),
        to=_read_credential(header.child("To")),
        sender=_read_credential(sender),
        user_agent=sender.child("UserAgent").text(),
        deployment_mode=mode,  # type: ignore[arg-type]
        request=Node(inner[0], f"{request.path}/{inner[0].tag}"),
    )


def read_request(xml: bytes, *tags: str) -> Envelope:
    """Parse a received document whose request element is one of `tags`, and read its envelope."""
    env = read_envelope(parse_xml(xml))
    tag = env.request.el.tag
    if tag not in tags:
        raise env.request.fail(f"expected {' or '.join(tags)}, got {tag}")
    return env
