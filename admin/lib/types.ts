// The API's types are generated from the functions' OpenAPI schemas (lib/api-types, `npm run api-types`); this
// file only names them for the panel and holds the panel's own constants.
import type { components } from "@/lib/api-types/admin";

type Schemas = components["schemas"];

export type Plan = Schemas["Plan"];
export type TenantStatus = Schemas["TenantStatus"];

export const PLANS: { value: Plan; label: string }[] = [
  { value: "tiny", label: "Tiny" },
  { value: "pro", label: "Pro" },
  { value: "pro_plus", label: "Pro Plus" },
];

export function planLabel(plan: string): string {
  return PLANS.find((p) => p.value === plan)?.label ?? plan;
}

/** A page of a list: every paged route answers this shape (Page_Tenant_, Page_Source_, ... in the schema). */
export type Page<T> = Omit<Schemas["Page_Tenant_"], "items"> & { items: T[] };

export type TenantSettings = Schemas["TenantSettings"];
export type Tenant = Schemas["Tenant"];
export type SourceType = Schemas["SourceType"];
export type SourceStatus = Schemas["SourceStatus"];
export type Source = Schemas["Source"];

/** Who answers a conversation: the bot, nobody yet (waiting for a person) or a person (human). */
export type HandledBy = Schemas["State"];
export type Transition = Schemas["Transition"];
export type ConversationSummary = Schemas["ConversationSummary"];
export type Conversation = Schemas["Conversation"];
export type Message = Schemas["Message"];
export type Intent = Schemas["Intent"];
export type Feedback = NonNullable<Message["feedback"]>;
export type ConfidenceParts = Schemas["ConfidenceParts"];

/** The schema declares sources_used as free-form objects; these are the keys the chat stores in each. */
export type SourceUsed = Message["sources_used"][number] & {
  source_id?: string;
  title?: string | null;
  url?: string | null;
  snippet?: string | null;
  score?: number | null;
};

export type Usage = Schemas["Usage"];
export type UsageDay = Schemas["UsageDay"];
export type UsageTotals = Schemas["UsageTotals"];
/** The counts a usage day and the totals share. */
export type UsageCounts = UsageTotals;

export type CalibrationStats = Schemas["CalibrationStats"];
export type CalibrationBucket = Schemas["CalibrationBucket"];
export type CalibrationReport = Schemas["CalibrationReport"];

export const DEFAULT_ESCALATE = 0.85;
export const DEFAULT_REFUSE = 0.45;

// The operator's cockpit (issue 17): content gaps, Test your bot, editing knowledge, outcomes, the quota.
export type Gaps = Schemas["Gaps"];
export type GapGroup = Schemas["GapGroup"];
export type GapExample = Schemas["GapExample"];
export type GapAnswered = Schemas["GapAnswered"];
export type PreviewAnswer = Schemas["PreviewAnswer"];
export type SourceRef = Schemas["SourceRef"];
export type Chunk = Schemas["Chunk"];
export type Dashboard = Schemas["Dashboard"];
export type Outcomes = Schemas["Outcomes"];
export type OutcomeBucket = Schemas["OutcomeBucket"];
export type QuotaReport = Schemas["QuotaReport"];
export type QuotaUsage = Schemas["QuotaUsage"];
