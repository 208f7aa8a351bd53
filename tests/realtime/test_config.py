"""fulfil.toml: where it is found, what it holds, and errors that name the file and the key."""

from __future__ import annotations

import pytest

from fulfilment_engine.config import load_config, parse_config_text
from fulfilment_engine.errors import ConfigError

FULL = """
[planner]
deadline_ms = 350

[realtime]
cache_ttl_s = 10
limiter = "postgres"
limiter_url = "postgresql://postgres@127.0.0.1:5432/fulfil"

[service]
api_keys = ["sha256:abc"]
cors_origins = ["https://shop.example"]

[[distributors]]
id = "ING"
name = "Ingram Micro UK"
po_method = "cxml"
[distributors.realtime]
protocol = "ingram_v6"
url = "https://api.ingrammicro.com:443/"
client_id = "id"
client_secret = "env:TEST_INGRAM_SECRET"
customer_number = "20-222222"
country_code = "gb"
rate_limit = 100

[[distributors]]
id = "TDS"
[distributors.realtime]
protocol = "tdsynnex_xml"
url = "https://ec.uk.tdsynnex.example"
customer_number = "1150897"
username = "buyer@example.com"
password = "pw"

[[distributors]]
id = "FEED"

[carriers.ups]
url = "https://onlinetools.ups.com"
client_id = "u"
client_secret = "s"
account_number = "A1B2C3"
ship_from_country = "us"
ship_from_postcode = "07001"
"""


def test_full_configuration(monkeypatch):
    monkeypatch.setenv("TEST_INGRAM_SECRET", "from-the-environment")
    config = parse_config_text(FULL)

    assert config.planner.deadline_ms == 350 and config.deadline_s == 0.35
    assert config.realtime.cache_ttl_s == 10 and config.realtime.limiter == "postgres"
    ing = config.distributors["ING"]
    assert ing.name == "Ingram Micro UK" and ing.raw["po_method"] == "cxml"
    assert ing.realtime.url == "https://api.ingrammicro.com:443"
    assert ing.realtime.client_secret == "from-the-environment"
    assert ing.realtime.country_code == "GB" and ing.realtime.max_batch == 50
    assert config.distributors["TDS"].realtime.username == "buyer@example.com"
    assert config.distributors["FEED"].realtime is None
    assert set(config.realtime_distributors()) == {"ING", "TDS"}
    assert (
        config.carriers["ups"].account_number == "A1B2C3" and config.carriers["ups"].ship_from_country == "US"
    )
    assert config.raw["service"]["cors_origins"] == ["https://shop.example"]


def test_defaults_without_any_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FULFIL_CONFIG", raising=False)
    config = load_config(None)
    assert config.path is None and config.planner.deadline_ms == 400 and not config.distributors


def test_found_by_environment_then_working_directory(tmp_path, monkeypatch):
    (tmp_path / "fulfil.toml").write_text("[planner]\ndeadline_ms = 111\n")
    other = tmp_path / "other.toml"
    other.write_text("[planner]\ndeadline_ms = 222\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FULFIL_CONFIG", raising=False)
    assert load_config(None).planner.deadline_ms == 111
    monkeypatch.setenv("FULFIL_CONFIG", str(other))
    assert load_config(None).planner.deadline_ms == 222
    assert load_config(tmp_path / "fulfil.toml").planner.deadline_ms == 111


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[planner]\ndeadline = 300\n", "planner.deadline: unknown key"),
        ("[planner]\ndeadline_ms = -5\n", "planner.deadline_ms: must be greater than 0"),
        ("[planner]\ndeadline_ms = 'fast'\n", "planner.deadline_ms: must be a whole number"),
        (
            "[planner]\ndeadline_ms = 300\ncarrier_reserve_ms = 300\n",
            "planner.carrier_reserve_ms: must be below planner.deadline_ms (300), got 300",
        ),
        (
            "[[distributors]]\nid = 'X'\n[distributors.realtime]\nprotocol = 'soap'\nurl = 'http://x'\n",
            "distributors[0].realtime.protocol: must be one of ingram_v6, tdsynnex_xml",
        ),
        (
            "[[distributors]]\nid = 'X'\n[distributors.realtime]\nprotocol = 'ingram_v6'\nurl = 'http://x'\n"
            "client_id = 'a'\nclient_secret = 'b'\n",
            "distributors[0].realtime.customer_number: is required",
        ),
        (
            "[[distributors]]\nid = 'X'\n[distributors.realtime]\nprotocol = 'ingram_v6'\nurl = 'http://x'\n"
            "client_id = 'a'\nclient_secret = 'b'\ncustomer_number = 'c'\nmax_batch = 80\n",
            "distributors[0].realtime.max_batch: Ingram Micro accepts at most 50",
        ),
        (
            "[[distributors]]\nid = 'X'\n[distributors.realtime]\nprotocol = 'tdsynnex_xml'\nurl = 'ftp://x'\n",
            "distributors[0].realtime.url: must be an http:// or https:// URL",
        ),
        (
            "[[distributors]]\nid = 'X'\n[[distributors]]\nid = 'X'\n",
            "distributors[1].id: distributor 'X' is configured twice",
        ),
        ("[carriers.dhl]\nurl = 'http://x'\n", "carriers.dhl: unknown key"),
        ("[carriers.ups]\nurl = 'x.example'\n", "carriers.ups.url: must be an http:// or https:// URL"),
        (
            "[carriers.ups]\nurl = 'http://x'\ncarrier = 'ups'\n",
            "carriers.ups.carrier: unknown key (known keys: url, client_id, client_secret, account_number, "
            "ship_from_country, ship_from_postcode)",
        ),
        ("[realtime]\nlimiter = 'postgres'\n", "realtime.limiter_url: required"),
        (
            "[[distributors]]\nid = 'X'\n[distributors.realtime]\nprotocol = 'tdsynnex_xml'\nurl = 'http://x'\n"
            "customer_number = '1'\nusername = 'u'\npassword = 'env:NOT_SET_ANYWHERE'\n",
            "distributors[0].realtime.password: environment variable NOT_SET_ANYWHERE is not set",
        ),
        ("[planner\n", "not valid TOML"),
    ],
)
def test_errors_name_the_file_and_the_key(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)


def test_a_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read configuration"):
        load_config(tmp_path / "nope.toml")
