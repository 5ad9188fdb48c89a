"use client";

import { useSyncExternalStore } from "react";
import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

const noop = () => () => {};

export function embedSnippet(origin: string, tenantId: string): string {
  return `<script src="${origin}/widget/v1/widget.js" data-tenant="${tenantId}" data-position="bottom-right" async></script>`;
}

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // http:// on a non-localhost address has no Clipboard API: fall back to a hidden textarea.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy failed");
}

export function EmbedSnippet({ tenantId }: { tenantId: string }) {
  const origin = useSyncExternalStore(noop, () => window.location.origin, () => "");
  const [copied, setCopied] = useState(false);
  const snippet = embedSnippet(origin, tenantId);

  return (
    <Card className="gap-4">
      <CardHeader>
        <CardTitle>Embed code</CardTitle>
        <CardDescription>Paste this before &lt;/body&gt; on the client&apos;s site.</CardDescription>
        <CardAction>
          <Button
            variant="outline"
            size="sm"
            data-testid="embed-copy"
            onClick={async () => {
              try {
                await copyText(snippet);
                setCopied(true);
                toast.success("Embed code copied");
                setTimeout(() => setCopied(false), 2000);
              } catch {
                toast.error("Could not copy: select the code and copy it by hand.");
              }
            }}
          >
            {copied ? <Check /> : <Copy />}
            {copied ? "Copied" : "Copy"}
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent>
        <pre
          data-testid="embed-snippet"
          className="bg-muted overflow-x-auto rounded-md p-3 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap select-all"
        >
          {snippet}
        </pre>
      </CardContent>
    </Card>
  );
}
