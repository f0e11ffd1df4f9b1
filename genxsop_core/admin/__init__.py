"""Running the workbench: users, login throttling, the audit trail, health, logs, what is in the database."""
