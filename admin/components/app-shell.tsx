"use client";

import { useEffect, useState } from "react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { BarChart3, Building2, Gauge, Inbox, LogOut, Menu, MessageSquareText, MessagesSquare, ScrollText, X } from "lucide-react";

import { ThemeToggle } from "@/components/theme-toggle";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { signOut, useAdminKey } from "@/lib/auth";
import { cn } from "@/lib/utils";

const NAV = [
  { href: "/tenants/", label: "Tenants", icon: Building2, testId: "nav-tenants" },
  { href: "/inbox/", label: "Inbox", icon: Inbox, testId: "nav-inbox" },
  { href: "/conversations/", label: "Conversations", icon: MessagesSquare, testId: "nav-conversations" },
  { href: "/dashboard/", label: "Outcomes", icon: Gauge, testId: "nav-dashboard" },
  { href: "/usage/", label: "Usage", icon: BarChart3, testId: "nav-usage" },
  { href: "/audit/", label: "Audit log", icon: ScrollText, testId: "nav-audit" },
];

function isActive(pathname: string, href: string): boolean {
  const base = href.replace(/\/$/, "");
  return pathname === base || pathname.startsWith(`${base}/`);
}

function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  return (
    <nav className="grid gap-1 p-3" aria-label="Main">
      {NAV.map(({ href, label, icon: Icon, testId }) => {
        const active = isActive(pathname, href);
        return (
          <Link
            key={href}
            href={href}
            data-testid={testId}
            onClick={onNavigate}
            aria-current={active ? "page" : undefined}
            className={cn(
              "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors",
              active ? "bg-primary/10 text-primary" : "text-muted-foreground hover:bg-accent hover:text-foreground",
            )}
          >
            <Icon className="size-4" />
            {label}
          </Link>
        );
      })}
    </nav>
  );
}

function Brand() {
  return (
    <Link href="/tenants/" className="flex items-center gap-2 font-semibold">
      <span className="bg-primary text-primary-foreground flex size-7 items-center justify-center rounded-md">
        <MessageSquareText className="size-4" />
      </span>
      TinyEclipse
    </Link>
  );
}

export function AppShell({ children }: { children: React.ReactNode }) {
  const key = useAdminKey();
  const router = useRouter();
  const pathname = usePathname();
  const [openPath, setOpenPath] = useState<string | null>(null);
  // The mobile drawer closes itself when the route changes.
  const mobileOpen = openPath === pathname;

  useEffect(() => {
    if (key === null) router.replace("/signin/");
  }, [key, router]);

  if (!key) {
    return (
      <div className="flex min-h-svh">
        <div className="bg-sidebar hidden w-60 border-r md:block" />
        <div className="flex-1 space-y-4 p-6">
          <Skeleton className="h-8 w-48" />
          <Skeleton className="h-40 w-full" />
        </div>
      </div>
    );
  }

  return (
    <div className="flex min-h-svh">
      {/* One sidebar for every width (so each nav test id exists once): a drawer below md. */}
      {mobileOpen && <div className="fixed inset-0 z-40 bg-black/50 md:hidden" aria-hidden onClick={() => setOpenPath(null)} />}
      <aside
        id="sidebar"
        className={cn(
          "bg-sidebar text-sidebar-foreground border-sidebar-border fixed inset-y-0 left-0 z-50 flex w-64 shrink-0 flex-col border-r shadow-lg transition-transform md:sticky md:top-0 md:z-auto md:h-svh md:w-60 md:translate-x-0 md:shadow-none",
          mobileOpen ? "translate-x-0" : "-translate-x-full max-md:invisible",
        )}
      >
        <div className="flex h-14 items-center justify-between border-b px-4">
          <Brand />
          <Button variant="ghost" size="icon" className="md:hidden" aria-label="Close navigation" onClick={() => setOpenPath(null)}>
            <X />
          </Button>
        </div>
        <NavLinks onNavigate={() => setOpenPath(null)} />
      </aside>

      <div className="flex min-w-0 flex-1 flex-col">
        <header className="bg-background/80 supports-[backdrop-filter]:bg-background/60 sticky top-0 z-30 flex h-14 items-center gap-2 border-b px-4 backdrop-blur">
          <Button
            variant="ghost"
            size="icon"
            className="md:hidden"
            aria-label="Open navigation"
            aria-controls="sidebar"
            aria-expanded={mobileOpen}
            data-testid="nav-open"
            onClick={() => setOpenPath(pathname)}
          >
            <Menu />
          </Button>
          <div className="md:hidden">
            <Brand />
          </div>
          <div className="flex-1" />
          <ThemeToggle />
          <Button
            variant="outline"
            size="sm"
            data-testid="signout"
            onClick={() => {
              signOut();
              router.replace("/signin/");
            }}
          >
            <LogOut />
            <span className="hidden sm:inline">Sign out</span>
          </Button>
        </header>
        <main className="mx-auto w-full max-w-7xl flex-1 p-4 md:p-6">{children}</main>
      </div>
    </div>
  );
}
