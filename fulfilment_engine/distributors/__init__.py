"""Purchase orders over distributors' own APIs: what we ask for and what they answer (`orders`), and the
adapter per API (`ingram_orders`: Ingram Micro Reseller API v6). See docs/distributors.md."""
