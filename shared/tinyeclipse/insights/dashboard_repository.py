"""The outcome dashboard's SQL: every number computed from the stored conversations, messages and transitions.

docs/dashboard.md defines each number; the comments here say which rows make it. Preview conversations (the
admin panel's "Test your bot") count nowhere.
"""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from tinyeclipse.db import Connection

Interval = Literal["day", "week"]


def _bucket(column: str, interval: Interval | None) -> str:
    # None: one bucket for the whole period (the totals), labelled with its first day.
    if interval is None:
        return "%(first)s::date"
    return f"date_trunc('{interval}', {column} AT TIME ZONE 'UTC')::date"


def _query(interval: Interval | None) -> str:
    scope = "(%(tenant)s::uuid IS NULL OR {alias}.tenant_id = %(tenant)s)"
    series = (
        "SELECT %(first)s::date AS start"
        if interval is None
        else f"""SELECT generate_series(date_trunc('{interval}', %(first)s::date), %(last)s::date,
                                      interval '1 {interval}')::date AS start"""
    )
    return f"""
WITH buckets AS ({series}),
-- Conversations by the day they started; resolved: at least one knowledge answer, and no escalated answer,
-- no hand-off (to waiting or to a person) and no thumbs down.
started AS (
    SELECT {_bucket("c.created_at", interval)} AS start,
           count(*) AS conversations,
           count(*) FILTER (
               WHERE EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.role = 'assistant'
                               AND m.intent IS NULL AND NOT m.refused)
                 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id
                                   AND (m.escalated OR m.feedback = 'down'))
                 AND NOT EXISTS (SELECT 1 FROM conversation_transitions t WHERE t.conversation_id = c.id
                                   AND t.to_state IN ('waiting', 'human'))
           ) AS resolved,
           count(*) FILTER (
               WHERE EXISTS (SELECT 1 FROM conversation_transitions t WHERE t.conversation_id = c.id
                               AND t.to_state IN ('waiting', 'human'))
           ) AS handed_off
    FROM conversations c
    WHERE NOT c.preview AND {scope.format(alias="c")} AND c.created_at >= %(since)s AND c.created_at < %(until)s
    GROUP BY 1
),
-- Messages by the day they were written; answered and refused count knowledge answers (not small talk, not a
-- request for a person, not the quota's notice).
written AS (
    SELECT {_bucket("m.created_at", interval)} AS start,
           count(*) FILTER (WHERE m.role = 'user') AS visitor_messages,
           count(*) FILTER (WHERE m.role = 'assistant' AND m.intent IS NULL AND NOT m.refused) AS answered,
           count(*) FILTER (WHERE m.role = 'assistant' AND m.intent IS NULL AND m.refused) AS refused,
           count(*) FILTER (WHERE m.feedback = 'up') AS thumbs_up,
           count(*) FILTER (WHERE m.feedback = 'down') AS thumbs_down
    FROM messages m JOIN conversations c ON c.id = m.conversation_id AND NOT c.preview
    WHERE {scope.format(alias="m")} AND m.created_at >= %(since)s AND m.created_at < %(until)s
    GROUP BY 1
),
-- A hand-off (the conversation starts waiting for a person) and the team's first message after it.
handoffs AS (
    SELECT {_bucket("t.created_at", interval)} AS start,
           extract(epoch FROM (SELECT min(o.created_at) FROM messages o
                               WHERE o.conversation_id = t.conversation_id AND o.role = 'operator'
                                 AND o.created_at > t.created_at) - t.created_at) AS seconds
    FROM conversation_transitions t JOIN conversations c ON c.id = t.conversation_id AND NOT c.preview
    WHERE t.to_state = 'waiting' AND {scope.format(alias="t")}
      AND t.created_at >= %(since)s AND t.created_at < %(until)s
),
responses AS (
    SELECT start, percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS first_response_median_seconds,
           count(*) AS first_responses
    FROM handoffs WHERE seconds IS NOT NULL GROUP BY 1
)
SELECT b.start,
       COALESCE(s.conversations, 0) AS conversations, COALESCE(w.visitor_messages, 0) AS visitor_messages,
       COALESCE(w.answered, 0) AS answered, COALESCE(s.resolved, 0) AS resolved,
       COALESCE(s.handed_off, 0) AS handed_off, COALESCE(w.refused, 0) AS refused,
       COALESCE(w.thumbs_up, 0) AS thumbs_up, COALESCE(w.thumbs_down, 0) AS thumbs_down,
       r.first_response_median_seconds, COALESCE(r.first_responses, 0) AS first_responses
FROM buckets b
LEFT JOIN started s USING (start) LEFT JOIN written w USING (start) LEFT JOIN responses r USING (start)
ORDER BY b.start
"""


def outcomes(
    conn: Connection,
    *,
    tenant_id: UUID | None,
    first: date,
    last: date,
    since: datetime,
    until: datetime,
    interval: Interval | None,
) -> list[dict[str, Any]]:
    """One row per day or ISO week (Monday) from `first` to `last`, or one row for the period (interval None)."""
    return conn.execute(
        _query(interval),
        {"tenant": tenant_id, "first": first, "last": last, "since": since, "until": until},
    ).fetchall()
