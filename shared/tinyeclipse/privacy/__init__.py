"""Privacy: retention of conversations and consent records, a visitor's export and erasure, deleting a tenant."""
