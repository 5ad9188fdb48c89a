"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { Download, Loader2, Trash2, UserX } from "lucide-react";
import { toast } from "sonner";

import { Field } from "@/components/common";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import { api, errorMessage } from "@/lib/api";
import { deletedSummary, downloadJson, type DataExport, type Erasure, type Termination } from "@/lib/privacy";
import type { Tenant } from "@/lib/types";

type By = "visitor_email" | "session_id";

/** A data subject's request that came by mail: export or erase by the email they left, or their session id. */
function SubjectRequest({ tenant }: { tenant: Tenant }) {
  const [by, setBy] = useState<By>("visitor_email");
  const [value, setValue] = useState("");
  const [busy, setBusy] = useState<"export" | "erase" | null>(null);
  const subject = { tenant_id: tenant.id, [by]: value.trim() };

  async function exportData() {
    setBusy("export");
    try {
      const data = await api<DataExport>("/privacy/export", { method: "POST", body: subject });
      const messages = data.conversations.reduce((n, c) => n + c.messages.length, 0);
      downloadJson(data, `data-export-${tenant.whmcs_client_id}-${new Date().toISOString().slice(0, 10)}.json`);
      toast.success(
        data.session_ids.length
          ? `Exported ${data.session_ids.length} session(s): ${data.conversations.length} conversation(s), ${messages} message(s).`
          : "Nothing is stored for this visitor. The file says so.",
      );
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  async function eraseData() {
    setBusy("erase");
    try {
      const result = await api<Erasure>("/privacy/erase", { method: "POST", body: subject });
      toast.success(`Erased ${result.sessions} session(s): ${deletedSummary(result.deleted)}.`);
      setValue("");
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Card className="gap-4">
      <CardHeader>
        <CardTitle>A visitor&apos;s data</CardTitle>
        <CardDescription>
          For a request that arrives by mail. Visitors can also download or delete their data themselves from the
          widget&apos;s &ldquo;Your data&rdquo; menu.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="grid gap-3 sm:grid-cols-[12rem_1fr]">
          <Field label="Find by" htmlFor="privacy-by">
            <NativeSelect id="privacy-by" data-testid="privacy-by" value={by} onChange={(e) => setBy(e.target.value as By)}>
              <option value="visitor_email">Email the visitor left</option>
              <option value="session_id">Session id</option>
            </NativeSelect>
          </Field>
          <Field
            label={by === "visitor_email" ? "Email address" : "Session id"}
            htmlFor="privacy-subject"
            hint={by === "visitor_email" ? "Every session in which the visitor left this address." : "From the conversation view or the visitor's export."}
          >
            <Input
              id="privacy-subject"
              data-testid="privacy-subject"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder={by === "visitor_email" ? "name@example.com" : "a session id"}
            />
          </Field>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button variant="outline" data-testid="privacy-export" disabled={!value.trim() || busy !== null} onClick={exportData}>
            {busy === "export" ? <Loader2 className="animate-spin" /> : <Download />} Export as JSON
          </Button>
          <AlertDialog>
            <AlertDialogTrigger asChild>
              <Button variant="destructive" data-testid="privacy-erase" disabled={!value.trim() || busy !== null}>
                {busy === "erase" ? <Loader2 className="animate-spin" /> : <UserX />} Erase
              </Button>
            </AlertDialogTrigger>
            <AlertDialogContent>
              <AlertDialogHeader>
                <AlertDialogTitle>Erase this visitor&apos;s data?</AlertDialogTitle>
                <AlertDialogDescription>
                  Their consent records, conversations and messages in {tenant.name} are deleted for good; the usage
                  counts stay. The audit log records the erasure, not what was erased.
                </AlertDialogDescription>
              </AlertDialogHeader>
              <AlertDialogFooter>
                <AlertDialogCancel>Cancel</AlertDialogCancel>
                <AlertDialogAction variant="destructive" data-testid="privacy-erase-confirm" onClick={eraseData}>
                  Erase
                </AlertDialogAction>
              </AlertDialogFooter>
            </AlertDialogContent>
          </AlertDialog>
        </div>
      </CardContent>
    </Card>
  );
}

/** Terminate: every row of the tenant in every table, after typing its name. */
function Terminate({ tenant }: { tenant: Tenant }) {
  const router = useRouter();
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);

  async function terminate() {
    setBusy(true);
    try {
      const receipt = await api<Termination>(`/tenants/${tenant.id}/terminate`, { method: "POST" });
      toast.success(`${tenant.name} terminated. Deleted: ${deletedSummary(receipt.deleted)}.`);
      router.push("/tenants/");
    } catch (err) {
      toast.error(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Card className="border-destructive/40 gap-4">
      <CardHeader>
        <CardTitle>Terminate tenant</CardTitle>
        <CardDescription>
          Deletes the tenant with all its knowledge, uploaded files, jobs, conversations, consent records and usage.
          This cannot be undone. To pause the assistant instead, suspend the tenant.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <AlertDialog onOpenChange={() => setTyped("")}>
          <AlertDialogTrigger asChild>
            <Button variant="destructive" data-testid="tenant-terminate" disabled={busy}>
              {busy ? <Loader2 className="animate-spin" /> : <Trash2 />} Terminate…
            </Button>
          </AlertDialogTrigger>
          <AlertDialogContent>
            <AlertDialogHeader>
              <AlertDialogTitle>Terminate {tenant.name}?</AlertDialogTitle>
              <AlertDialogDescription>
                Every row of this tenant is deleted in every table. Type the tenant&apos;s name to confirm.
              </AlertDialogDescription>
            </AlertDialogHeader>
            <Input
              aria-label="Tenant name"
              data-testid="tenant-terminate-name"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              placeholder={tenant.name}
            />
            <AlertDialogFooter>
              <AlertDialogCancel>Cancel</AlertDialogCancel>
              <AlertDialogAction
                variant="destructive"
                data-testid="tenant-terminate-confirm"
                disabled={typed.trim() !== tenant.name}
                onClick={terminate}
              >
                Terminate
              </AlertDialogAction>
            </AlertDialogFooter>
          </AlertDialogContent>
        </AlertDialog>
      </CardContent>
    </Card>
  );
}

/** The tenant's privacy tab: a visitor's request by mail, and termination. Retention is in the settings. */
export function PrivacyPanel({ tenant }: { tenant: Tenant }) {
  const settings = tenant.effective_settings;
  const keep = (days: number) => (days === 0 ? "kept" : `${days} days`);
  return (
    <div className="grid items-start gap-6 lg:grid-cols-3">
      <div className="grid gap-6 lg:col-span-2">
        <SubjectRequest tenant={tenant} />
      </div>
      <div className="grid gap-6">
        <Card className="gap-2">
          <CardHeader>
            <CardTitle>Retention</CardTitle>
            <CardDescription>Changed in the settings (Privacy).</CardDescription>
          </CardHeader>
          <CardContent className="text-sm">
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1" data-testid="tenant-retention">
              <dt className="text-muted-foreground">Conversations</dt>
              <dd>{keep(settings.retention_days)}</dd>
              <dt className="text-muted-foreground">Consent records</dt>
              <dd>{keep(settings.consent_retention_days)}</dd>
            </dl>
          </CardContent>
        </Card>
        <Terminate tenant={tenant} />
      </div>
    </div>
  );
}
