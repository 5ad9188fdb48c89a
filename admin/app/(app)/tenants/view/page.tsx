"use client";

import { Suspense, useState } from "react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { ArrowLeft, Ban, CheckCircle2, Loader2, SearchX } from "lucide-react";
import { toast } from "sonner";

import { EmptyState, PageHeader, TenantStatusBadge } from "@/components/common";
import { CalibrationPanel } from "@/components/tenants/calibration-panel";
import { EmbedSnippet } from "@/components/tenants/embed-snippet";
import { GapsPanel } from "@/components/tenants/gaps-panel";
import { PreviewChat } from "@/components/tenants/preview-chat";
import { PrivacyPanel } from "@/components/tenants/privacy-panel";
import { QuotaMeter } from "@/components/tenants/quota-meter";
import { SettingsForm } from "@/components/tenants/settings-form";
import { SourcesPanel } from "@/components/tenants/sources-panel";
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
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { NativeSelect } from "@/components/ui/native-select";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { api, errorMessage } from "@/lib/api";
import { PLANS, type Plan, type Tenant } from "@/lib/types";
import { useApi } from "@/lib/use-api";
import { formatDateTime } from "@/lib/utils";

function Overview({ tenant, onChange }: { tenant: Tenant; onChange: (tenant: Tenant) => void }) {
  const [plan, setPlan] = useState<Plan>(tenant.plan);
  const [busy, setBusy] = useState(false);
  const suspended = tenant.status === "suspended";

  async function patch(body: Record<string, unknown>, message: string) {
    setBusy(true);
    try {
      const updated = await api<Tenant>(`/tenants/${tenant.id}`, { method: "PATCH", body });
      toast.success(message);
      onChange(updated);
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card className="gap-4">
      <CardHeader>
        <CardTitle>Account</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4 text-sm">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2">
          <dt className="text-muted-foreground">Tenant id</dt>
          <dd className="font-mono text-xs break-all">{tenant.id}</dd>
          <dt className="text-muted-foreground">WHMCS client</dt>
          <dd>{tenant.whmcs_client_id}</dd>
          <dt className="text-muted-foreground">Domain</dt>
          <dd>{tenant.domain ?? "—"}</dd>
          <dt className="text-muted-foreground">Created</dt>
          <dd>{formatDateTime(tenant.created_at)}</dd>
        </dl>
        <div className="grid gap-1.5">
          <label htmlFor="tenant-plan-edit" className="font-medium">
            Plan
          </label>
          <div className="flex gap-2">
            <NativeSelect
              id="tenant-plan-edit"
              data-testid="tenant-plan-edit"
              value={plan}
              onChange={(e) => setPlan(e.target.value as Plan)}
            >
              {PLANS.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </NativeSelect>
            <Button
              variant="outline"
              data-testid="tenant-plan-save"
              disabled={busy || plan === tenant.plan}
              onClick={() => patch({ plan }, "Plan changed")}
            >
              Save
            </Button>
          </div>
        </div>
        <AlertDialog>
          <AlertDialogTrigger asChild>
            <Button variant={suspended ? "default" : "destructive"} data-testid="tenant-toggle-status" disabled={busy}>
              {busy ? <Loader2 className="animate-spin" /> : suspended ? <CheckCircle2 /> : <Ban />}
              {suspended ? "Activate tenant" : "Suspend tenant"}
            </Button>
          </AlertDialogTrigger>
          <AlertDialogContent>
            <AlertDialogHeader>
              <AlertDialogTitle>{suspended ? `Activate ${tenant.name}?` : `Suspend ${tenant.name}?`}</AlertDialogTitle>
              <AlertDialogDescription>
                {suspended
                  ? "The assistant answers visitors on the client's site again."
                  : "The assistant stops answering on the client's site until the tenant is activated again. Knowledge and conversations are kept."}
              </AlertDialogDescription>
            </AlertDialogHeader>
            <AlertDialogFooter>
              <AlertDialogCancel>Cancel</AlertDialogCancel>
              <AlertDialogAction
                variant={suspended ? "default" : "destructive"}
                data-testid="tenant-toggle-status-confirm"
                onClick={() =>
                  patch({ status: suspended ? "active" : "suspended" }, suspended ? "Tenant activated" : "Tenant suspended")
                }
              >
                {suspended ? "Activate" : "Suspend"}
              </AlertDialogAction>
            </AlertDialogFooter>
          </AlertDialogContent>
        </AlertDialog>
      </CardContent>
    </Card>
  );
}

const TABS = ["settings", "knowledge", "gaps", "preview", "calibration", "privacy"] as const;

function TenantView() {
  const params = useSearchParams();
  const router = useRouter();
  const id = params.get("id");
  const tab = TABS.find((t) => t === params.get("tab")) ?? "settings";
  const { data, error, reload } = useApi<Tenant>(id ? `/tenants/${id}` : null);
  const [override, setOverride] = useState<Tenant | null>(null);
  // A PATCH answers with the tenant: show it at once, until the next fetch catches up.
  const tenant = override && data && override.id === data.id && override.updated_at >= data.updated_at ? override : data;

  const onChange = (updated: Tenant) => {
    setOverride(updated);
    reload();
  };

  if (!id || (error && !data && (error.status === 404 || error.status === 422))) {
    return (
      <EmptyState
        icon={SearchX}
        title="Tenant not found"
        description={id ? "It may have been removed, or the link is wrong." : "No tenant id in the address."}
        action={
          <Button asChild variant="outline">
            <Link href="/tenants/">Back to tenants</Link>
          </Button>
        }
      />
    );
  }

  if (!tenant) {
    return (
      <div className="space-y-6" aria-busy>
        <Skeleton className="h-8 w-64" />
        <div className="grid gap-6 lg:grid-cols-3">
          <Skeleton className="h-64 lg:col-span-2" />
          <Skeleton className="h-64" />
        </div>
      </div>
    );
  }

  return (
    <>
      <Button asChild variant="ghost" size="sm" className="mb-2 -ml-2">
        <Link href="/tenants/">
          <ArrowLeft /> Tenants
        </Link>
      </Button>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            <span className="truncate" data-testid="tenant-name-heading">
              {tenant.name}
            </span>
            <TenantStatusBadge status={tenant.status} />
          </span>
        }
        description={tenant.domain ?? "No domain"}
        actions={
          <Button asChild variant="outline" size="sm">
            <Link href={`/conversations/?tenant_id=${tenant.id}`}>Conversations</Link>
          </Button>
        }
      />
      <Tabs
        value={tab}
        onValueChange={(value) =>
          router.replace(`/tenants/view/?id=${tenant.id}${value === "settings" ? "" : `&tab=${value}`}`, { scroll: false })
        }
      >
        <TabsList>
          <TabsTrigger value="settings" data-testid="tenant-tab-settings">
            Overview &amp; settings
          </TabsTrigger>
          <TabsTrigger value="knowledge" data-testid="tenant-tab-knowledge">
            Knowledge
          </TabsTrigger>
          <TabsTrigger value="gaps" data-testid="tenant-tab-gaps">
            Gaps
          </TabsTrigger>
          <TabsTrigger value="preview" data-testid="tenant-tab-preview">
            Test your bot
          </TabsTrigger>
          <TabsTrigger value="calibration" data-testid="tenant-tab-calibration">
            Calibration
          </TabsTrigger>
          <TabsTrigger value="privacy" data-testid="tenant-tab-privacy">
            Privacy
          </TabsTrigger>
        </TabsList>
        <TabsContent value="settings" className="mt-4">
          <div className="grid items-start gap-6 lg:grid-cols-3">
            <div className="lg:col-span-2">
              <SettingsForm key={tenant.updated_at} tenant={tenant} onSaved={onChange} />
            </div>
            <div className="grid gap-6">
              <QuotaMeter key={`${tenant.updated_at}-quota`} tenant={tenant} />
              <EmbedSnippet tenantId={tenant.id} />
              <Overview key={`${tenant.updated_at}-overview`} tenant={tenant} onChange={onChange} />
            </div>
          </div>
        </TabsContent>
        <TabsContent value="knowledge" className="mt-4">
          <SourcesPanel tenantId={tenant.id} />
        </TabsContent>
        <TabsContent value="gaps" className="mt-4">
          <GapsPanel tenantId={tenant.id} />
        </TabsContent>
        <TabsContent value="preview" className="mt-4">
          <PreviewChat tenant={tenant} />
        </TabsContent>
        <TabsContent value="calibration" className="mt-4">
          <CalibrationPanel tenantId={tenant.id} />
        </TabsContent>
        <TabsContent value="privacy" className="mt-4">
          <PrivacyPanel tenant={tenant} />
        </TabsContent>
      </Tabs>
    </>
  );
}

export default function TenantViewPage() {
  return (
    <Suspense fallback={<Skeleton className="h-8 w-64" />}>
      <TenantView />
    </Suspense>
  );
}
