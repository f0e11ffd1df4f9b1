"""The S&OP domain itself: models, hierarchy, states, periods, permissions, events, errors.
Imports nothing from persistence."""
