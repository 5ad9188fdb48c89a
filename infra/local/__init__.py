"""The local runner behind `make up`: embedded Postgres, migrations, demo seed, the functions and Caddy."""
