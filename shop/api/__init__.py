"""The public read-only JSON of products and cohorts."""
