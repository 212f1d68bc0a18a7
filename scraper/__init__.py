"""blogarchive: archive blogs into SQLite, publish them with Datasette."""
