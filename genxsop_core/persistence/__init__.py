"""Where data lives: engine, migrations, unit of work, repositories (the only query builders), backup."""
