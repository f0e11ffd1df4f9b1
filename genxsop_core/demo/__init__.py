"""The demo company: its generated data files and its planning history."""
