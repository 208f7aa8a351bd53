"""The touchless benchmark run small (issue 10, last part): ~40 store orders over both stores, every anomaly
injected at least once, through the whole loop against a real Odoo 19 (bench/touchless.py run()), and the
report it reads back from Odoo, the store doubles and the simulators held to the target: every clean order
untouched, every anomaly caught with its reason, nothing lost or duplicated, the bill with a difference in
Bills to check. Skipped, naming what is missing, without Odoo.
"""

from __future__ import annotations

import pytest

from bench import touchless

pytestmark = pytest.mark.odoo
ODOO_WHAT = "the touchless benchmark test"  # named by the `odoo` fixture when it skips

ORDERS = 40


@pytest.fixture(scope="module")
def report(odoo):
    return touchless.run(odoo, ORDERS, seed=3)


def test_nothing_lost_or_duplicated_and_every_order_counted(report):
    assert report["orders"] == ORDERS
    assert (report["lost"], report["duplicated"]) == (0, 0), report["problems"]
    assert report["touchless"] + report["review"] + report["other"] == report["orders"], report


def test_every_clean_order_goes_through_untouched(report):
    assert report["clean"] > 0
    assert report["clean_touchless"] == report["clean"], report


@pytest.mark.parametrize("anomaly", list(touchless.EXPECTED))
def test_each_anomaly_is_caught_with_its_reason(report, anomaly):
    entry = report["anomalies"][anomaly]
    assert entry["injected"] >= 1
    assert entry["caught"] == entry["injected"], (anomaly, touchless.EXPECTED[anomaly], entry["codes"])


def test_no_wrong_reason(report):
    assert report["wrong_reason"] == 0, report["wrong_orders"]


def test_the_bills_with_a_difference_wait_in_bills_to_check_and_the_others_post(report):
    assert report["bills_with_difference"] >= 1
    assert report["bills_to_check"] == report["bills_with_difference"], report["problems"]
    assert report["bills_posted"] == report["bills"] - report["bills_with_difference"], report["problems"]
    assert report["bills_wrong"] == 0, report["problems"]


def test_the_distributors_on_e_mail_ship_by_dispatch_e_mail(report):
    """VIP and Target take PDF orders by e-mail and answer through Odoo's mail gateway: the clean dispatch
    e-mails are applied, the unclear ones wait for a person, the stranger's changes nothing."""
    mail = report["email"]
    assert mail["wrong"] == [], mail["wrong"]
    assert mail["lost"] == 0
    assert (mail["ignored"], mail["proposed"]) == (1, 2), mail  # the stranger; a part despatch, a typo
    assert mail["applied"] == mail["dispatch_emails"] - 3 >= 1
    email = report["channels"]["email"]
    assert email["clean"] > 0
    assert email["clean_touchless"] == email["clean"], report["channels"]
