"use client";

import { ConversationList } from "@/components/conversations/conversation-list";

export default function InboxPage() {
  return <ConversationList inbox />;
}
