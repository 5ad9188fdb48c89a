// Privacy, the audit log and the tenant lifecycle (issue 18): the API's types by name, and small helpers.
import type { components } from "@/lib/api-types/admin";

type Schemas = components["schemas"];

export type AuditEntry = Schemas["AuditEntry"];
export type DataExport = Schemas["DataExport"];
export type Erasure = Schemas["Erasure"];
export type Termination = Schemas["Termination"];

/** What each action means, in the panel's words. */
export const ACTIONS: Record<string, string> = {
  "tenant.create": "Tenant created",
  "tenant.update": "Tenant changed",
  "tenant.suspend": "Tenant suspended",
  "tenant.unsuspend": "Tenant unsuspended",
  "tenant.terminate": "Tenant terminated",
  "source.create": "Source added",
  "source.update": "Source edited",
  "source.delete": "Source deleted",
  "source.ingest": "Source re-indexed",
  "conversation.reply": "Operator replied",
  "conversation.take": "Conversation taken over",
  "conversation.hand_back": "Handed back to the bot",
  "conversation.update": "Conversation updated",
  "privacy.export": "Data exported",
  "privacy.erase": "Data erased",
  "retention.purge": "Retention deleted old data",
};

export const ACTION_FILTERS = [
  { value: "", label: "All actions" },
  { value: "tenant.", label: "Tenants" },
  { value: "source.", label: "Sources" },
  { value: "conversation.", label: "Conversations" },
  { value: "privacy.", label: "Exports and erasures" },
  { value: "retention.", label: "Retention" },
];

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}

/** Who acted, as the panel shows it: the admin key's name, or the visitor or the scheduler. */
export function actorLabel(actor: string): string {
  if (actor === "visitor:widget") return "Visitor (widget)";
  if (actor === "system:retention") return "Scheduler (retention)";
  return actor;
}

/** "messages 3, conversations 1": the non-zero counts of a deletion. */
export function deletedSummary(deleted: Record<string, number>): string {
  const parts = Object.entries(deleted)
    .filter(([, count]) => count > 0)
    .map(([table, count]) => `${table.replaceAll("_", " ")} ${count}`);
  return parts.length ? parts.join(", ") : "nothing";
}

/** Save JSON as a file in the operator's browser. */
export function downloadJson(data: unknown, name: string): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
