"use client";

import { useState } from "react";
import { Loader2, Plus } from "lucide-react";
import { toast } from "sonner";

import { Field } from "@/components/common";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import { api, errorMessage } from "@/lib/api";
import { PLANS, type Plan, type Tenant } from "@/lib/types";

export function CreateTenantDialog({
  onCreated,
  trigger,
}: {
  onCreated: (tenant: Tenant) => void;
  trigger?: React.ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [whmcs, setWhmcs] = useState("");
  const [plan, setPlan] = useState<Plan>("tiny");
  const [domain, setDomain] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function reset() {
    setName("");
    setWhmcs("");
    setPlan("tiny");
    setDomain("");
    setError(null);
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const clientId = Number(whmcs);
    if (!name.trim()) return setError("Enter the tenant's name.");
    if (!Number.isInteger(clientId) || clientId <= 0) return setError("The WHMCS client id is a positive whole number.");
    setBusy(true);
    setError(null);
    try {
      const tenant = await api<Tenant>("/tenants", {
        method: "POST",
        body: { name: name.trim(), whmcs_client_id: clientId, plan, ...(domain.trim() ? { domain: domain.trim() } : {}) },
      });
      toast.success(`Tenant “${tenant.name}” created`);
      setOpen(false);
      reset();
      onCreated(tenant);
    } catch (err) {
      const message = errorMessage(err);
      setError(message);
      toast.error(message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) reset();
      }}
    >
      <DialogTrigger asChild>
        {trigger ?? (
          <Button data-testid="tenant-create">
            <Plus /> Create tenant
          </Button>
        )}
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Create tenant</DialogTitle>
            <DialogDescription>A hosting client who gets their own support assistant.</DialogDescription>
          </DialogHeader>
          <Field label="Name" htmlFor="tenant-name">
            <Input id="tenant-name" data-testid="tenant-name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          </Field>
          <Field label="WHMCS client id" htmlFor="tenant-whmcs">
            <Input
              id="tenant-whmcs"
              data-testid="tenant-whmcs"
              type="number"
              inputMode="numeric"
              min={1}
              value={whmcs}
              onChange={(e) => setWhmcs(e.target.value)}
              required
            />
          </Field>
          <Field label="Plan" htmlFor="tenant-plan">
            <NativeSelect id="tenant-plan" data-testid="tenant-plan" value={plan} onChange={(e) => setPlan(e.target.value as Plan)}>
              {PLANS.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label="Domain" htmlFor="tenant-domain" hint="Optional. A host name like example.com, without https://.">
            <Input
              id="tenant-domain"
              data-testid="tenant-domain"
              value={domain}
              placeholder="example.com"
              onChange={(e) => setDomain(e.target.value)}
            />
          </Field>
          {error && (
            <p role="alert" className="text-destructive text-sm">
              {error}
            </p>
          )}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" data-testid="tenant-create-submit" disabled={busy}>
              {busy && <Loader2 className="animate-spin" />}
              Create tenant
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
