"use client";

import { useState } from "react";

import { Pagination } from "@/components/common";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { query } from "@/lib/api";
import type { Chunk, Page, Source } from "@/lib/types";
import { useApi } from "@/lib/use-api";
import { formatDateTime } from "@/lib/utils";

const LIMIT = 20;

/** What a source was split into: its chunks in reading order, with their document. */
export function ChunksDialog({ source, onClose }: { source: Source | null; onClose: () => void }) {
  return (
    <Dialog open={source !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="max-h-[90svh] overflow-y-auto sm:max-w-3xl" data-testid="chunks-dialog">
        {source && <ChunkList key={source.id} source={source} />}
      </DialogContent>
    </Dialog>
  );
}

function ChunkList({ source }: { source: Source }) {
  const [offset, setOffset] = useState(0);
  const { data } = useApi<Page<Chunk>>(`/sources/${source.id}/chunks${query({ limit: LIMIT, offset })}`);
  return (
    <>
      <DialogHeader>
        <DialogTitle>Chunks of “{source.title ?? source.url ?? source.filename ?? source.type}”</DialogTitle>
        <DialogDescription>
          {data ? `${data.total} chunk${data.total === 1 ? "" : "s"} the answers read, in reading order.` : "Loading…"}
        </DialogDescription>
      </DialogHeader>
      {!data ? (
        <Skeleton className="h-40" />
      ) : (
        <ol className="grid gap-3" data-testid="chunks">
          {data.items.map((chunk) => (
            <li key={chunk.id} className="rounded-md border p-3 text-sm" data-testid="chunk">
              <div className="text-muted-foreground mb-1 flex flex-wrap gap-x-3 gap-y-0.5 text-xs">
                <span>
                  document {chunk.document_position + 1} · chunk {chunk.chunk_index + 1}
                </span>
                {chunk.url && (
                  <a href={chunk.url} target="_blank" rel="noreferrer" className="truncate hover:underline" data-testid="chunk-url">
                    {chunk.url}
                  </a>
                )}
                {chunk.page !== null && <span>page {chunk.page}</span>}
                {chunk.question && <span>FAQ: {chunk.question}</span>}
                {chunk.heading && <span>§ {chunk.heading}</span>}
                <span title="When the document was last read">read {formatDateTime(chunk.fetched_at)}</span>
                <span>{chunk.language}</span>
              </div>
              <p className="break-words whitespace-pre-wrap">{chunk.content}</p>
            </li>
          ))}
        </ol>
      )}
      {data && <Pagination total={data.total} limit={LIMIT} offset={offset} onChange={setOffset} />}
    </>
  );
}
