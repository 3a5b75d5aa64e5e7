import type { Request } from 'express';

/** The route a request matched, as written ("/api/products/:id"), not its path; "unmatched" when none did. */
export function routeTemplate(req: Request): string {
  if (req.route?.path === undefined) return 'unmatched';
  const template = `${req.baseUrl}${String(req.route.path)}`;
  return template.length > 1 ? template.replace(/\/$/, '') : template;
}
