/**
 * A unique constraint refused the row: Prisma's P2002 from a model query, or Postgres' own 23505 from pg
 * (the hot paths that go straight to the pool).
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'P2002' || code === '23505';
}
