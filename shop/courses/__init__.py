"""Courses, their dated cohorts, seats and waiting lists."""
