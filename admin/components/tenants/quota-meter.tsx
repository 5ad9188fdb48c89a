"use client";

import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import type { QuotaReport, Tenant } from "@/lib/types";
import { useApi } from "@/lib/use-api";
import { cn, formatNumber } from "@/lib/utils";

/** This month's bot answers against the tenant's monthly message quota. */
export function QuotaMeter({ tenant }: { tenant: Tenant }) {
  const { data } = useApi<QuotaReport>(`/usage/quota?tenant_id=${tenant.id}`);
  const usage = data?.tenants[0];
  const share = usage ? Math.min(usage.used / usage.quota, 1) : 0;
  return (
    <Card className="gap-3" data-testid="quota-meter">
      <CardHeader>
        <CardTitle>Messages this month</CardTitle>
        <CardDescription>
          Bot answers since {data?.month ?? "the 1st"} (UTC). Past the quota the bot tells visitors and hands them to the team.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-2">
        {!usage ? (
          <Skeleton className="h-10" />
        ) : (
          <>
            <div
              role="meter"
              aria-label="Monthly message quota"
              aria-valuemin={0}
              aria-valuemax={usage.quota}
              aria-valuenow={usage.used}
              className="bg-muted h-2.5 overflow-hidden rounded-full"
            >
              <div
                className={cn("h-full", usage.exceeded ? "bg-destructive" : share >= 0.8 ? "bg-amber-500" : "bg-primary")}
                style={{ width: `${share * 100}%` }}
              />
            </div>
            <p className="text-sm tabular-nums" data-testid="quota-text">
              {formatNumber(usage.used)} of {formatNumber(usage.quota)}
              {usage.exceeded ? " — quota reached" : ` · ${formatNumber(usage.remaining)} left`}
            </p>
          </>
        )}
      </CardContent>
    </Card>
  );
}
