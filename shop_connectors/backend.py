"""One store as the sync knows it: the *backend* of the OCA connector shape, read from a `[[stores]]` table
of sync.toml by config.py (the platform's own keys by its folder under platforms/). A plain dataclass at
the ground of the package: the platforms use it without importing the configuration that uses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StoreConfig:
    id: str
    platform: str
    url: str
    webhook_secret: str
    consumer_key: str = ""
    consumer_secret: str = ""
    statuses: tuple[str, ...] = ("processing",)
    shipment_tracking: str = "auto"
    access_token: str = ""
    api_version: str = "2025-10"
    notify_customer: bool = True
    push_stock: bool = False
    stock_buffer: int = 0
    taxes: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 30.0

    @property
    def graphql_url(self) -> str:
        return f"{self.url.rstrip('/')}/admin/api/{self.api_version}/graphql.json"
