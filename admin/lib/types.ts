export type Plan = "tiny" | "pro" | "pro_plus";
export type TenantStatus = "active" | "suspended";

export const PLANS: { value: Plan; label: string }[] = [
  { value: "tiny", label: "Tiny" },
  { value: "pro", label: "Pro" },
  { value: "pro_plus", label: "Pro Plus" },
];

export function planLabel(plan: string): string {
  return PLANS.find((p) => p.value === plan)?.label ?? plan;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface TenantSettings {
  escalate_threshold: number;
  refuse_threshold: number;
  rate_limit_per_minute: number;
  rate_limit_per_day: number;
  session_rate_limit_per_minute: number;
  session_rate_limit_per_day: number;
  allowed_domains: string[];
  terms_version: string;
  terms_url: string | null;
  greeting: string;
  primary_color: string;
  primary_text_color: string;
  language: string;
  contact: string | null;
  system_prompt: string | null;
  reingest_interval_hours: number;
}

export interface Tenant {
  id: string;
  whmcs_client_id: number;
  name: string;
  plan: Plan;
  status: TenantStatus;
  domain: string | null;
  settings: Partial<TenantSettings> & Record<string, unknown>;
  effective_settings: TenantSettings;
  created_at: string;
  updated_at: string;
}

export type SourceType = "url" | "pdf" | "faq" | "text";
export type SourceStatus = "pending" | "indexed" | "failed";

export interface Source {
  id: string;
  tenant_id: string;
  type: SourceType;
  title: string | null;
  url: string | null;
  content: unknown;
  crawl: boolean;
  max_pages: number | null;
  filename: string | null;
  status: SourceStatus;
  error: string | null;
  chunk_count: number;
  document_count: number;
  last_indexed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConversationSummary {
  id: string;
  tenant_id: string;
  tenant_name: string;
  session_id: string;
  status: "open" | "closed";
  escalated: boolean;
  message_count: number;
  last_message: string | null;
  created_at: string;
  updated_at: string;
}

export interface SourceUsed {
  source_id?: string;
  title?: string | null;
  url?: string | null;
  snippet?: string | null;
  score?: number | null;
  [key: string]: unknown;
}

/** What a visitor's message was recognised as before retrieval; null for a question answered from the knowledge. */
export type Intent = "greeting" | "thanks" | "goodbye" | "identity" | "handoff";
export type Feedback = "up" | "down";

/** The parts a bot answer's confidence was computed from (null for small talk and non-bot messages). */
export interface ConfidenceParts {
  retrieval_similarity: number;
  source_coverage: number;
  answer_coherence: number;
  features: Record<string, number>;
}

export interface Message {
  id: string;
  role: "user" | "assistant" | "operator" | string;
  content: string;
  confidence: number | null;
  confidence_parts: ConfidenceParts | null;
  intent: Intent | null;
  feedback: Feedback | null;
  sources_used: SourceUsed[];
  escalated: boolean;
  refused: boolean;
  latency_ms: number | null;
  created_at: string;
}

export interface Conversation extends Omit<ConversationSummary, "message_count" | "last_message"> {
  messages: Message[];
}

export interface UsageCounts {
  /** Visitor messages. */
  messages: number;
  /** Bot answers to knowledge questions (small talk not counted). */
  answers: number;
  /** Of those, answered without a human: not escalated, not refused, no thumbs down, no later operator reply. */
  resolved: number;
  escalations: number;
  refusals: number;
  /** Visitors asking for a person. */
  handoff_requests: number;
  thumbs_up: number;
  thumbs_down: number;
  tokens_in: number;
  tokens_out: number;
}

export interface UsageDay extends UsageCounts {
  tenant_id: string;
  day: string;
}

export type UsageTotals = UsageCounts;

export interface Usage {
  since: string;
  until: string;
  days: UsageDay[];
  totals: UsageTotals;
}

export interface CalibrationStats {
  answers: number;
  judged: number;
  wrong: number;
  /** wrong / judged; null when nothing was judged. */
  wrong_rate: number | null;
}

export interface CalibrationBucket extends CalibrationStats {
  low: number;
  high: number;
}

/** GET /tenants/{id}/calibration: how often the tenant's answers were judged wrong at each confidence. */
export interface CalibrationReport {
  tenant_id: string;
  escalate_threshold: number;
  refuse_threshold: number;
  judged: number;
  min_judged: number;
  buckets: CalibrationBucket[];
  above_threshold: CalibrationStats;
  suggested_escalate_threshold: number | null;
  explanation: string;
}

export const DEFAULT_ESCALATE = 0.85;
export const DEFAULT_REFUSE = 0.45;
