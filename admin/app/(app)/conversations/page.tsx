"use client";

import { Suspense } from "react";
import { useSearchParams } from "next/navigation";

import { ConversationList } from "@/components/conversations/conversation-list";

function WithParams() {
  const params = useSearchParams();
  const tenant = params.get("tenant_id") ?? "";
  return <ConversationList key={tenant} inbox={false} initialTenant={tenant} />;
}

export default function ConversationsPage() {
  return (
    <Suspense>
      <WithParams />
    </Suspense>
  );
}
