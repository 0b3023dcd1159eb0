"""The learner's area: my cohorts, join links and calendars."""
