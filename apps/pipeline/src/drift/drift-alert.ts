import { InputError } from '@campaign-ml/core';
import type { DriftReport } from '@campaign-ml/drift';
import { driftedNames } from './drift-verdict';

/** A Slack-compatible message (incoming webhooks take `{ text, blocks? }`; other chat tools read `text`). */
export interface DriftAlertMessage {
  text: string;
  blocks: {
    type: 'section' | 'context';
    text?: { type: 'mrkdwn'; text: string };
    elements?: { type: 'mrkdwn'; text: string }[];
  }[];
}

const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : 'n/a');

/** The message for a drifted report: what drifted, by how much, and where the full report is. */
export function driftAlertMessage(report: DriftReport, context: { source: string; html?: string }): DriftAlertMessage {
  const names = driftedNames(report);
  const d = report.dataset;
  const text =
    `Drift in ${context.source} against bundle ${report.bundle.id}: ${names.length ? names.join(', ') : 'dataset'}` +
    ` (${d.driftedColumns} of ${d.columns} columns${d.drifted ? ', dataset drift' : ''}).`;
  const lines = report.columns
    .filter((c) => c.drifted)
    .slice(0, 10)
    .map((c) => {
      const unseen = c.unseen?.values?.length
        ? `; new: ${c.unseen.values
            .slice(0, 5)
            .map((v) => v.value)
            .join(', ')}`
        : '';
      return `• *${c.column}*: ${c.effect.name} ${fmt(c.effect.value)}, p ${c.pValue === null ? 'n/a' : fmt(c.pValue)}${unseen}`;
    });
  if (report.prediction?.drifted)
    lines.push(`• *prediction*: ${report.prediction.effect.name} ${fmt(report.prediction.effect.value)}`);
  const p = report.performance;
  if (p && p.status === 'estimated')
    for (const m of p.overall.alerts) {
      const b = p.overall.bounds![m];
      lines.push(`• *estimated ${m}*: ${fmt(p.overall.estimated[m])} outside ${fmt(b.lower)}–${fmt(b.upper)} (CBPE)`);
    }
  const blocks: DriftAlertMessage['blocks'] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  if (lines.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `${report.rows.compared} rows compared (${report.mode})${context.html ? `; report: ${context.html}` : ''}`,
      },
    ],
  });
  return { text, blocks };
}

/** POST the alert as JSON; a webhook that refuses it (non-2xx, unreachable) is an error naming the URL. */
export async function postDriftAlert(
  url: string,
  report: DriftReport,
  context: { source: string; html?: string },
  timeoutMs = 10_000,
): Promise<void> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new InputError('INVALID_OPTION', `--alert-webhook "${url}" is not a URL`, {
      column: '--alert-webhook',
      value: url,
    });
  }
  const body = JSON.stringify(driftAlertMessage(report, context));
  let res: Response;
  try {
    res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new InputError(
      'WEBHOOK_FAILED',
      `could not post the drift alert to ${target.origin}: ${(e as Error).message}`,
      {
        column: '--alert-webhook',
        value: target.origin,
      },
    );
  }
  if (!res.ok) {
    throw new InputError(
      'WEBHOOK_FAILED',
      `the drift alert webhook ${target.origin} answered ${res.status} ${res.statusText}`,
      {
        column: '--alert-webhook',
        value: res.status,
      },
    );
  }
}
