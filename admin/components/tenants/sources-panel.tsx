"use client";

import { useState } from "react";
import { BookOpen, FileText, Globe, HelpCircle, ListTree, Pencil, RefreshCw, Trash2, Type } from "lucide-react";
import { toast } from "sonner";

import { EmptyState, Pagination, SkeletonRows } from "@/components/common";
import { AddSourceDialog } from "@/components/tenants/add-source-dialog";
import { ChunksDialog } from "@/components/tenants/chunks-dialog";
import { EditSourceDialog } from "@/components/tenants/edit-source-dialog";
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
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { api, errorMessage, query } from "@/lib/api";
import type { Page, Source } from "@/lib/types";
import { useApi } from "@/lib/use-api";
import { formatDateTime, formatRelative } from "@/lib/utils";

const LIMIT = 50;
const TYPE_ICON = { url: Globe, pdf: FileText, faq: HelpCircle, text: Type } as const;

function SourceStatusBadge({ status }: { status: Source["status"] }) {
  const variant = status === "indexed" ? "success" : status === "failed" ? "danger" : "warning";
  return (
    <Badge variant={variant} data-testid="source-status" data-status={status}>
      {status === "pending" && <RefreshCw className="animate-spin" />}
      {status}
    </Badge>
  );
}

function sourceLabel(source: Source): { primary: string; secondary: string | null } {
  const fallback = source.url ?? source.filename ?? (source.type === "faq" ? "FAQ" : "Text");
  return { primary: source.title ?? fallback, secondary: source.title ? (source.url ?? source.filename) : null };
}

export function SourcesPanel({ tenantId }: { tenantId: string }) {
  const [offset, setOffset] = useState(0);
  const path = `/sources${query({ tenant_id: tenantId, limit: LIMIT, offset })}`;
  const { data, reload } = useApi<Page<Source>>(path, {
    poll: (page) => (page.items.some((s) => s.status === "pending") ? 3000 : false),
  });
  const [busyId, setBusyId] = useState<string | null>(null);
  const [editing, setEditing] = useState<Source | null>(null);
  const [browsing, setBrowsing] = useState<Source | null>(null);

  async function reingest(source: Source) {
    setBusyId(source.id);
    try {
      await api(`/sources/${source.id}/ingest`, { method: "POST" });
      toast.success("Re-ingestion queued");
      reload();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusyId(null);
    }
  }

  async function remove(source: Source) {
    setBusyId(source.id);
    try {
      await api(`/sources/${source.id}`, { method: "DELETE" });
      toast.success("Source deleted");
      reload();
    } catch (err) {
      toast.error(errorMessage(err));
    } finally {
      setBusyId(null);
    }
  }

  return (
    <Card className="gap-4">
      <CardHeader>
        <CardTitle>Knowledge</CardTitle>
        <CardDescription>Web pages, PDFs, FAQs and text the assistant answers from.</CardDescription>
        <CardAction>
          <AddSourceDialog tenantId={tenantId} onAdded={reload} />
        </CardAction>
      </CardHeader>
      <CardContent>
        {data && data.total === 0 ? (
          <EmptyState
            icon={BookOpen}
            title="No knowledge yet"
            description="Add the client's help pages, an FAQ or a PDF so the assistant can answer."
          />
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Source</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="hidden text-right sm:table-cell">Chunks</TableHead>
                <TableHead className="hidden md:table-cell">Last indexed</TableHead>
                <TableHead className="text-right">
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {!data ? (
                <SkeletonRows rows={3} columns={5} />
              ) : (
                data.items.map((source) => {
                  const Icon = TYPE_ICON[source.type] ?? BookOpen;
                  const { primary, secondary } = sourceLabel(source);
                  return (
                    <TableRow key={source.id} data-testid="source-row" data-source-id={source.id} data-type={source.type}>
                      <TableCell className="max-w-[18rem] sm:max-w-md">
                        <div className="flex items-start gap-2">
                          <Icon className="text-muted-foreground mt-0.5 size-4 shrink-0" aria-label={source.type} />
                          <div className="min-w-0">
                            <div className="truncate font-medium" title={primary}>
                              {source.url && !source.title ? (
                                <a href={source.url} target="_blank" rel="noreferrer" className="hover:underline">
                                  {primary}
                                </a>
                              ) : (
                                primary
                              )}
                            </div>
                            {secondary && (
                              <div className="text-muted-foreground truncate text-xs" title={secondary}>
                                {secondary}
                              </div>
                            )}
                            <div className="text-muted-foreground text-xs">
                              {source.type.toUpperCase()}
                              {source.crawl && ` · crawl${source.max_pages ? ` ≤ ${source.max_pages} pages` : ""}`}
                              {source.document_count > 0 && ` · ${source.document_count} document${source.document_count > 1 ? "s" : ""}`}
                            </div>
                            {source.error && (
                              <p className="text-destructive mt-1 text-xs break-words whitespace-normal" data-testid="source-error">
                                {source.error}
                              </p>
                            )}
                          </div>
                        </div>
                      </TableCell>
                      <TableCell>
                        <SourceStatusBadge status={source.status} />
                      </TableCell>
                      <TableCell className="hidden text-right tabular-nums sm:table-cell">{source.chunk_count}</TableCell>
                      <TableCell className="text-muted-foreground hidden md:table-cell" title={formatDateTime(source.last_indexed_at)}>
                        {source.last_indexed_at ? formatRelative(source.last_indexed_at) : "never"}
                      </TableCell>
                      <TableCell className="text-right">
                        <div className="flex justify-end gap-1">
                          <Button
                            variant="ghost"
                            size="icon"
                            aria-label="Edit"
                            title="Edit"
                            data-testid="source-edit"
                            disabled={busyId === source.id}
                            onClick={() => setEditing(source)}
                          >
                            <Pencil />
                          </Button>
                          <Button
                            variant="ghost"
                            size="icon"
                            aria-label="Chunks"
                            title="Chunks"
                            data-testid="source-chunks"
                            disabled={source.chunk_count === 0}
                            onClick={() => setBrowsing(source)}
                          >
                            <ListTree />
                          </Button>
                          <Button
                            variant="ghost"
                            size="icon"
                            aria-label="Re-ingest"
                            title="Re-ingest"
                            data-testid="source-reingest"
                            disabled={busyId === source.id}
                            onClick={() => reingest(source)}
                          >
                            <RefreshCw />
                          </Button>
                          <AlertDialog>
                            <AlertDialogTrigger asChild>
                              <Button
                                variant="ghost"
                                size="icon"
                                aria-label="Delete"
                                title="Delete"
                                data-testid="source-delete"
                                disabled={busyId === source.id}
                              >
                                <Trash2 className="text-destructive" />
                              </Button>
                            </AlertDialogTrigger>
                            <AlertDialogContent>
                              <AlertDialogHeader>
                                <AlertDialogTitle>Delete this source?</AlertDialogTitle>
                                <AlertDialogDescription>
                                  “{primary}” and everything indexed from it are removed. The assistant stops using it at once.
                                </AlertDialogDescription>
                              </AlertDialogHeader>
                              <AlertDialogFooter>
                                <AlertDialogCancel>Cancel</AlertDialogCancel>
                                <AlertDialogAction variant="destructive" data-testid="source-delete-confirm" onClick={() => remove(source)}>
                                  Delete
                                </AlertDialogAction>
                              </AlertDialogFooter>
                            </AlertDialogContent>
                          </AlertDialog>
                        </div>
                      </TableCell>
                    </TableRow>
                  );
                })
              )}
            </TableBody>
          </Table>
        )}
        {data && <Pagination total={data.total} limit={LIMIT} offset={offset} onChange={setOffset} />}
      </CardContent>
      <EditSourceDialog
        source={editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          reload();
        }}
      />
      <ChunksDialog source={browsing} onClose={() => setBrowsing(null)} />
    </Card>
  );
}
