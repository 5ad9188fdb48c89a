"use client";

import { useState } from "react";
import { FileText, Globe, HelpCircle, Loader2, Plus, Trash2, Type } from "lucide-react";
import { toast } from "sonner";

import { Field } from "@/components/common";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
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
import { Label } from "@/components/ui/label";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { Textarea } from "@/components/ui/textarea";
import { api, errorMessage } from "@/lib/api";
import type { Source } from "@/lib/types";

type Tab = "url" | "pdf" | "faq" | "text";
interface Pair {
  id: number;
  question: string;
  answer: string;
}

let nextPairId = 1;
const newPair = (): Pair => ({ id: nextPairId++, question: "", answer: "" });

export function AddSourceDialog({ tenantId, onAdded }: { tenantId: string; onAdded: (source: Source) => void }) {
  const [open, setOpen] = useState(false);
  const [tab, setTab] = useState<Tab>("url");
  const [title, setTitle] = useState("");
  const [url, setUrl] = useState("");
  const [crawl, setCrawl] = useState(false);
  const [maxPages, setMaxPages] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [pairs, setPairs] = useState<Pair[]>(() => [newPair()]);
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  function reset() {
    setTab("url");
    setTitle("");
    setUrl("");
    setCrawl(false);
    setMaxPages("");
    setFile(null);
    setPairs([newPair()]);
    setText("");
    setError(null);
  }

  function body(): unknown {
    const base = { tenant_id: tenantId, ...(title.trim() ? { title: title.trim() } : {}) };
    switch (tab) {
      case "url": {
        if (!/^https?:\/\/\S+/.test(url.trim())) throw new Error("Enter a URL starting with http:// or https://.");
        const pages = maxPages.trim() ? Number(maxPages) : null;
        if (crawl && pages !== null && (!Number.isInteger(pages) || pages < 1 || pages > 1000))
          throw new Error("Max pages is a whole number from 1 to 1000.");
        return { ...base, type: "url", url: url.trim(), crawl, ...(crawl && pages ? { max_pages: pages } : {}) };
      }
      case "pdf": {
        if (!file) throw new Error("Choose a PDF file to upload.");
        const form = new FormData();
        form.set("tenant_id", tenantId);
        form.set("type", "pdf");
        if (title.trim()) form.set("title", title.trim());
        form.set("file", file, file.name);
        return form;
      }
      case "faq": {
        const filled = pairs.filter((p) => p.question.trim() || p.answer.trim());
        if (!filled.length) throw new Error("Add at least one question with its answer.");
        if (filled.some((p) => !p.question.trim() || !p.answer.trim()))
          throw new Error("Every question needs an answer, and every answer a question.");
        return { ...base, type: "faq", content: filled.map((p) => ({ question: p.question.trim(), answer: p.answer.trim() })) };
      }
      case "text":
        if (!text.trim()) throw new Error("Paste some text.");
        return { ...base, type: "text", content: text };
    }
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    let payload: unknown;
    try {
      payload = body();
    } catch (err) {
      setError(errorMessage(err));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const source = await api<Source>("/sources", { method: "POST", body: payload });
      toast.success("Source added — indexing has started");
      setOpen(false);
      reset();
      onAdded(source);
    } catch (err) {
      const message = errorMessage(err);
      setError(message);
      toast.error(message);
    } finally {
      setBusy(false);
    }
  }

  const updatePair = (id: number, change: Partial<Pair>) =>
    setPairs((list) => list.map((p) => (p.id === id ? { ...p, ...change } : p)));

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) reset();
      }}
    >
      <DialogTrigger asChild>
        <Button data-testid="source-add">
          <Plus /> Add source
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-2xl">
        <form onSubmit={submit} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Add knowledge source</DialogTitle>
            <DialogDescription>The assistant answers only from the tenant&apos;s sources.</DialogDescription>
          </DialogHeader>
          <Tabs value={tab} onValueChange={(value) => setTab(value as Tab)}>
            <TabsList className="w-full">
              <TabsTrigger value="url" data-testid="source-tab-url">
                <Globe /> URL
              </TabsTrigger>
              <TabsTrigger value="pdf" data-testid="source-tab-pdf">
                <FileText /> PDF
              </TabsTrigger>
              <TabsTrigger value="faq" data-testid="source-tab-faq">
                <HelpCircle /> FAQ
              </TabsTrigger>
              <TabsTrigger value="text" data-testid="source-tab-text">
                <Type /> Text
              </TabsTrigger>
            </TabsList>
            <Field label="Title" htmlFor="source-title" hint="Optional; shown to visitors with the answer's sources." className="mt-3">
              <Input id="source-title" data-testid="source-title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={300} />
            </Field>
            <TabsContent value="url" className="mt-3 grid gap-4">
              <Field label="URL" htmlFor="source-url">
                <Input
                  id="source-url"
                  data-testid="source-url"
                  type="url"
                  placeholder="https://example.com/help"
                  value={url}
                  onChange={(e) => setUrl(e.target.value)}
                />
              </Field>
              <div className="flex items-center gap-2">
                <Checkbox id="source-crawl" data-testid="source-crawl" checked={crawl} onCheckedChange={(v) => setCrawl(v === true)} />
                <Label htmlFor="source-crawl">Crawl the site (same host, robots.txt honoured)</Label>
              </div>
              {crawl && (
                <Field label="Max pages" htmlFor="source-max-pages" hint="Optional, 1–1000; the server caps it too.">
                  <Input
                    id="source-max-pages"
                    data-testid="source-max-pages"
                    type="number"
                    min={1}
                    max={1000}
                    value={maxPages}
                    onChange={(e) => setMaxPages(e.target.value)}
                  />
                </Field>
              )}
            </TabsContent>
            <TabsContent value="pdf" className="mt-3 grid gap-4">
              <Field label="PDF file" htmlFor="source-file" hint="Scanned PDFs without text cannot be read.">
                <Input
                  id="source-file"
                  data-testid="source-file"
                  type="file"
                  accept="application/pdf,.pdf"
                  onChange={(e) => setFile(e.target.files?.[0] ?? null)}
                />
              </Field>
            </TabsContent>
            <TabsContent value="faq" className="mt-3 grid gap-3">
              {pairs.map((pair, index) => (
                <div key={pair.id} className="grid gap-2 rounded-md border p-3" data-testid="faq-pair">
                  <div className="flex items-center justify-between">
                    <span className="text-muted-foreground text-xs font-medium">Pair {index + 1}</span>
                    <Button
                      type="button"
                      variant="ghost"
                      size="sm"
                      aria-label={`Remove pair ${index + 1}`}
                      data-testid="faq-remove-pair"
                      disabled={pairs.length === 1}
                      onClick={() => setPairs((list) => list.filter((p) => p.id !== pair.id))}
                    >
                      <Trash2 />
                    </Button>
                  </div>
                  <Input
                    aria-label={`Question ${index + 1}`}
                    placeholder="Question"
                    data-testid="faq-question"
                    value={pair.question}
                    onChange={(e) => updatePair(pair.id, { question: e.target.value })}
                  />
                  <Textarea
                    aria-label={`Answer ${index + 1}`}
                    placeholder="Answer"
                    data-testid="faq-answer"
                    rows={2}
                    value={pair.answer}
                    onChange={(e) => updatePair(pair.id, { answer: e.target.value })}
                  />
                </div>
              ))}
              <Button
                type="button"
                variant="outline"
                data-testid="faq-add-pair"
                onClick={() => setPairs((list) => [...list, newPair()])}
              >
                <Plus /> Add pair
              </Button>
            </TabsContent>
            <TabsContent value="text" className="mt-3 grid gap-4">
              <Field label="Text" htmlFor="source-text" hint="Markdown headings are understood.">
                <Textarea
                  id="source-text"
                  data-testid="source-text"
                  rows={10}
                  className="max-h-80"
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                />
              </Field>
            </TabsContent>
          </Tabs>
          {error && (
            <p role="alert" className="text-destructive text-sm">
              {error}
            </p>
          )}
          <DialogFooter>
            <Button type="button" variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" data-testid="source-submit" disabled={busy}>
              {busy && <Loader2 className="animate-spin" />}
              Add source
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
