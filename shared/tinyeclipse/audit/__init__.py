"""The audit log: who (an admin key's name, a visitor, the scheduler) did what to which tenant, when."""
