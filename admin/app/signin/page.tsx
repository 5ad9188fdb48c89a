"use client";

import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { KeyRound, Loader2, MessageSquareText } from "lucide-react";

import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { ThemeToggle } from "@/components/theme-toggle";
import { API_BASE } from "@/lib/api";
import { KEY_REJECTED, setKey, takeNotice, useAdminKey } from "@/lib/auth";

export default function SignInPage() {
  const router = useRouter();
  const key = useAdminKey();
  const [value, setValue] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const notice = key === null ? takeNotice() : null;

  useEffect(() => {
    if (key) router.replace("/tenants/");
  }, [key, router]);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const candidate = value.trim();
    if (!candidate) {
      setError("Paste the admin API key.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      // Check the key before keeping it: one cheap authenticated read.
      const response = await fetch(`${API_BASE}/tenants?limit=1`, {
        headers: { Authorization: `Bearer ${candidate}`, Accept: "application/json" },
        cache: "no-store",
      });
      if (response.status === 401 || response.status === 403) {
        setError(KEY_REJECTED);
        return;
      }
      if (!response.ok) {
        let detail = `The API answered HTTP ${response.status}.`;
        try {
          const body = (await response.json()) as { detail?: unknown };
          if (typeof body.detail === "string") detail = body.detail;
        } catch {
          /* not JSON */
        }
        setError(detail);
        return;
      }
      setKey(candidate);
      router.replace("/tenants/");
    } catch {
      setError("The API could not be reached. Is the server running?");
    } finally {
      setBusy(false);
    }
  }

  const message = error ?? notice;
  return (
    <main className="bg-muted/40 flex min-h-svh items-center justify-center p-4">
      <div className="absolute top-4 right-4">
        <ThemeToggle />
      </div>
      <Card className="w-full max-w-sm">
        <CardHeader>
          <div className="bg-primary text-primary-foreground mb-2 flex size-10 items-center justify-center rounded-lg">
            <MessageSquareText className="size-5" />
          </div>
          <CardTitle className="text-xl">TinyEclipse Admin</CardTitle>
          <CardDescription>Sign in with the operator&apos;s admin API key. It is kept in this tab only.</CardDescription>
        </CardHeader>
        <CardContent>
          <form onSubmit={submit} className="grid gap-4" noValidate>
            <div className="grid gap-2">
              <Label htmlFor="signin-key">Admin API key</Label>
              <Input
                id="signin-key"
                data-testid="signin-key"
                type="password"
                autoComplete="off"
                autoFocus
                value={value}
                onChange={(e) => setValue(e.target.value)}
                aria-invalid={message ? true : undefined}
                aria-describedby={message ? "signin-error" : undefined}
              />
            </div>
            {message && (
              <p id="signin-error" role="alert" data-testid="signin-error" className="text-destructive text-sm">
                {message}
              </p>
            )}
            <Button type="submit" data-testid="signin-submit" disabled={busy}>
              {busy ? <Loader2 className="animate-spin" /> : <KeyRound />}
              Sign in
            </Button>
          </form>
        </CardContent>
      </Card>
    </main>
  );
}
