"use client";

import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { AlertTriangle, Inbox, MessagesSquare, Search } from "lucide-react";

import { EmptyState, PageHeader, Pagination, SkeletonRows } from "@/components/common";
import { shortUrl, StateBadge, STATES, waitingFor } from "@/components/conversations/state";
import { TenantSelect, useTenantOptions } from "@/components/tenant-select";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/native-select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { query } from "@/lib/api";
import type { ConversationSummary, Page } from "@/lib/types";
import { useApi, useDebounced } from "@/lib/use-api";
import { formatDateTime, formatRelative } from "@/lib/utils";

const LIMIT = 20;

/**
 * The conversations across tenants. The API lists those waiting for a person first (longest wait first), then by
 * last activity. `inbox` starts with open conversations only (the hand-off queue).
 */
export function ConversationList({ inbox, initialTenant = "" }: { inbox: boolean; initialTenant?: string }) {
  const router = useRouter();
  const tenants = useTenantOptions();
  const [tenantId, setTenantId] = useState(initialTenant);
  const [state, setState] = useState("");
  const [status, setStatus] = useState(inbox ? "open" : "");
  const [escalated, setEscalated] = useState("");
  const [search, setSearch] = useState("");
  const [offset, setOffset] = useState(0);
  const q = useDebounced(search.trim().slice(0, 200));
  const path = `/conversations${query({ tenant_id: tenantId, state, status, escalated, q, limit: LIMIT, offset })}`;
  // Keep the queue fresh while someone watches it.
  const { data, loading } = useApi<Page<ConversationSummary>>(path, { poll: () => (inbox ? 5000 : 15000) });
  const filtered = Boolean(tenantId || state || q || escalated || (!inbox && status));

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
            ? "Open conversations; those waiting for a person come first, longest wait first. Take one over to answer it."
            : "Every conversation across tenants; those waiting for a person first, then newest activity."
        }
      />
      <Card className="gap-4 py-4">
        <CardContent className="grid gap-3 px-4 sm:grid-cols-2 lg:grid-cols-4">
          <div className="relative sm:col-span-2 lg:col-span-1">
            <Search className="text-muted-foreground pointer-events-none absolute top-2.5 left-2.5 size-4" aria-hidden />
            <Input
              type="search"
              aria-label="Search messages"
              placeholder="Search messages"
              data-testid="conversation-search"
              className="pl-8"
              maxLength={200}
              value={search}
              onChange={(e) => reset(() => setSearch(e.target.value))}
            />
          </div>
          <TenantSelect tenants={tenants} value={tenantId} onChange={(v) => reset(() => setTenantId(v))} testId="conversation-filter-tenant" />
          <NativeSelect
            aria-label="Who answers"
            data-testid="conversation-filter-state"
            value={state}
            onChange={(e) => reset(() => setState(e.target.value))}
          >
            <option value="">Bot, waiting and human</option>
            {STATES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </NativeSelect>
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
          {!inbox && (
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
          )}
        </CardContent>
        <CardContent className="px-4">
          {data && data.total === 0 ? (
            inbox && !filtered ? (
              <EmptyState
                icon={Inbox}
                title="Inbox zero"
                description="No open conversations. Nobody is waiting for a person."
                action={
                  <Button asChild variant="outline">
                    <Link href="/conversations/">See all conversations</Link>
                  </Button>
                }
              />
            ) : filtered ? (
              <EmptyState
                icon={MessagesSquare}
                title={q ? "No conversation mentions that" : "No conversations match these filters"}
                action={
                  <Button
                    variant="outline"
                    onClick={() =>
                      reset(() => {
                        setTenantId("");
                        setState("");
                        setSearch("");
                        setEscalated("");
                        if (!inbox) setStatus("");
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
                  <TableHead>Visitor&apos;s last message</TableHead>
                  <TableHead>State</TableHead>
                  <TableHead className="hidden sm:table-cell">Waiting</TableHead>
                  <TableHead className="hidden lg:table-cell">Email</TableHead>
                  <TableHead className="hidden xl:table-cell">Page</TableHead>
                  <TableHead className="hidden md:table-cell">Updated</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody className={loading && data ? "opacity-60" : undefined}>
                {!data ? (
                  <SkeletonRows columns={7} />
                ) : (
                  data.items.map((c) => (
                    <TableRow
                      key={c.id}
                      data-testid="conversation-row"
                      data-conversation-id={c.id}
                      data-state={c.handled_by}
                      className="cursor-pointer"
                      onClick={() => router.push(`/conversations/view/?id=${c.id}`)}
                    >
                      <TableCell className="font-medium whitespace-nowrap">
                        <Link href={`/conversations/view/?id=${c.id}`} className="hover:underline" onClick={(e) => e.stopPropagation()}>
                          {c.tenant_name}
                        </Link>
                      </TableCell>
                      <TableCell
                        className="max-w-[14rem] truncate sm:max-w-sm"
                        title={c.last_visitor_message ?? undefined}
                        data-testid="conversation-last-visitor-message"
                      >
                        {c.last_visitor_message ?? <span className="text-muted-foreground">—</span>}
                      </TableCell>
                      <TableCell>
                        <div className="flex flex-wrap gap-1">
                          <StateBadge state={c.handled_by} />
                          {c.status === "closed" && <Badge variant="secondary">closed</Badge>}
                          {c.escalated && (
                            <Badge variant="warning">
                              <AlertTriangle /> escalated
                            </Badge>
                          )}
                        </div>
                      </TableCell>
                      <TableCell
                        className="hidden whitespace-nowrap tabular-nums sm:table-cell"
                        data-testid="conversation-waiting"
                        title={c.waiting_since ? `Waiting since ${formatDateTime(c.waiting_since)}` : undefined}
                      >
                        {c.handled_by === "waiting" ? waitingFor(c.waiting_since) : <span className="text-muted-foreground">—</span>}
                      </TableCell>
                      <TableCell className="hidden max-w-[12rem] truncate lg:table-cell" data-testid="conversation-email">
                        {c.visitor_email ?? <span className="text-muted-foreground">—</span>}
                      </TableCell>
                      <TableCell
                        className="text-muted-foreground hidden max-w-[12rem] truncate xl:table-cell"
                        data-testid="conversation-page"
                        title={c.page_url ?? undefined}
                      >
                        {c.page_url ? shortUrl(c.page_url) : "—"}
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
