"""The database: engines and sessions, column types, migrations, backups, batched writes, outages."""
