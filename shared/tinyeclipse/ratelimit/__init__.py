"""Rate limiting: fixed-window counters in Postgres, shared by every process."""
