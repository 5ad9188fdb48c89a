"use client";

import { useState } from "react";
import { Loader2, Plus, Trash2 } from "lucide-react";
import { toast } from "sonner";

import { Field } from "@/components/common";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { api, errorMessage } from "@/lib/api";
import type { Source } from "@/lib/types";

interface Pair {
  id: number;
  question: string;
  answer: string;
}

let nextId = 1;

function pairsOf(source: Source): Pair[] {
  const content = Array.isArray(source.content) ? (source.content as { question: string; answer: string }[]) : [];
  return content.map((pair) => ({ id: nextId++, question: pair.question, answer: pair.answer }));
}

/** Edit a source: its title, its text or FAQ pairs, or its URL and crawl options; saving indexes it again. */
export function EditSourceDialog({ source, onClose, onSaved }: { source: Source | null; onClose: () => void; onSaved: (s: Source) => void }) {
  return (
    <Dialog open={source !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="max-h-[90svh] overflow-y-auto sm:max-w-2xl" data-testid="source-edit-dialog">
        {source && <EditForm key={source.id + source.updated_at} source={source} onSaved={onSaved} />}
      </DialogContent>
    </Dialog>
  );
}

function EditForm({ source, onSaved }: { source: Source; onSaved: (s: Source) => void }) {
  const [title, setTitle] = useState(source.title ?? "");
  const [text, setText] = useState(typeof source.content === "string" ? source.content : "");
  const [pairs, setPairs] = useState<Pair[]>(() => pairsOf(source));
  const [url, setUrl] = useState(source.url ?? "");
  const [crawl, setCrawl] = useState(source.crawl);
  const [maxPages, setMaxPages] = useState(source.max_pages ? String(source.max_pages) : "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const hasUrl = source.type === "url" || (source.type === "pdf" && !source.filename);

  function body(): Record<string, unknown> {
    const changes: Record<string, unknown> = {};
    if (title.trim() && title.trim() !== (source.title ?? "")) changes.title = title.trim();
    if (source.type === "text" && text !== source.content) changes.content = text;
    if (source.type === "faq") changes.content = pairs.map(({ question, answer }) => ({ question, answer }));
    if (hasUrl && url.trim() !== source.url) changes.url = url.trim();
    if (source.type === "url") {
      if (crawl !== source.crawl) changes.crawl = crawl;
      const pages = crawl && maxPages ? Number(maxPages) : null;
      if (crawl && pages !== source.max_pages) changes.max_pages = pages;
    }
    return changes;
  }

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await api<Source>(`/sources/${source.id}`, { method: "PATCH", body: body() });
      toast.success("Saved: re-indexing what changed");
      onSaved(saved);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const update = (id: number, field: "question" | "answer", value: string) =>
    setPairs((list) => list.map((pair) => (pair.id === id ? { ...pair, [field]: value } : pair)));

  return (
    <form onSubmit={save} className="grid gap-4">
      <DialogHeader>
        <DialogTitle>Edit {source.type === "faq" ? "FAQ" : source.type === "text" ? "text" : source.type.toUpperCase()}</DialogTitle>
        <DialogDescription>Saving indexes the source again; documents whose text did not change keep their chunks.</DialogDescription>
      </DialogHeader>
      <Field label="Title" htmlFor="edit-title">
        <Input id="edit-title" data-testid="source-edit-title" value={title} onChange={(e) => setTitle(e.target.value)} />
      </Field>
      {source.type === "text" && (
        <Field label="Text" htmlFor="edit-text" hint="Markdown headings become the chunks' headings.">
          <Textarea id="edit-text" data-testid="source-edit-text" rows={14} value={text} onChange={(e) => setText(e.target.value)} />
        </Field>
      )}
      {source.type === "faq" && (
        <div className="grid gap-3" data-testid="source-edit-pairs">
          {pairs.map((pair, index) => (
            <div key={pair.id} className="grid gap-2 rounded-md border p-3" data-testid="source-edit-pair">
              <div className="flex items-center gap-2">
                <Input
                  aria-label={`Question ${index + 1}`}
                  data-testid="source-edit-question"
                  value={pair.question}
                  onChange={(e) => update(pair.id, "question", e.target.value)}
                  required
                />
                <Button
                  type="button"
                  variant="ghost"
                  size="icon"
                  aria-label={`Remove pair ${index + 1}`}
                  data-testid="source-edit-remove"
                  onClick={() => setPairs((list) => list.filter((p) => p.id !== pair.id))}
                >
                  <Trash2 className="text-destructive" />
                </Button>
              </div>
              <Textarea
                aria-label={`Answer ${index + 1}`}
                data-testid="source-edit-answer"
                rows={3}
                value={pair.answer}
                onChange={(e) => update(pair.id, "answer", e.target.value)}
                required
              />
            </div>
          ))}
          <Button
            type="button"
            variant="outline"
            data-testid="source-edit-add"
            onClick={() => setPairs((list) => [...list, { id: nextId++, question: "", answer: "" }])}
          >
            <Plus /> Add a pair
          </Button>
        </div>
      )}
      {hasUrl && (
        <Field label="URL" htmlFor="edit-url">
          <Input id="edit-url" type="url" data-testid="source-edit-url" value={url} onChange={(e) => setUrl(e.target.value)} />
        </Field>
      )}
      {source.type === "url" && (
        <div className="flex flex-wrap items-center gap-4">
          <div className="flex items-center gap-2">
            <Checkbox id="edit-crawl" checked={crawl} onCheckedChange={(v) => setCrawl(v === true)} />
            <Label htmlFor="edit-crawl">Crawl the site from this page</Label>
          </div>
          {crawl && (
            <Input
              type="number"
              min={1}
              max={1000}
              aria-label="Max pages"
              placeholder="Max pages"
              className="w-32"
              value={maxPages}
              onChange={(e) => setMaxPages(e.target.value)}
            />
          )}
        </div>
      )}
      {error && (
        <p className="text-destructive text-sm" role="alert">
          {error}
        </p>
      )}
      <DialogFooter>
        <Button type="submit" data-testid="source-edit-save" disabled={busy || (source.type === "faq" && pairs.length === 0)}>
          {busy && <Loader2 className="animate-spin" />} Save and re-index
        </Button>
      </DialogFooter>
    </form>
  );
}
