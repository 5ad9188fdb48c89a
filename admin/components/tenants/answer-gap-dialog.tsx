"use client";

import { useState } from "react";
import { Loader2 } from "lucide-react";
import { toast } from "sonner";

import { Field } from "@/components/common";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { api, errorMessage } from "@/lib/api";
import type { GapAnswered, GapGroup } from "@/lib/types";

/** "Answer this": an FAQ pair pre-filled with the group's question; saving adds it to the tenant's FAQ. */
export function AnswerGapDialog({
  tenantId,
  group,
  onClose,
  onSaved,
}: {
  tenantId: string;
  group: GapGroup | null;
  onClose: () => void;
  onSaved: (saved: GapAnswered) => void;
}) {
  return (
    <Dialog open={group !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent className="sm:max-w-xl" data-testid="gap-answer-dialog">
        {group && <AnswerForm key={group.id} tenantId={tenantId} group={group} onSaved={onSaved} />}
      </DialogContent>
    </Dialog>
  );
}

function AnswerForm({
  tenantId,
  group,
  onSaved,
}: {
  tenantId: string;
  group: GapGroup;
  onSaved: (saved: GapAnswered) => void;
}) {
  const [question, setQuestion] = useState(group.question);
  const [answer, setAnswer] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await api<GapAnswered>(`/tenants/${tenantId}/gaps/answer`, {
        method: "POST",
        body: { question, answer, message_ids: group.message_ids },
      });
      toast.success(`Added to “${saved.source.title ?? "FAQ"}”: re-indexing`);
      onSaved(saved);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={save} className="grid gap-4">
      <DialogHeader>
        <DialogTitle>Answer this</DialogTitle>
        <DialogDescription>
          The pair is added to the tenant&apos;s FAQ and indexed again; the bot answers it from then on. The{" "}
          {group.count} question{group.count > 1 ? "s" : ""} of this group leave the gaps list.
        </DialogDescription>
      </DialogHeader>
      <Field label="Question" htmlFor="gap-question">
        <Input id="gap-question" data-testid="gap-answer-question" value={question} onChange={(e) => setQuestion(e.target.value)} required />
      </Field>
      <Field label="Answer" htmlFor="gap-answer" hint="Written as the bot should say it; Markdown is fine.">
        <Textarea
          id="gap-answer"
          data-testid="gap-answer-text"
          rows={6}
          value={answer}
          onChange={(e) => setAnswer(e.target.value)}
          required
          autoFocus
        />
      </Field>
      {error && (
        <p className="text-destructive text-sm" role="alert">
          {error}
        </p>
      )}
      <DialogFooter>
        <Button type="submit" data-testid="gap-answer-save" disabled={busy || !question.trim() || !answer.trim()}>
          {busy && <Loader2 className="animate-spin" />} Save to FAQ
        </Button>
      </DialogFooter>
    </form>
  );
}
