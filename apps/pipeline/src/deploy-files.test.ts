/**
 * deploy/compose.yaml and deploy/k8s/*.yaml cannot be run here (no Docker engine, no cluster), so
 * this checks what can be checked: every command they run parses as this CLI's command with its
 * flags (the real commander program, validators included), every environment variable they set is
 * one the code reads, the queue URLs and KEDA triggers name the Redis service and BullMQ's wait
 * lists of the queues the workers serve, paths sit on mounted volumes, and the Indexed Job has one
 * completion per partition.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { parse, parseAllDocuments } from 'yaml';
import { program } from './main';
import { DEFAULT_PREFIX, FOLDS_QUEUE, SCORE_QUEUE } from './queue/connection';

// report.html renders charts with Vega, an ES module jest cannot load (train.test.ts says the same).
jest.mock('./report/report', () => ({ renderReport: async () => '' }));

const ROOT = path.resolve(__dirname, '../../..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// merge: compose's `<<: *pipeline` (YAML 1.1 merge keys, which Docker Compose applies).
const compose = parse(read('deploy/compose.yaml'), { merge: true }) as Doc;
const k8s: { file: string; doc: Doc }[] = readdirSync(path.join(ROOT, 'deploy/k8s'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(read(`deploy/k8s/${file}`)).map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0].message}`);
      return { file, doc: d.toJS() as Doc };
    }),
  );
const kind = (k: string) => k8s.filter((x) => x.doc.kind === k);
const named = (k: string, name: string) => {
  const found = k8s.find((x) => x.doc.kind === k && x.doc.metadata?.name === name);
  if (!found) throw new Error(`no ${k} named ${name} in deploy/k8s`);
  return found.doc;
};

/** Parse argv with the real CLI, every action replaced: unknown flags, bad values and missing required options throw. */
async function parseCli(args: string[]): Promise<{ command: string; options: Record<string, unknown> }> {
  const cli = program();
  const errors: string[] = [];
  let seen: { command: string; options: Record<string, unknown> } | undefined;
  const quiet = (c: Command) =>
    c.exitOverride().configureOutput({ writeErr: (s) => void errors.push(s), writeOut: () => undefined });
  quiet(cli);
  for (const c of cli.commands) {
    quiet(c);
    c.action((options: Record<string, unknown>, cmd: Command) => {
      seen = { command: cmd.name(), options };
    });
  }
  const names = cli.commands.map((c) => c.name());
  if (!names.includes(args[0])) throw new Error(`"${args[0]}" is not a pipeline command (${names.join(', ')})`);
  try {
    await cli.parseAsync(args, { from: 'user' });
  } catch (e) {
    throw new Error(`pipeline ${args.join(' ')}: ${errors.join(' ') || (e as Error).message}`);
  }
  return seen!;
}

/** Environment variables the code reads (process.env.X, env.X, env['X']), from the sources of `dirs`. */
function envRead(dirs: string[]): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts'))
        for (const m of readFileSync(p, 'utf8').matchAll(/\benv(?:\.([A-Z][A-Z0-9_]+)|\[['"]([A-Z][A-Z0-9_]+)['"]\])/g))
          names.add(m[1] ?? m[2]);
    }
  };
  for (const d of dirs) walk(path.join(ROOT, d));
  return names;
}
const NODE_ENV_VARS = ['NODE_ENV', 'NODE_OPTIONS'];
const pipelineEnv = envRead([
  'apps/pipeline/src',
  ...readdirSync(path.join(ROOT, 'packages')).map((p) => `packages/${p}/src`),
]);
/** The API reads its settings in config.ts through int('NAME') or env.NAME; ENV_HELP lists them. */
const apiConfig = read('apps/api/src/config.ts');
const apiEnv = new Set([
  ...[...apiConfig.matchAll(/\b(?:int|env\.)\(?['"]?([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]),
  ...envRead(['apps/api/src']),
]);

const isPipelineImage = (image: unknown) => typeof image === 'string' && image.startsWith('campaign-ml/pipeline');
const flagValue = (args: string[], flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
/** Absolute paths among the arguments must lie on a mounted volume (data travels by path). */
const unmounted = (args: string[], mounts: string[]) =>
  args.filter((a) => a.startsWith('/') && !mounts.some((m) => a === m || a.startsWith(`${m}/`)));

describe('deploy/compose.yaml', () => {
  const services = compose.services as Record<string, Doc>;
  const pipelineServices = Object.entries(services).filter(([, s]) => isPipelineImage(s.image));

  it('has Redis, N workers and the API, built from Dockerfiles that exist', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['redis', 'worker', 'api', 'train', 'score']));
    expect(String(services.worker.deploy.replicas)).toMatch(/^\$\{WORKERS:-\d+\}$/);
    for (const s of Object.values(services).filter((x) => x.build)) {
      const context = path.resolve(ROOT, 'deploy', s.build.context);
      expect(context).toBe(ROOT);
      expect(existsSync(path.join(context, s.build.dockerfile))).toBe(true);
    }
    const entry = /ENTRYPOINT \["node", "--import", "tsx", "([^"]+)"\]/.exec(read('apps/pipeline/Dockerfile'));
    expect(entry && existsSync(path.join(ROOT, entry[1]))).toBe(true);
  });

  it("starts the API image's server with node flags this Node accepts, on the file tsup builds", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(read('apps/api/Dockerfile'));
    const argv = JSON.parse(cmd![1]) as string[];
    expect(argv[0]).toBe('node');
    expect(argv[argv.length - 1]).toBe('dist/main.js');
    expect(read('apps/api/tsup.config.mjs')).toMatch(/main/);
    // A flag Node or V8 does not know would stop the container at start: run it here.
    const flags = argv.slice(1, -1);
    expect(flags).toContain('--single-threaded-gc');
    const run = spawnSync(process.execPath, [...flags, '-e', '0'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it.each(pipelineServices.map(([name, s]) => [name, s]))(
    '%s runs a pipeline command with flags the CLI has, against the redis service, on mounted paths',
    async (_name, s) => {
      const args = (s.command as unknown[]).map(String);
      await parseCli(args);
      const queue = flagValue(args, '--queue');
      if (queue) {
        const u = new URL(queue);
        expect(services[u.hostname]?.image).toMatch(/^redis:/);
        expect(u.port).toBe('6379');
      }
      const mounts = (s.volumes as string[]).map((v) => v.split(':')[1]);
      expect(unmounted(args, mounts)).toEqual([]);
      for (const k of Object.keys(s.environment ?? {})) expect([...pipelineEnv, ...NODE_ENV_VARS]).toContain(k);
    },
  );

  it('workers and coordinators share the queue prefix; the API is given only settings it reads', () => {
    const prefixes = pipelineServices
      .map(([, s]) => (s.command as string[]).map(String))
      .filter((a) => a.includes('--queue'))
      .map((a) => flagValue(a, '--queue-prefix') ?? DEFAULT_PREFIX);
    expect(new Set(prefixes).size).toBe(1);
    for (const k of Object.keys(services.api.environment)) expect([...apiEnv, ...NODE_ENV_VARS]).toContain(k);
    expect(services.api.environment.MODEL_PATH).toBe('/models/bundle.json');
    // The bundle `train --publish` writes is the one the API serves, through the same volume.
    const train = (services.train.command as string[]).map(String);
    expect(flagValue(train, '--publish')).toBe(services.api.environment.MODEL_PATH);
    expect(services.api.volumes).toContain('models:/models:ro');
  });
});

describe('deploy/k8s', () => {
  const containers = k8s.flatMap(({ file, doc }) =>
    ((doc.spec?.template?.spec?.containers ?? []) as Doc[]).map((c) => ({ file, doc, c })),
  );
  const redis = named('Service', 'redis');
  const redisPort = String(redis.spec.ports[0].port);

  it('every pipeline container runs a CLI command with its flags, on mounted paths, with env the code reads', async () => {
    const pipeline = containers.filter((x) => isPipelineImage(x.c.image));
    expect(pipeline.length).toBeGreaterThanOrEqual(4);
    for (const { file, doc, c } of pipeline) {
      const args = (c.args as unknown[]).map(String).map((a) => (a === '$(PART)' ? '0' : a));
      await parseCli(args);
      const mounts = ((c.volumeMounts ?? []) as Doc[]).map((m) => m.mountPath as string);
      expect({ file, unmounted: unmounted(args, mounts) }).toEqual({ file, unmounted: [] });
      for (const e of (c.env ?? []) as Doc[])
        if (e.name !== 'PART') expect([...pipelineEnv, ...NODE_ENV_VARS]).toContain(e.name);
      const queue = flagValue(args, '--queue');
      if (queue) expect(new URL(queue)).toMatchObject({ hostname: redis.metadata.name, port: redisPort });
      const claims = ((doc.spec.template.spec.volumes ?? []) as Doc[]).map((v) => v.persistentVolumeClaim?.claimName);
      for (const claim of claims)
        expect(named('PersistentVolumeClaim', claim).spec.accessModes).toContain('ReadWriteMany');
    }
  });

  it('the API container is given only settings the API reads', () => {
    const api = containers.filter((x) => String(x.c.image).startsWith('campaign-ml/api'));
    expect(api).toHaveLength(1);
    for (const e of api[0].c.env as Doc[]) expect([...apiEnv, ...NODE_ENV_VARS]).toContain(e.name);
  });

  it("KEDA scales the worker Deployment on BullMQ's wait lists of the queues it serves, in the Redis it uses", () => {
    const [so] = kind('ScaledObject');
    const worker = named('Deployment', so.doc.spec.scaleTargetRef.name);
    const args = (worker.spec.template.spec.containers[0].args as unknown[]).map(String);
    expect(args[0]).toBe('worker');
    const prefix = flagValue(args, '--queue-prefix') ?? DEFAULT_PREFIX;
    const triggers = so.doc.spec.triggers as Doc[];
    expect(triggers.every((t) => t.type === 'redis')).toBe(true);
    expect(triggers.map((t) => t.metadata.listName).sort()).toEqual(
      [FOLDS_QUEUE, SCORE_QUEUE].map((q) => `${prefix}:${q}:wait`).sort(),
    );
    for (const t of triggers) {
      const [host, port] = String(t.metadata.address).split(':');
      expect(host.split('.')[0]).toBe(redis.metadata.name);
      expect(host.split('.')[1] ?? redis.metadata.namespace).toBe(redis.metadata.namespace);
      expect(port).toBe(redisPort);
      expect(Number(t.metadata.listLength)).toBeGreaterThanOrEqual(1);
    }
    expect(so.doc.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
  });

  it('the Indexed Job has one completion per partition, each pod scoring the part of its index; the join job plans the same run', async () => {
    const job = named('Job', 'campaign-ml-score-parts');
    expect(job.spec.completionMode).toBe('Indexed');
    const c = job.spec.template.spec.containers[0];
    const args = (c.args as unknown[]).map(String);
    expect(Number(flagValue(args, '--partitions'))).toBe(job.spec.completions);
    expect(job.spec.parallelism).toBeLessThanOrEqual(job.spec.completions);
    expect(flagValue(args, '--part')).toBe('$(PART)');
    expect((c.env as Doc[]).find((e) => e.name === 'PART')?.valueFrom.fieldRef.fieldPath).toBe(
      "metadata.annotations['batch.kubernetes.io/job-completion-index']",
    );
    expect(args).not.toContain('--queue');
    for (let i = 0; i < job.spec.completions; i++) {
      const parsed = await parseCli(args.map((a) => (a === '$(PART)' ? String(i) : a)));
      expect(parsed.options).toMatchObject({ part: i, partitions: job.spec.completions });
    }
    const join = (named('Job', 'campaign-ml-score-join').spec.template.spec.containers[0].args as unknown[]).map(
      String,
    );
    const i = args.indexOf('--part');
    expect(join).toEqual([...args.slice(0, i), ...args.slice(i + 2)]);
  });

  it('kustomization.yaml lists files that exist', () => {
    const k = parse(read('deploy/k8s/kustomization.yaml')) as Doc;
    for (const r of k.resources as string[]) expect(existsSync(path.join(ROOT, 'deploy/k8s', r))).toBe(true);
  });
});
