"""Which embedding model a tenant's answers read, and the move to the model the tenant chose.

A tenant's chunks exist once per model while it moves: ingestion embeds with both the current and the chosen
model, and when every document has chunks of the chosen one the tenant switches in one statement. The retired
chunks stay a little longer (a question already under way still reads them), then the scheduler deletes them.
"""

from dataclasses import dataclass
from uuid import UUID

from tinyeclipse.db import Connection
from tinyeclipse.embeddings.names import ALIASES, EmbeddingModel
from tinyeclipse.tenants import repository


@dataclass(frozen=True)
class TenantModels:
    current: EmbeddingModel  # what the answers read now
    target: EmbeddingModel  # what the tenant chose (== current unless it is moving)

    @property
    def moving(self) -> bool:
        return self.current != self.target

    @property
    def live(self) -> tuple[EmbeddingModel, ...]:
        """The models new chunks are embedded with."""
        return (self.current, self.target) if self.moving else (self.current,)


def tenant_models(conn: Connection, tenant_id: UUID) -> TenantModels | None:
    row = repository.index_models(conn, tenant_id)
    if row is None:
        return None
    current = ALIASES[row.current]
    return TenantModels(current, ALIASES[row.chosen] if row.chosen else current)


def switch(conn: Connection, tenant_id: UUID, model: EmbeddingModel) -> None:
    """From now on the answers read `model`'s chunks (the caller checked they are complete)."""
    repository.set_index_model(conn, tenant_id, model)
