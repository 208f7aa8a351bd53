/*
 * Channel Fulfilment cart widget — availability and the delivery charge for a shop's basket.
 *
 * Paste into a cart page:
 *   <link rel="stylesheet" href="cart-widget.css">
 *   <div class="cf-cart"
 *        data-service="https://fulfil.example.com"          (the auto-fulfil service; default: this page's origin)
 *        data-api-key="cfk_…"                              (an API key the service accepts)
 *        data-country="GB"
 *        data-basket='[{"sku": "…", "qty": 1, "unit_price": "24.99"}]'></div>
 *   <script src="cart-widget.js"></script>
 *
 * `?service=…&key=…&country=…` in the page's address overrides the data attributes (handy for trying it).
 * A shop would normally fill data-basket from its own cart and call `el.cfCart.setBasket([...])` when the
 * cart changes; the quantity boxes here let you try it by hand.
 * No build step, no dependencies: plain ES2017 for any current browser.
 */
(function () {
  "use strict";

  var COUNTRIES = [
    ["GB", "United Kingdom"], ["IE", "Ireland"], ["FR", "France"], ["DE", "Germany"],
    ["NL", "Netherlands"], ["US", "United States"]
  ];
  var DEBOUNCE_MS = 250;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  // Money stays a decimal string end to end; only its display goes through Intl.
  function formatMoney(amount, currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency: currency }).format(Number(amount));
    } catch (e) {
      return amount + " " + currency;
    }
  }

  // Exact sum of decimal strings with two places, in pence, so 0.1 + 0.2 is 0.30.
  function pence(amount) {
    var parts = String(amount).split(".");
    var frac = ((parts[1] || "") + "00").slice(0, 2);
    var sign = parts[0].charAt(0) === "-" ? -1 : 1;
    return sign * (Math.abs(parseInt(parts[0], 10) || 0) * 100 + parseInt(frac, 10));
  }
  function fromPence(value) {
    var sign = value < 0 ? "-" : "";
    value = Math.abs(value);
    return sign + Math.floor(value / 100) + "." + String(value % 100).padStart(2, "0");
  }

  function settings(root) {
    var query = new URLSearchParams(window.location.search);
    var sameOrigin = /^https?:$/.test(window.location.protocol) ? window.location.origin : "http://127.0.0.1:8080";
    var basket = [];
    try { basket = JSON.parse(root.getAttribute("data-basket") || "[]"); } catch (e) { basket = []; }
    return {
      service: (query.get("service") || root.getAttribute("data-service") || sameOrigin).replace(/\/+$/, ""),
      apiKey: query.get("key") || root.getAttribute("data-api-key") || "",
      country: (query.get("country") || root.getAttribute("data-country") || "GB").toUpperCase(),
      currency: (root.getAttribute("data-currency") || "GBP").toUpperCase(),
      basket: basket.map(function (line) {
        return { sku: String(line.sku), qty: parseInt(line.qty, 10) || 1, unit_price: line.unit_price != null ? String(line.unit_price) : null, name: line.name || "" };
      })
    };
  }

  function CartWidget(root) {
    this.root = root;
    this.conf = settings(root);
    this.availability = {};
    this.sequence = 0;  // only the answer to the latest change is shown
    this.timer = null;
    this.render();
    this.refresh(true);
  }

  CartWidget.prototype.call = function (method, path, body) {
    var headers = { "Authorization": "Bearer " + this.conf.apiKey };
    if (body) headers["Content-Type"] = "application/json";
    return fetch(this.conf.service + path, {
      method: method, headers: headers, body: body ? JSON.stringify(body) : undefined, mode: "cors"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var message = data.message || data.detail || ("HTTP " + response.status);
          if (response.status === 401) message = "The service did not accept the API key (" + message + ")";
          throw new Error(message);
        }
        return data;
      });
    });
  };

  CartWidget.prototype.setBasket = function (basket) {
    this.conf.basket = basket.map(function (l) { return { sku: l.sku, qty: l.qty, unit_price: l.unit_price != null ? String(l.unit_price) : null, name: l.name || "" }; });
    this.render();
    this.refresh(true);
  };

  CartWidget.prototype.render = function () {
    var self = this, conf = this.conf;
    this.root.innerHTML = "";
    this.root.classList.add("cf-cart");

    var rows = conf.basket.map(function (line, index) {
      var qty = el("input", { type: "number", min: "0", step: "1", value: String(line.qty), "aria-label": "Quantity of " + line.sku, "data-sku": line.sku, className: "cf-qty" });
      qty.addEventListener("input", function () {
        var value = parseInt(qty.value, 10);
        line.qty = isNaN(value) || value < 0 ? 0 : value;
        self.updateTotals();
        self.schedule(false);
      });
      return el("tr", { "data-line": String(index) }, [
        el("td", {}, [el("div", { className: "cf-sku", text: line.sku }), el("div", { className: "cf-name", text: line.name })]),
        el("td", {}, [qty]),
        el("td", { className: "cf-price", text: line.unit_price ? formatMoney(line.unit_price, conf.currency) : "" }),
        el("td", { className: "cf-stock", "data-stock-for": line.sku, text: "…" })
      ]);
    });
    var table = el("table", { className: "cf-lines" }, [
      el("thead", {}, [el("tr", {}, ["Item", "Qty", "Price", "Availability"].map(function (h) { return el("th", { text: h }); }))]),
      el("tbody", {}, rows)
    ]);

    var country = el("select", { className: "cf-country", "aria-label": "Ship to country" },
      COUNTRIES.map(function (c) { var o = el("option", { value: c[0], text: c[1] }); if (c[0] === conf.country) o.selected = true; return o; }));
    country.addEventListener("change", function () { conf.country = country.value; self.schedule(true); });

    this.subtotal = el("dd", { className: "cf-subtotal" });
    this.delivery = el("dd", { className: "cf-delivery", "data-amount": "" , text: "…" });
    this.deliveryNote = el("div", { className: "cf-delivery-note" });
    this.total = el("dd", { className: "cf-total" });
    this.status = el("div", { className: "cf-status", role: "status", "aria-live": "polite" });
    this.error = el("div", { className: "cf-error", role: "alert", hidden: "" });
    this.demo = el("div", { className: "cf-demo", hidden: "", text: "Demo data: sample catalogue and simulated distributors" });

    this.root.appendChild(el("div", { className: "cf-head" }, [el("h2", { text: "Your basket" }), el("label", { text: "Ship to " }, [country])]));
    this.root.appendChild(table);
    this.root.appendChild(el("dl", { className: "cf-summary" }, [
      el("dt", { text: "Items" }), this.subtotal,
      el("dt", { text: "Delivery" }), this.delivery,
      el("dt", { text: "Total" }), this.total
    ]));
    this.root.appendChild(this.deliveryNote);
    this.root.appendChild(this.status);
    this.root.appendChild(this.error);
    this.root.appendChild(this.demo);
    this.updateTotals();
  };

  CartWidget.prototype.subtotalPence = function () {
    return this.conf.basket.reduce(function (sum, line) { return sum + (line.unit_price ? pence(line.unit_price) * line.qty : 0); }, 0);
  };

  CartWidget.prototype.updateTotals = function () {
    var conf = this.conf;
    this.subtotal.textContent = formatMoney(fromPence(this.subtotalPence()), conf.currency);
    var charge = this.delivery.getAttribute("data-amount");
    this.total.textContent = charge ? formatMoney(fromPence(this.subtotalPence() + pence(charge)), conf.currency) : "…";
  };

  CartWidget.prototype.schedule = function (withAvailability) {
    var self = this;
    this.needAvailability = this.needAvailability || withAvailability;
    this.root.classList.add("cf-busy");
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.refresh(self.needAvailability); }, DEBOUNCE_MS);
  };

  CartWidget.prototype.refresh = function (withAvailability) {
    var self = this, conf = this.conf, mine = ++this.sequence;
    this.needAvailability = false;
    var lines = conf.basket.filter(function (l) { return l.qty > 0; });
    this.root.classList.add("cf-busy");
    this.error.hidden = true;

    var availability = withAvailability && conf.basket.length
      ? this.call("GET", "/v1/availability?" + conf.basket.map(function (l) { return "sku=" + encodeURIComponent(l.sku); }).join("&") + "&country=" + encodeURIComponent(conf.country))
      : Promise.resolve(null);
    var plan = lines.length
      ? this.call("POST", "/v1/fulfilment-plans", {
          currency: conf.currency,
          ship_to: { country: conf.country },
          cart: lines.map(function (l) { var out = { sku: l.sku, qty: l.qty }; if (l.unit_price) out.unit_price = l.unit_price; return out; })
        })
      : Promise.resolve(null);

    return Promise.all([availability, plan]).then(function (answers) {
      if (mine !== self.sequence) return;  // a newer change is on its way
      if (answers[0]) self.showAvailability(answers[0]);
      self.showPlan(answers[1]);
    }).catch(function (error) {
      if (mine !== self.sequence) return;
      self.error.textContent = error.message;
      self.error.hidden = false;
      self.delivery.textContent = "—";
      self.delivery.setAttribute("data-amount", "");
      self.updateTotals();
    }).then(function () {
      if (mine === self.sequence) {
        self.root.classList.remove("cf-busy");
        self.root.setAttribute("data-state", self.error.hidden ? "ready" : "error");
      }
    });
  };

  CartWidget.prototype.showAvailability = function (data) {
    var root = this.root;
    if (data.demo) this.demo.hidden = false;
    data.items.forEach(function (item) {
      var cell = root.querySelector('[data-stock-for="' + CSS.escape(item.sku) + '"]');
      if (!cell) return;
      var sources = item.offers.filter(function (o) { return o.stock > 0; });
      var live = sources.some(function (o) { return o.source === "realtime"; });
      cell.textContent = item.total_stock > 0
        ? item.total_stock + " in stock" + (sources.length > 1 ? " (" + sources.length + " distributors)" : "") + (live ? " · live" : "")
        : "Out of stock";
      cell.setAttribute("data-total-stock", String(item.total_stock));
      cell.className = "cf-stock " + (item.total_stock > 0 ? "cf-in" : "cf-out");
    });
  };

  CartWidget.prototype.showPlan = function (plan) {
    var conf = this.conf;
    if (!plan) {
      this.delivery.setAttribute("data-amount", "0.00");
      this.delivery.textContent = formatMoney("0.00", conf.currency);
      this.deliveryNote.textContent = "";
      this.status.textContent = "Your basket is empty.";
      this.updateTotals();
      return;
    }
    if (plan.demo) this.demo.hidden = false;
    var charge = plan.delivery_charge, policy = plan.delivery_policy || {};
    this.delivery.setAttribute("data-amount", charge);
    this.delivery.textContent = pence(charge) === 0 ? "Free" : formatMoney(charge, conf.currency);
    if (policy.type === "flat" && policy.free_over) {
      var missing = pence(policy.free_over) - pence(policy.basket_value);
      this.deliveryNote.textContent = missing > 0
        ? "Spend " + formatMoney(fromPence(missing), conf.currency) + " more for free delivery."
        : "Free delivery on orders over " + formatMoney(policy.free_over, conf.currency) + ".";
    } else {
      this.deliveryNote.textContent = policy.type === "pass_through" ? "Delivery at cost: the distributors' freight and any small-order charges." : "";
    }
    var shipments = plan.shipments.length;
    var short = plan.unfilled.reduce(function (n, u) { return n + u.qty; }, 0);
    this.status.textContent = plan.status === "ok"
      ? "Everything is available" + (shipments > 1 ? " — ships in " + shipments + " parcels." : ".")
      : plan.status === "partial"
        ? short + " unit(s) are not available right now; the rest can ship."
        : "None of these items can ship to this country right now.";
    this.root.setAttribute("data-plan-status", plan.status);
    this.updateTotals();
  };

  function mountAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".cf-cart, [data-cf-cart]"), function (root) {
      if (!root.cfCart) root.cfCart = new CartWidget(root);
    });
  }

  window.ChannelFulfilmentCart = { mount: function (root) { root.cfCart = new CartWidget(root); return root.cfCart; } };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
