interface Answer {
  status: number;
  headers: Record<string, string>;
  type: string;
  body: unknown;
}

/** Each answer, in turn, is a 503 problem with Retry-After that says nothing of where the dependency lives. */
export async function expectEachUnavailable(calls: (Answer | PromiseLike<Answer>)[]): Promise<void> {
  for (const call of calls) {
    const res = await call;
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: expect.stringContaining('/unavailable'), detail: expect.not.stringContaining('127.0.0.1') });
  }
}
