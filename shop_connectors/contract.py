"""The contract between channel-sync and the Odoo module, typed: the normalised order channel-sync sends
to `sale.order.channel_import_orders` and the answers it gets, and the store updates that flow back
(`channel_pending_updates` / `channel_updates_sent`). docs/connectors-contract.md describes every field,
with the bounds the import enforces (odoo_addon/channel_fulfilment/models/sale_order_import_parse.py and
store_order_values.py).

Money, quantities and tax rates are decimal strings ("19.99", "1.5", "20.0"), never floats: JSON numbers
would lose the penny. Times are ISO 8601 with their offset ("2026-12-06T10:15:00Z").
The platforms' mappers return `NormalisedOrder`; they always send every key but `tax_names`. The keys the
import cannot do without are `Required`; the import reads the others with defaults.
"""

from typing import Literal, NotRequired, Required, TypedDict

# Bounds the import enforces (docs/connectors-contract.md, "Bounds"); beyond them the order is refused.
MAX_ORDERS_PER_CALL = 100
MAX_LINES = 1000  # each of lines, shipping_lines, discounts (and tax rates of one line)
MAX_EXTERNAL_ID = 64  # characters, the order's and each line's
MAX_PENDING_UPDATES = 500  # what one channel_pending_updates answers at most

OrderStatus = Literal["open", "cancelled", "refunded"]
PaymentState = Literal["paid", "pending", "partially_refunded", "refunded"]
ImportResult = Literal["created", "updated", "unchanged", "failed"]
UpdateKind = Literal["tracking", "fulfillment", "completed"]


class Customer(TypedDict):
    email: str | None
    name: str
    phone: str | None
    store_customer_id: str | None  # the store's customer id; Odoo keeps it as the contact's ref


class Address(TypedDict):
    name: str
    company: str
    street: str
    street2: str
    city: str
    zip: str
    state_code: str  # ISO 3166-2 subdivision code without the country ("CA", "ENG")
    country_code: str  # ISO 3166-1 alpha-2, upper case
    phone: str
    email: str  # the billing address carries the customer's e-mail; the shipping address ""


class OrderLine(TypedDict):
    external_id: str  # the store's line id (≤ 64 characters): a shipped line is named back by it
    sku: str  # Odoo's product.default_code; "" or unknown puts the order in review
    name: str
    qty: str  # > 0, ≤ 1,000,000, whole steps of the unit's rounding
    unit_price: str  # ≥ 0, ≤ 1,000,000,000, the currency's decimals + 2 at most; before discounts
    tax_rates: list[str]  # percentages, "20.0"


class ShippingLine(TypedDict):
    name: str
    price: str  # bounds of a unit price; in the order's tax mode (prices_include_tax)
    tax_rates: list[str]


class Discount(TypedDict):
    name: str
    amount: str  # taken off (≥ 0), bounds of a unit price; one per set of tax rates it reduces
    tax_rates: list[str]


class NormalisedOrder(TypedDict, total=False):
    external_id: Required[str]  # the store's order id, ≤ 64 characters; (store, external_id) is unique
    number: str  # what the customer sees (WooCommerce `#number`, Shopify `name`): client_order_ref
    created: str  # ISO 8601 with offset: the order's date in Odoo
    modified: Required[str]  # ISO 8601 with offset: the version, an older one never wins
    status: OrderStatus
    payment_state: PaymentState
    currency: Required[str]  # ISO 4217 ("GBP")
    prices_include_tax: bool
    customer: Customer
    billing: Address
    shipping: Address | None  # None: deliver to the billing address
    lines: Required[list[OrderLine]]
    shipping_lines: list[ShippingLine]
    discounts: list[Discount]
    total: Required[str]  # the store's total with tax, ≥ 0, ≤ 10^15: Odoo's must match it to the penny
    total_tax: str  # informative; the import compares `total`
    note: str  # the customer's note
    hash: str  # sha256 of the order without `hash` and `modified`: the same hash is no change
    tax_names: NotRequired[dict[str, str]]  # [stores.taxes]: store rate -> the Odoo tax's name


class ImportAnswer(TypedDict):
    """One per order sent to channel_import_orders, in the same order."""

    external_id: str
    id: int | Literal[False]  # the sale.order's id; False when the order failed
    result: ImportResult
    error: str | None  # why it failed, naming the field (`lines[2].qty: ...`)


class ShippedLine(TypedDict):
    line_external_id: str  # OrderLine.external_id
    sku: str
    qty: str  # in the sale line's unit


class StoreUpdate(TypedDict):
    """One item of channel_pending_updates; its `key` goes back in channel_updates_sent once the store
    accepted it."""

    key: str  # tracking:<picking>:<number> | fulfillment:<picking> | completed:<order>
    kind: UpdateKind
    order_id: int  # the sale.order's id
    order_external_id: str  # NormalisedOrder.external_id
    picking_id: int | None  # the delivery's id; None for `completed`
    tracking_numbers: list[str]  # one for `tracking`, all of the delivery for `fulfillment`, none else
    carrier: str
    tracking_url: str
    lines: list[ShippedLine]  # what the delivery shipped (`fulfillment`, `tracking`); [] for `completed`
