"use client";

import { Gauge } from "lucide-react";

import { EmptyState } from "@/components/common";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { CalibrationBucket, CalibrationReport, CalibrationStats } from "@/lib/types";
import { useApi } from "@/lib/use-api";
import { cn, formatNumber } from "@/lib/utils";

const rate = (value: number | null) => (value === null ? "—" : `${(value * 100).toFixed(0)}%`);
const score = (value: number) => value.toFixed(2);

function counts(stats: CalibrationStats): string {
  const wrong = stats.judged ? `, ${formatNumber(stats.wrong)} judged wrong (${rate(stats.wrong_rate)})` : "";
  return `${formatNumber(stats.answers)} answers, ${formatNumber(stats.judged)} rated${wrong}`;
}

/** Whether the escalate threshold falls in this bucket (the last one includes 1.0). */
function holdsThreshold(bucket: CalibrationBucket, threshold: number, last: boolean): boolean {
  return bucket.low <= threshold && (threshold < bucket.high || (last && threshold <= bucket.high));
}

/**
 * The tenant's calibration report: how often its answers were judged wrong at each confidence, from its own
 * visitors' thumbs and operators' replies, and a suggested escalate threshold once enough answers are rated.
 * Read-only: nothing here changes the tenant's settings.
 */
export function CalibrationPanel({ tenantId }: { tenantId: string }) {
  const { data: report, error } = useApi<CalibrationReport>(`/tenants/${tenantId}/calibration`);

  if (!report) {
    return error ? (
      <EmptyState icon={Gauge} title="The calibration report could not be loaded" description={error.detail} />
    ) : (
      <Skeleton className="h-96 w-full" />
    );
  }

  const threshold = report.escalate_threshold;
  const suggested = report.suggested_escalate_threshold;
  return (
    <div className="grid items-start gap-6 lg:grid-cols-3" data-testid="calibration">
      <Card className="lg:col-span-2">
        <CardHeader>
          <CardTitle>How often answers were wrong, by confidence</CardTitle>
          <CardDescription>
            From this tenant&apos;s own rated answers: a visitor&apos;s thumbs down, or an operator who had to step in,
            counts as wrong; a thumbs up, or a conversation closed without an operator, as right.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Confidence</TableHead>
                <TableHead className="text-right">Answers</TableHead>
                <TableHead className="text-right">Rated</TableHead>
                <TableHead className="text-right">Wrong</TableHead>
                <TableHead className="w-1/3">Wrong rate</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {report.buckets.map((bucket, index) => {
                const here = holdsThreshold(bucket, threshold, index === report.buckets.length - 1);
                return (
                  <TableRow
                    key={bucket.low}
                    data-testid="calibration-bucket"
                    data-low={bucket.low}
                    className={cn(bucket.low >= threshold && "bg-muted/40")}
                  >
                    <TableCell className="tabular-nums">
                      {score(bucket.low)}–{score(bucket.high)}
                      {here && (
                        <Badge variant="info" className="ml-2">
                          threshold {score(threshold)}
                        </Badge>
                      )}
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{formatNumber(bucket.answers)}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatNumber(bucket.judged)}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatNumber(bucket.wrong)}</TableCell>
                    <TableCell>
                      <div className="flex items-center gap-2">
                        <div className="bg-muted h-2 flex-1 overflow-hidden rounded" aria-hidden>
                          <div
                            className="bg-destructive h-full rounded"
                            style={{ width: `${Math.round((bucket.wrong_rate ?? 0) * 100)}%` }}
                          />
                        </div>
                        <span className="w-10 text-right text-xs tabular-nums">{rate(bucket.wrong_rate)}</span>
                      </div>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Escalate threshold</CardTitle>
          <CardDescription>
            Answers below it are handed to your team. Nothing here is changed automatically: to use a suggestion, set
            the escalate threshold in the tenant&apos;s settings.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4 text-sm">
          <div>
            <p className="text-muted-foreground">Current threshold</p>
            <p className="text-2xl font-semibold tabular-nums">{score(threshold)}</p>
          </div>
          <div data-testid="calibration-above">
            <p className="text-muted-foreground">Above your threshold</p>
            <p>{counts(report.above_threshold)}</p>
          </div>
          <div data-testid="calibration-suggested" data-suggested={suggested ?? ""}>
            <p className="text-muted-foreground">Suggested threshold</p>
            {suggested === null ? (
              <p>
                Not enough rated answers yet ({formatNumber(report.judged)} of {formatNumber(report.min_judged)}).
              </p>
            ) : (
              <p className="text-2xl font-semibold tabular-nums">{score(suggested)}</p>
            )}
          </div>
          <p className="text-muted-foreground" data-testid="calibration-explanation">
            {report.explanation}
          </p>
        </CardContent>
      </Card>
    </div>
  );
}
