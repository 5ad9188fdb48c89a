"use client";

import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { AlertTriangle, Inbox, MessagesSquare } from "lucide-react";

import { EmptyState, PageHeader, Pagination, SkeletonRows } from "@/components/common";
import { TenantSelect, useTenantOptions } from "@/components/tenant-select";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { NativeSelect } from "@/components/ui/native-select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { query } from "@/lib/api";
import type { ConversationSummary, Page } from "@/lib/types";
import { useApi } from "@/lib/use-api";
import { formatDateTime, formatRelative } from "@/lib/utils";

const LIMIT = 20;

/** The conversations across tenants; `inbox` fixes the filters to escalated and open (the hand-off queue). */
export function ConversationList({ inbox, initialTenant = "" }: { inbox: boolean; initialTenant?: string }) {
  const router = useRouter();
  const tenants = useTenantOptions();
  const [tenantId, setTenantId] = useState(initialTenant);
  const [status, setStatus] = useState(inbox ? "open" : "");
  const [escalated, setEscalated] = useState(inbox ? "true" : "");
  const [offset, setOffset] = useState(0);
  const path = `/conversations${query({ tenant_id: tenantId, status, escalated, limit: LIMIT, offset })}`;
  // Keep the queue fresh while someone watches it.
  const { data, loading } = useApi<Page<ConversationSummary>>(path, { poll: () => 15000 });
  const filtered = Boolean(tenantId || (!inbox && (status || escalated)));

  const reset = (fn: () => void) => {
    fn();
    setOffset(0);
  };

  return (
    <>
      <PageHeader
        title={inbox ? "Inbox" : "Conversations"}
        description={
          inbox
            ? "Open conversations the assistant handed to a human. Reply, then mark them handled."
            : "Every conversation across tenants, newest activity first."
        }
      />
      <Card className="gap-4 py-4">
        <CardContent className="grid gap-3 px-4 sm:grid-cols-3">
          <TenantSelect tenants={tenants} value={tenantId} onChange={(v) => reset(() => setTenantId(v))} testId="conversation-filter-tenant" />
          {!inbox && (
            <>
              <NativeSelect
                aria-label="Status"
                data-testid="conversation-filter-status"
                value={status}
                onChange={(e) => reset(() => setStatus(e.target.value))}
              >
                <option value="">Open and closed</option>
                <option value="open">Open</option>
                <option value="closed">Closed</option>
              </NativeSelect>
              <NativeSelect
                aria-label="Escalated"
                data-testid="conversation-filter-escalated"
                value={escalated}
                onChange={(e) => reset(() => setEscalated(e.target.value))}
              >
                <option value="">Escalated or not</option>
                <option value="true">Escalated</option>
                <option value="false">Not escalated</option>
              </NativeSelect>
            </>
          )}
        </CardContent>
        <CardContent className="px-4">
          {data && data.total === 0 ? (
            inbox && !filtered ? (
              <EmptyState
                icon={Inbox}
                title="Inbox zero"
                description="No open escalations. The assistant is handling everything."
                action={
                  <Button asChild variant="outline">
                    <Link href="/conversations/">See all conversations</Link>
                  </Button>
                }
              />
            ) : filtered ? (
              <EmptyState
                icon={MessagesSquare}
                title="No conversations match these filters"
                action={
                  <Button
                    variant="outline"
                    onClick={() =>
                      reset(() => {
                        setTenantId("");
                        if (!inbox) {
                          setStatus("");
                          setEscalated("");
                        }
                      })
                    }
                  >
                    Clear filters
                  </Button>
                }
              />
            ) : (
              <EmptyState
                icon={MessagesSquare}
                title="No conversations yet"
                description="They appear here once visitors chat with a tenant's widget. Add the embed code to a site to start."
                action={
                  <Button asChild variant="outline">
                    <Link href="/tenants/">Go to tenants</Link>
                  </Button>
                }
              />
            )
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Tenant</TableHead>
                  <TableHead>Last message</TableHead>
                  <TableHead className="hidden text-right sm:table-cell">Messages</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead className="hidden md:table-cell">Updated</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody className={loading && data ? "opacity-60" : undefined}>
                {!data ? (
                  <SkeletonRows columns={5} />
                ) : (
                  data.items.map((c) => (
                    <TableRow
                      key={c.id}
                      data-testid="conversation-row"
                      data-conversation-id={c.id}
                      className="cursor-pointer"
                      onClick={() => router.push(`/conversations/view/?id=${c.id}`)}
                    >
                      <TableCell className="font-medium whitespace-nowrap">
                        <Link href={`/conversations/view/?id=${c.id}`} className="hover:underline" onClick={(e) => e.stopPropagation()}>
                          {c.tenant_name}
                        </Link>
                      </TableCell>
                      <TableCell className="text-muted-foreground max-w-[14rem] truncate sm:max-w-md" title={c.last_message ?? undefined}>
                        {c.last_message ?? "—"}
                      </TableCell>
                      <TableCell className="hidden text-right tabular-nums sm:table-cell">{c.message_count}</TableCell>
                      <TableCell>
                        <div className="flex flex-wrap gap-1">
                          <Badge variant={c.status === "open" ? "info" : "secondary"}>{c.status}</Badge>
                          {c.escalated && (
                            <Badge variant="warning">
                              <AlertTriangle /> escalated
                            </Badge>
                          )}
                        </div>
                      </TableCell>
                      <TableCell className="text-muted-foreground hidden whitespace-nowrap md:table-cell" title={formatDateTime(c.updated_at)}>
                        {formatRelative(c.updated_at)}
                      </TableCell>
                    </TableRow>
                  ))
                )}
              </TableBody>
            </Table>
          )}
          {data && <Pagination total={data.total} limit={LIMIT} offset={offset} onChange={setOffset} />}
        </CardContent>
      </Card>
    </>
  );
}
