import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { readTableSync } from '@campaign-ml/ingest';
import { detectLeakage, dropLeaks } from './index';

const shared = path.resolve(__dirname, '../../../../../shared/data');
const file = path.join(shared, 'kickstarter', 'kickstarter.csv');
const hasShared = fs.existsSync(file);
const d = hasShared ? describe : describe.skip;

/** The study's CSV, read by ingest as the pipeline reads it. */
function readKickstarter(): aq.ColumnTable {
  return readTableSync(file);
}

const LEAKS = [
  'pledged',
  'usd_pledged',
  'backers_count',
  'spotlight',
  'state_changed_at',
  'state_changed_at_weekday',
  'state_changed_at_month',
  'state_changed_at_day',
  'state_changed_at_yr',
  'state_changed_at_hr',
];
const KNOWN_AT_LAUNCH = [
  'goal',
  'category',
  'main_category',
  'country',
  'currency',
  'launched_at',
  'deadline',
  'created_at',
  'deadline_weekday',
  'deadline_month',
  'deadline_day',
  'deadline_yr',
  'deadline_hr',
  'created_at_weekday',
  'created_at_month',
  'created_at_day',
  'created_at_yr',
  'created_at_hr',
  'launched_at_weekday',
  'launched_at_month',
  'launched_at_day',
  'launched_at_yr',
  'launched_at_hr',
  'staff_pick',
  'staff_pick.1',
  'video',
  'show_feature_image',
  'name_len',
  'name_len_clean',
  'blurb_len',
  'blurb_len_clean',
  'static_usd_rate',
  'disable_communication',
  'id',
  'name',
];

d('detectLeakage on Kickstarter (no hints)', () => {
  const all = hasShared ? readKickstarter() : aq.table({});
  const binary = hasShared
    ? all
        .params({ s: ['successful', 'failed'] })
        .filter((r: { state: string }, $: { s: string[] }) => aq.op.includes($.s, r.state))
    : all;
  const multi = hasShared ? all.filter((r: { state: string }) => r.state !== 'live') : all;

  it.each([
    ['binary', binary, 'binary' as const],
    ['multiclass', multi, 'multiclass' as const],
  ])('%s: flags every leak and nothing known at launch', (_label, table, task) => {
    const findings = detectLeakage(table, {
      target: 'state',
      task,
      positive: task === 'binary' ? 'successful' : undefined,
    });
    const flagged = findings.map((f) => f.column).sort();
    expect(flagged).toEqual([...LEAKS].sort());
    for (const col of KNOWN_AT_LAUNCH) expect(flagged).not.toContain(col);
    for (const f of findings) expect(f.reason.length).toBeGreaterThan(30);
    const byName = new Map(findings.map((f) => [f.column, f]));
    expect(byName.get('spotlight')!.kinds[0]).toBe('target-copy');
    expect(byName.get('pledged')!.kinds).toContain('ratio');
    expect(byName.get('backers_count')!.kinds).toContain('proxy');
    expect(byName.get('state_changed_at')!.kinds).toContain('after-event');
  });

  it('with the deadline as event time, state_changed_at is after it', () => {
    const findings = detectLeakage(binary, {
      target: 'state',
      task: 'binary',
      positive: 'successful',
      timeColumn: 'deadline',
    });
    const f = findings.find((x) => x.column === 'state_changed_at')!;
    expect(f.reason).toMatch(/after the event time "deadline"/);
    expect(dropLeaks(binary, findings).columnNames()).not.toContain('pledged');
  });
});
