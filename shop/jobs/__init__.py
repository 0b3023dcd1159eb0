"""Background jobs: what runs after a commit (each e-mail) and on a schedule (expiry, reminders, the sweep,
the nightly integrity check), on Celery workers when ``BROKER_URL`` is set, else in the web process."""
