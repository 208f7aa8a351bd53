"""The store order's customer and addresses: one customer per normalised e-mail per company (else per
store customer id), found or created under an advisory lock so that two first orders of one customer
make one partner; the invoice and delivery addresses are the customer itself or one of its contacts
when they match, else new contacts. An order without a delivery address gets an empty delivery contact
(planning then asks a person for it), never the customer's address on file.

The e-mail is the store customer's word, not proof: a partner it names that is one of ours — a user of
the company, the company itself, a distributor or any supplier — never becomes the customer (its
addresses would receive the goods and its account the invoices); a new customer is made and the order's
chatter says why. A country code Odoo does not know (`XX`, Shopify's `AC`/`TA`) leaves the address
without a country and is kept on the order, so that planning asks a person rather than take the
company's country (sale_order_plan.py).
"""

import logging

from odoo import api, models
from odoo.exceptions import ConcurrencyError
from odoo.fields import Domain
from odoo.tools import SQL, email_normalize

from .odoo_retry import RETRIED_BY_ODOO
from .store_order_values import _lock_key, _same, _text

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    @api.model
    @api.private
    def _channel_import_partners(self, store, data, company, cache):
        """(customer, invoice address, delivery address): one customer per e-mail per company.

        The goods go to the store's shipping address, else its billing address. When the store sent
        neither, the delivery address is an empty delivery contact, not the customer's address on file
        (which may be old): planning sends the order to review as `no_address` until a person sets it."""
        customer = self._channel_import_customer(store, data, company, cache)
        billing = data["billing"] or {}
        invoice = self._channel_import_address(customer, billing, "invoice")
        if self._channel_has_address(data["shipping"]):
            delivery = self._channel_import_address(customer, data["shipping"], "delivery")
        elif self._channel_has_address(billing):
            delivery = invoice
        else:
            delivery = self._channel_import_address(
                customer, data["shipping"] or billing, "delivery", empty=True
            )
        return customer, invoice, delivery

    @api.model
    @api.private
    def _channel_has_address(self, address):
        return any(_text((address or {}).get(key)) for key in ("street", "city", "zip"))

    @api.model
    @api.private
    def _channel_customer_lookup(self, store, data, company):
        """(key, domain, email) that find the order's customer: its normalised e-mail, else the store's
        customer id in `ref` ("<store>:<id>"); None when the order names neither."""
        info = data["customer"] or {}
        billing = data["billing"] or {}
        email = email_normalize(_text(info.get("email")) or _text(billing.get("email")))
        store_customer = _text(info.get("store_customer_id"))
        if email:
            domain = [("email_normalized", "=", email)]
            key = ("customer", company.id, email)
        elif store_customer:
            domain = [("ref", "=", f"{store.code}:{store_customer}")]
            key = ("customer", company.id, store.code, store_customer)
        else:
            return None
        return key, [*domain, ("parent_id", "=", False), ("company_id", "in", [company.id, False])], email

    @api.model
    @api.private
    def _channel_import_customer(self, store, data, company, cache):
        """The customer: found by normalised e-mail (the lowest-id top-level partner), else by the store's
        customer id in `ref` ("<store>:<id>"), else created with the billing address. The call's new
        orders have theirs already (_channel_import_customers_all); this finds the others' one by one.

        A transaction-scoped advisory lock per key serialises two first orders of one customer. Under
        REPEATABLE READ the one that waited still has a snapshot from before the other's commit, so
        before creating it asks a fresh cursor; if the partner exists there, the request is retried
        (ConcurrencyError), and the retry finds it: one customer either way.
        """
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        info = data["customer"] or {}
        billing = data["billing"] or {}
        lookup = self._channel_customer_lookup(store, data, company)
        if not lookup:
            return Partner.create(self._channel_partner_values(info, billing, company, email=False))
        key, domain, email = lookup
        known = cache.get("customers", {}).get(key)
        if known:
            partner, notes = known
            data.setdefault("notes", []).extend(notes)
            return partner
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", _lock_key(*key)))
        found = Partner.search(domain, order="id")
        ours = found._channel_not_a_store_customer()
        if ours:
            domain.append(("id", "not in", [partner.id for partner in ours]))
            data.setdefault("notes", []).extend(self._channel_not_the_customer_notes(email, ours))
        partner = found.filtered(lambda candidate: candidate not in ours)[:1]
        if partner:
            return partner
        if self._channel_committed_exists(Partner._search(domain).select(), cache):
            raise ConcurrencyError(f"customer {key} was created by a concurrent import")
        return Partner.create(self._channel_new_customer_values(store, data, company))

    @api.model
    @api.private
    def _channel_import_customers_all(self, store, orders, company, cache):
        """The customers of a call's new orders, found with one search and the missing ones made with
        one create (a partner created alone cost more than the rest of its order), into
        cache["customers"]: {key: (partner, chatter notes)}, read by _channel_import_customer.

        The same rules as one by one: the advisory lock per key — taken for all keys at once, in key
        order, so that two calls sharing customers wait for each other instead of deadlocking — then the
        lowest-id top-level partner not one of ours, and before creating, a fresh cursor asked whether a
        concurrent import committed one (then the whole call is retried: ConcurrencyError). Should the
        one create fail, nothing is cached and each order finds or makes its customer on its own."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        wanted = {}  # key: (domain, email, parsed order of the first order naming it)
        for data in orders:
            lookup = self._channel_customer_lookup(store, data, company)
            if lookup and lookup[0] not in wanted:
                wanted[lookup[0]] = (*lookup[1:], data)
        if not wanted:
            return
        locks = sorted(_lock_key(*key) for key in wanted)
        self.env.cr.execute(
            SQL("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(%s::bigint[]) AS k", locks)
        )
        emails = [email for _domain, email, _data in wanted.values() if email]
        refs = [domain[0][2] for domain, email, _data in wanted.values() if not email]
        found = Partner.search(
            Domain.OR([[("email_normalized", "in", emails)], [("ref", "in", refs)]])
            & Domain([("parent_id", "=", False), ("company_id", "in", [company.id, False])]),
            order="id",
        )
        ours = found._channel_not_a_store_customer()
        customers, missing = {}, {}
        for key, (domain, email, data) in wanted.items():
            named = found.filtered(
                lambda partner, email=email, ref=domain[0][2]: (
                    partner.email_normalized == email if email else partner.ref == ref
                )
            )
            named_ours = {partner: what for partner, what in ours.items() if partner in named}
            notes = self._channel_not_the_customer_notes(email, named_ours)
            partner = named.filtered(lambda candidate: candidate not in ours)[:1]
            if partner:
                customers[key] = (partner, notes)
            else:
                missing[key] = ([*domain, ("id", "not in", [p.id for p in named_ours])], data, notes)
        if missing:
            query = Partner._search(Domain.OR([domain for domain, _data, _notes in missing.values()]))
            if self._channel_committed_exists(query.select(), cache):
                raise ConcurrencyError(f"a customer of {len(missing)} was created by a concurrent import")
            try:
                with self.env.cr.savepoint():
                    created = Partner.create(
                        [
                            self._channel_new_customer_values(store, data, company)
                            for _domain, data, _notes in missing.values()
                        ]
                    )
            except RETRIED_BY_ODOO:
                raise
            except Exception:
                _logger.info(
                    "store %s: %s new customers failed together; one by one", store.code, len(missing)
                )
                self.env.invalidate_all()
                created = None
            if created is not None:
                for (key, (_domain, _data, notes)), partner in zip(missing.items(), created, strict=True):
                    customers[key] = (partner, notes)
        cache["customers"] = customers

    @api.model
    @api.private
    def _channel_not_the_customer_notes(self, email, ours):
        """The chatter notes saying why partners the store's e-mail named are not the customer."""
        return [
            self.env._(
                "The store gave the e-mail %(email)s, which belongs to %(partner)s, %(what)s: "
                "that contact is not made the customer of a store order.",
                email=email,
                partner=partner.display_name,
                what=what,
            )
            for partner, what in ours.items()
        ]

    @api.model
    @api.private
    def _channel_new_customer_values(self, store, data, company):
        """A new customer from the order's customer and billing address (its `ref` the store's customer
        id when there is no e-mail)."""
        info = data["customer"] or {}
        billing = data["billing"] or {}
        values = self._channel_partner_values(
            info, billing, company, email=_text(info.get("email")) or _text(billing.get("email"))
        )
        if not values["email"] or not email_normalize(values["email"]):
            values["ref"] = f"{store.code}:{_text(info.get('store_customer_id'))}"
        return values

    @api.model
    @api.private
    def _channel_committed_exists(self, query, cache):
        """Whether `query` finds a row in what is committed now, beyond this transaction's snapshot.

        One extra cursor per call, each question in its own short transaction (so its own snapshot):
        opening a connection per new customer cost more than the customer itself."""
        fresh = cache.get("fresh_cursor")
        if fresh is None:
            fresh = cache["fresh_cursor"] = self.env.registry.cursor()
        try:
            fresh.execute(query)
            return bool(fresh.fetchone())
        finally:
            fresh.rollback()

    @api.model
    @api.private
    def _channel_partner_values(self, info, address, company, email):
        values = self._channel_address_values(address)
        values.update(
            name=_text(info.get("name")) or values.get("name") or email or self.env._("Store customer"),
            email=email or False,
            phone=_text(info.get("phone")) or values.get("phone") or False,
            company_id=False,
            customer_rank=1,
        )
        if _text(address.get("company")):
            values["company_name"] = _text(address.get("company"))
        return values

    @api.model
    @api.private
    def _channel_address_country(self, address):
        """(country, code): the res.country of the store address's country code, and the code when Odoo
        has no such country (else False)."""
        code = _text((address or {}).get("country_code")).upper()
        countries = self.env.cr.cache.setdefault("channel_countries", {})  # for this transaction
        if code and code not in countries:
            countries[code] = self.env["res.country"].search([("code", "=", code)], limit=1).id
        country = self.env["res.country"].browse(countries[code]) if code else False
        return country or self.env["res.country"], code if code and not country else False

    @api.model
    @api.private
    def _channel_address_values(self, address):
        address = address or {}
        country, _unknown = self._channel_address_country(address)
        state = self.env["res.country.state"]
        if country and _text(address.get("state_code")):
            state = state.search(
                [("country_id", "=", country.id), ("code", "=", _text(address.get("state_code")))], limit=1
            )
        return {
            "name": _text(address.get("name")) or False,
            "street": _text(address.get("street")) or False,
            "street2": _text(address.get("street2")) or False,
            "city": _text(address.get("city")) or False,
            "zip": _text(address.get("zip")) or False,
            "country_id": country.id or False,
            "state_id": state.id or False,
            "phone": _text(address.get("phone")) or False,
        }

    @api.model
    @api.private
    def _channel_import_address(self, customer, address, kind, empty=False):
        """The customer itself or one of its contacts when name, street, zip, city and country are the
        same as the store's address; else a new invoice/delivery contact. An address without street, city
        and postcode is the customer itself, unless `empty`: then a contact without an address."""
        values = self._channel_address_values(address)
        if not empty and not any(values[key] for key in ("street", "city", "zip")):
            return customer

        def same(partner):
            return (
                _same(partner.name, values["name"] or customer.name)
                and _same(partner.street, values["street"])
                and _same(partner.zip, values["zip"])
                and _same(partner.city, values["city"])
                and partner.country_id.id == (values["country_id"] or False)
            )

        candidates = customer.child_ids.filtered(lambda child: child.type == kind)
        for partner in candidates if empty else customer | candidates:
            if same(partner):
                return partner
        values.update(parent_id=customer.id, type=kind, name=values["name"] or customer.name)
        return customer.create(values)
