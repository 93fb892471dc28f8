"""interviewer: an offline-first mock-interview coach for machine-learning engineers."""

__version__ = "0.1.0"
