"use client";

import { useEffect } from "react";
import { useRouter } from "next/navigation";

import { useAdminKey } from "@/lib/auth";

/** /admin/: straight to the tenants, or to sign-in without a key. */
export default function Home() {
  const router = useRouter();
  const key = useAdminKey();
  useEffect(() => {
    if (key === undefined) return;
    router.replace(key ? "/tenants/" : "/signin/");
  }, [key, router]);
  return null;
}
