"""The monthly S&OP cycle: stages and sign-offs, the freeze, the dashboard and the meeting pack."""
