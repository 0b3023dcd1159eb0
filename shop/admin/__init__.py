"""The staff area: stock, catalogue, cohorts, orders, customers, staff and the audit log."""
