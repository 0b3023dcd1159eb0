"""Payment providers: adapters, their notifications, and asking them when a notification is late."""
