export function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Mean of a list of numbers, or null for an empty list. */
export function mean(values: number[]): number | null {
  return values.length === 0 ? null : sum(values) / values.length;
}

/** Percentile of a list of numbers (nearest rank), or null for an empty list. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? null;
}

export function round(value: number | null, digits = 1): number | null {
  return value === null || !Number.isFinite(value) ? null : Math.round(value * 10 ** digits) / 10 ** digits;
}
