"""What the operator learns from the stored conversations: content gaps, outcomes, the quota."""
