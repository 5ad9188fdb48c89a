"""The tenants' errors, with their stable codes."""

from uuid import UUID

from tinyeclipse.errors import Conflict, NotFound


class TenantNotFound(NotFound):
    code = "tenant_not_found"

    def __init__(self, tenant_id: UUID) -> None:
        super().__init__(f"No tenant with id {tenant_id}.")


class WhmcsClientIdTaken(Conflict):
    code = "whmcs_client_id_taken"

    def __init__(self, whmcs_client_id: object) -> None:
        super().__init__(f"WHMCS client id {whmcs_client_id} already belongs to a tenant.")


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"

    def __init__(self, key: str) -> None:
        super().__init__(f"Idempotency-Key {key} was used before with another body: send a new key for a new request.")
