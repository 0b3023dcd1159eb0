"""The order's whole life: placing, paying, cancelling, expiring, refunding, fulfilling, telling."""
