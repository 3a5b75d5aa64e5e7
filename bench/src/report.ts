import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Row {
  scenario: string;
  figure: string;
  value: number | null;
  unit: string;
  baseline?: { name: string; value: number | null };
  ratio?: number | null;
  target?: string;
  met?: boolean | null;
}

export interface Report {
  mode: 'full' | 'quick';
  startedAt: string;
  machine: { cores: number; cpu: string; memoryGiB: number; node: string; postgres: string; redis: string };
  rows: Row[];
  peakRssMiB: Record<string, Record<string, number | null>>;
  notes: string[];
}

const show = (value: number | null | undefined, unit = '') =>
  value === null || value === undefined ? 'n/a' : `${value}${unit ? ` ${unit}` : ''}`;

export function markdown(report: Report): string {
  const lines = [
    `# stockstream benchmark (${report.mode})`,
    '',
    `${report.startedAt} · ${report.machine.cores} cores (${report.machine.cpu}) · ${report.machine.memoryGiB} GiB · Node ${report.machine.node} · ${report.machine.postgres} · Redis ${report.machine.redis}`,
    '',
    '| scenario | figure | value | baseline | ratio | target | met |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...report.rows.map(
      (row) =>
        `| ${row.scenario} | ${row.figure} | ${show(row.value, row.unit)} | ${row.baseline ? `${row.baseline.name}: ${show(row.baseline.value, row.unit)}` : ''} | ${show(row.ratio)} | ${row.target ?? ''} | ${row.met === undefined ? '' : row.met === null ? 'n/a' : row.met ? 'yes' : 'no'} |`,
    ),
    '',
    '## Peak RSS (MiB)',
    '',
    '| scenario | process | peak RSS |',
    '| --- | --- | --- |',
    ...Object.entries(report.peakRssMiB).flatMap(([scenario, processes]) =>
      Object.entries(processes).map(([name, value]) => `| ${scenario} | ${name} | ${show(value)} |`),
    ),
    '',
    ...(report.notes.length ? ['## Notes', '', ...report.notes.map((note) => `- ${note}`), ''] : []),
  ];
  return lines.join('\n');
}

export function writeReport(report: Report, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'results.md'), `${markdown(report)}\n`);
}

export function machine(postgres: string, redis: string): Report['machine'] {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres,
    redis,
  };
}
