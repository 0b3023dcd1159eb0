"""The storefront: home, catalogue, product pages and uploaded pictures."""
