// What each part of @manifold/kafkajs-protocol saves against upstream kafkajs 2.2.4, in CPU µs
// per message, on a producer's path and a consumer's (bench/workload.mjs). KAFKAJS_UPSTREAM names
// an unpacked kafkajs 2.2.4 (`npm pack kafkajs@2.2.4`, then untar it). Trees: upstream, all of
// this package, and all of it but one part (what that part saves). All trees are loaded in this
// one process and measured in interleaved rounds, so a busy machine slows them alike; each figure
// is the median of its rounds. ROUNDS (default 15) sets how many.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { partWork } from './parts.mjs';
import { SEND, workload } from './workload.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const packageDir = path.resolve(here, '..');
const upstream = process.env.KAFKAJS_UPSTREAM;
if (!upstream || !fs.existsSync(path.join(upstream, 'src/protocol/encoder.js'))) {
  console.error('set KAFKAJS_UPSTREAM to an unpacked kafkajs 2.2.4 directory');
  process.exit(2);
}
const version = JSON.parse(fs.readFileSync(path.join(upstream, 'package.json'), 'utf8')).version;
if (version !== '2.2.4') throw new Error(`KAFKAJS_UPSTREAM is kafkajs ${version}, not 2.2.4`);
const rounds = Number(process.env.ROUNDS ?? 15);

const files = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : entry.name.endsWith('.js') ? [full] : [];
  });
const parts = files(path.join(packageDir, 'src')).map((file) => path.relative(packageDir, file));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'kafkajs-trees-'));

/** This package's own dependencies (not kafkajs), resolved from it: a tree in the scratch folder cannot. */
const requireHere = createRequire(path.join(packageDir, 'package.json'));

/**
 * A copy of upstream with `replaced` taken from this package (its `kafkajs/src/...` requires made
 * relative, those of this package's other dependencies absolute).
 */
function tree(name, replaced) {
  const dir = path.join(scratch, name);
  fs.cpSync(upstream, dir, { recursive: true });
  for (const part of replaced) {
    const text = fs
      .readFileSync(path.join(packageDir, part), 'utf8')
      .replace(/require\('kafkajs\/(src\/[^']+)'\)/g, (_, target) => {
        let relative = path.relative(path.dirname(part), target);
        if (!relative.startsWith('.')) relative = `./${relative}`;
        return `require('${relative}')`;
      })
      .replace(/require\('(@[^/']+\/[^/']+|[^./'][^/']*)'\)/g, (whole, name) =>
        name === 'kafkajs' ? whole : `require(${JSON.stringify(requireHere.resolve(name))})`,
      );
    fs.writeFileSync(path.join(dir, part), text);
  }
  return dir;
}

async function cpuPerMessage(fn, calls) {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / (calls * SEND);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  const trees = [
    { label: 'upstream kafkajs 2.2.4', dir: tree('upstream', []) },
    { label: 'all of @manifold/kafkajs-protocol', dir: tree('all', parts) },
    ...parts.map((part, i) => ({
      label: `all but ${part}`,
      dir: tree(
        `but-${i}`,
        parts.filter((p) => p !== part),
      ),
    })),
  ];
  for (const t of [...trees]) {
    try {
      Object.assign(t, await workload(t.dir), { produceUs: [], decodeUs: [] });
    } catch (error) {
      // Some parts rely on each other (the produce request writes with the encoder's sizing).
      console.log(`${t.label}: not measured, the other parts need it (${error.message})`);
      trees.splice(trees.indexOf(t), 1);
    }
  }
  const sizes = new Set(trees.map((t) => t.requestBytes));
  if (sizes.size !== 1) throw new Error(`the trees' produce requests differ in size: ${[...sizes].join(', ')}`);
  for (const t of trees) {
    for (let i = 0; i < 5; i++) {
      await t.produce(); // warm-up
      await t.decode();
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const t of trees) {
      t.produceUs.push(await cpuPerMessage(t.produce, 8));
      t.decodeUs.push(await cpuPerMessage(t.decode, 8));
    }
  }
  console.log(
    `${'tree'.padEnd(58)} ${'produce'.padStart(8)} ${'decode'.padStart(8)}   (CPU µs per message, median of ${rounds})`,
  );
  for (const t of trees) {
    const row = [median(t.produceUs), median(t.decodeUs)].map((v) => v.toFixed(2).padStart(8)).join(' ');
    console.log(`${t.label.padEnd(58)} ${row}`);
  }
  // Each part's own work (bench/parts.mjs): with every part, and without this one.
  const all = trees[1];
  const withAll = partWork(all.dir);
  console.log(
    `\n${'part'.padEnd(58)} ${'without'.padStart(8)} ${'with'.padStart(8)}   (CPU µs per message, its own work)`,
  );
  for (const [part, work] of Object.entries(withAll)) {
    const tree = trees.find((t) => t.label === `all but ${part}`);
    if (!tree) continue; // a part this package no longer has
    const without = partWork(tree.dir)[part];
    const times = { without: [], with: [] };
    for (let i = 0; i < 20; i++) {
      work(); // warm-up
      without();
    }
    for (let round = 0; round < rounds; round++) {
      times.without.push(await cpuPerMessage(without, 20));
      times.with.push(await cpuPerMessage(work, 20));
    }
    const row = [median(times.without), median(times.with)].map((v) => v.toFixed(3).padStart(8)).join(' ');
    console.log(`${part.padEnd(58)} ${row}`);
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
