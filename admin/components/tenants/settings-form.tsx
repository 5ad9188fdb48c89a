"use client";

import { useState } from "react";
import { Loader2, RotateCcw, Save } from "lucide-react";
import { toast } from "sonner";

import { Field } from "@/components/common";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import { Textarea } from "@/components/ui/textarea";
import { api, errorMessage } from "@/lib/api";
import type { Tenant, TenantSettings } from "@/lib/types";

type Kind = "float" | "int" | "text" | "optional" | "color" | "lines" | "multiline" | "bool" | "json" | "choice";

interface FieldSpec {
  key: keyof TenantSettings;
  label: string;
  kind: Kind;
  hint?: string;
  step?: string;
  options?: readonly { value: string; label: string }[]; // for kind "choice"
}

// The embedding models the API accepts (TenantSettings.embedding_model); docs/languages.md.
const EMBEDDING_MODELS = [
  { value: "all-MiniLM-L6-v2", label: "all-MiniLM-L6-v2 (English, fastest)" },
  { value: "multilingual-e5-small", label: "multilingual-e5-small (about 100 languages)" },
] as const satisfies readonly { value: NonNullable<TenantSettings["embedding_model"]>; label: string }[];

const GROUPS: { title: string; fields: FieldSpec[] }[] = [
  {
    title: "Confidence",
    fields: [
      { key: "escalate_threshold", label: "Escalate below", kind: "float", step: "0.01", hint: "0–1. Answers below this go to the inbox." },
      { key: "refuse_threshold", label: "Refuse below", kind: "float", step: "0.01", hint: "0–1, not above the escalate threshold." },
    ],
  },
  {
    title: "Rate limits",
    fields: [
      { key: "rate_limit_per_minute", label: "Tenant per minute", kind: "int" },
      { key: "rate_limit_per_day", label: "Tenant per day", kind: "int" },
      { key: "session_rate_limit_per_minute", label: "Visitor per minute", kind: "int" },
      { key: "session_rate_limit_per_day", label: "Visitor per day", kind: "int" },
      {
        key: "monthly_message_quota",
        label: "Bot answers per month",
        kind: "int",
        hint: "The plan's quota unless set here; past it visitors are handed to the team.",
      },
    ],
  },
  {
    title: "Widget",
    fields: [
      { key: "greeting", label: "Greeting", kind: "text" },
      { key: "language", label: "Language", kind: "text", hint: "e.g. en, nl, de-CH: when a message's own language is unclear" },
      {
        key: "embedding_model",
        label: "Embedding model",
        kind: "choice",
        options: EMBEDDING_MODELS,
        hint: "Changing it re-embeds every source; the answers switch when that is done.",
      },
      { key: "primary_color", label: "Primary colour", kind: "color" },
      { key: "primary_text_color", label: "Primary text colour", kind: "color" },
      { key: "contact", label: "Contact", kind: "optional", hint: "Where refused questions are pointed: an email, phone or URL." },
      {
        key: "allowed_domains",
        label: "Allowed domains",
        kind: "lines",
        hint: "One host per line (example.com, shop.example.com:8443). Empty: any site may embed.",
      },
    ],
  },
  {
    title: "Hand-off to a person",
    fields: [
      {
        key: "expected_reply",
        label: "Expected reply",
        kind: "optional",
        hint: "Shown to a visitor who asked for a person, e.g. “within one working day”.",
      },
      {
        key: "ask_email_after_minutes",
        label: "Ask for an email after (minutes)",
        kind: "int",
        hint: "When nobody took the conversation by then (always outside office hours).",
      },
      {
        key: "escalation_hands_over",
        label: "Escalated answers hand over",
        kind: "bool",
        hint: "An answer below the escalate threshold moves the conversation to “waiting”.",
      },
      { key: "notify_email", label: "Notify by email", kind: "optional", hint: "The team's address for new hand-offs." },
      { key: "webhook_url", label: "Webhook URL", kind: "optional", hint: "https://… receives signed JSON events." },
      {
        key: "office_hours",
        label: "Office hours (JSON)",
        kind: "json",
        hint: '{"timezone": "Europe/Amsterdam", "days": {"mon": [["09:00", "17:00"]]}}; a day not listed is closed; empty: always open.',
      },
    ],
  },
  {
    title: "Terms & knowledge",
    fields: [
      { key: "terms_version", label: "Terms version", kind: "text", hint: "Changing it asks every visitor to consent again." },
      { key: "terms_url", label: "Terms URL", kind: "optional", hint: "https://…" },
      { key: "reingest_interval_hours", label: "Re-ingest every (hours)", kind: "int", hint: "0 turns scheduled re-ingestion off." },
    ],
  },
  {
    title: "Privacy",
    fields: [
      {
        key: "retention_days",
        label: "Keep conversations (days)",
        kind: "int",
        hint: "Deleted this long after their last message; usage counts stay. 0 keeps them.",
      },
      {
        key: "consent_retention_days",
        label: "Keep consent records (days)",
        kind: "int",
        hint: "Kept at least while the visitor's conversations are. 0 keeps them.",
      },
    ],
  },
];

const SPECS = GROUPS.flatMap((group) => group.fields);

function toText(spec: FieldSpec, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (spec.kind === "lines") return (value as string[]).join("\n");
  if (spec.kind === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

/** The JSON value a field's text stands for; `undefined` when it can't be parsed. */
function fromText(spec: FieldSpec, text: string): unknown {
  const trimmed = text.trim();
  switch (spec.kind) {
    case "float":
    case "int": {
      if (trimmed === "") return undefined;
      const number = Number(trimmed);
      if (!Number.isFinite(number) || (spec.kind === "int" && !Number.isInteger(number))) return undefined;
      return number;
    }
    case "lines":
      return trimmed
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean);
    case "optional":
      return trimmed === "" ? null : trimmed;
    case "multiline":
      return text;
    case "bool":
      return trimmed === "true" ? true : trimmed === "false" ? false : undefined;
    case "json": {
      if (trimmed === "") return null;
      try {
        return JSON.parse(trimmed);
      } catch {
        return undefined;
      }
    }
    default:
      return trimmed;
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function SettingsForm({ tenant, onSaved }: { tenant: Tenant; onSaved: (tenant: Tenant) => void }) {
  const initial = Object.fromEntries(SPECS.map((spec) => [spec.key, toText(spec, tenant.effective_settings[spec.key])]));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [busy, setBusy] = useState(false);

  const changed = SPECS.filter((spec) => values[spec.key] !== initial[spec.key]);

  async function save(patch: Record<string, unknown>, message: string) {
    setBusy(true);
    try {
      const updated = await api<Tenant>(`/tenants/${tenant.id}`, { method: "PATCH", body: { settings: patch } });
      toast.success(message);
      onSaved(updated);
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const patch: Record<string, unknown> = {};
    for (const spec of changed) {
      const value = fromText(spec, values[spec.key]);
      if (value === undefined) {
        const expected = { int: "a whole number", json: "valid JSON", bool: "yes or no" }[spec.kind as string] ?? "a number";
        toast.error(`${spec.label}: enter ${expected}.`);
        return;
      }
      if (!same(value, tenant.effective_settings[spec.key])) patch[spec.key] = value;
    }
    if (Object.keys(patch).length === 0) {
      toast.info("Nothing changed.");
      return;
    }
    await save(patch, "Settings saved");
  }

  const set = (key: string, value: string) => setValues((previous) => ({ ...previous, [key]: value }));

  return (
    <form onSubmit={submit} data-testid="settings-form" noValidate>
      <Card>
        <CardHeader>
          <CardTitle>Settings</CardTitle>
          <CardDescription>
            Plan defaults apply unless overridden here. Only the fields you change are saved as overrides.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-8">
          {GROUPS.map((group) => (
            <fieldset key={group.title} className="grid gap-4">
              <legend className="text-muted-foreground mb-3 text-xs font-semibold tracking-wide uppercase">{group.title}</legend>
              <div className="grid gap-4 sm:grid-cols-2">
                {group.fields.map((spec) => {
                  const id = `setting-${spec.key}`;
                  const overridden = spec.key in tenant.settings;
                  const label = (
                    <span className="flex items-center gap-2">
                      {spec.label}
                      {overridden && (
                        <button
                          type="button"
                          className="text-primary inline-flex items-center gap-1 text-xs font-normal hover:underline"
                          title="Remove the override and use the plan default"
                          disabled={busy}
                          onClick={() => save({ [spec.key]: null }, `${spec.label} reset to the plan default`)}
                        >
                          <RotateCcw className="size-3" /> reset
                        </button>
                      )}
                    </span>
                  );
                  const common = {
                    id,
                    name: spec.key,
                    "data-testid": id,
                    value: values[spec.key],
                  };
                  let control: React.ReactNode;
                  if (spec.kind === "lines") {
                    control = (
                      <Textarea {...common} rows={4} placeholder="example.com" onChange={(e) => set(spec.key, e.target.value)} />
                    );
                  } else if (spec.kind === "json") {
                    control = (
                      <Textarea
                        {...common}
                        rows={4}
                        className="font-mono text-xs"
                        placeholder="Always open"
                        onChange={(e) => set(spec.key, e.target.value)}
                      />
                    );
                  } else if (spec.kind === "choice") {
                    control = (
                      <NativeSelect {...common} onChange={(e) => set(spec.key, e.target.value)}>
                        {(spec.options ?? []).map((option) => (
                          <option key={option.value} value={option.value}>
                            {option.label}
                          </option>
                        ))}
                      </NativeSelect>
                    );
                  } else if (spec.kind === "bool") {
                    control = (
                      <NativeSelect {...common} onChange={(e) => set(spec.key, e.target.value)}>
                        <option value="true">Yes</option>
                        <option value="false">No</option>
                      </NativeSelect>
                    );
                  } else if (spec.kind === "color") {
                    const valid = /^#[0-9a-fA-F]{6}$/.test(values[spec.key]);
                    control = (
                      <div className="flex gap-2">
                        <input
                          type="color"
                          aria-label={`${spec.label} picker`}
                          className="border-input h-9 w-12 shrink-0 cursor-pointer rounded-md border bg-transparent p-1"
                          value={valid ? values[spec.key] : "#000000"}
                          onChange={(e) => set(spec.key, e.target.value)}
                        />
                        <Input {...common} onChange={(e) => set(spec.key, e.target.value)} pattern="#[0-9a-fA-F]{6}" />
                      </div>
                    );
                  } else {
                    control = (
                      <Input
                        {...common}
                        type={spec.kind === "float" || spec.kind === "int" ? "number" : "text"}
                        step={spec.step ?? (spec.kind === "int" ? "1" : undefined)}
                        min={spec.kind === "float" || spec.kind === "int" ? 0 : undefined}
                        max={spec.kind === "float" ? 1 : undefined}
                        onChange={(e) => set(spec.key, e.target.value)}
                      />
                    );
                  }
                  return (
                    <Field
                      key={spec.key}
                      label={label}
                      htmlFor={id}
                      hint={
                        spec.key === "embedding_model" && tenant.index_model !== tenant.effective_settings.embedding_model
                          ? `Re-embedding: the answers use ${tenant.index_model} until every source has the new model.`
                          : spec.hint
                      }
                      className={
                        spec.kind === "lines" || spec.kind === "json" || spec.key === "greeting" ? "sm:col-span-2" : undefined
                      }
                    >
                      {control}
                    </Field>
                  );
                })}
              </div>
            </fieldset>
          ))}
        </CardContent>
        <CardFooter className="justify-end gap-2 border-t pt-6">
          <span className="text-muted-foreground mr-auto text-sm">
            {changed.length ? `${changed.length} unsaved change${changed.length > 1 ? "s" : ""}` : "No changes"}
          </span>
          <Button type="button" variant="outline" disabled={!changed.length || busy} onClick={() => setValues(initial)}>
            Discard
          </Button>
          <Button type="submit" data-testid="settings-save" disabled={!changed.length || busy}>
            {busy ? <Loader2 className="animate-spin" /> : <Save />}
            Save settings
          </Button>
        </CardFooter>
      </Card>
    </form>
  );
}
