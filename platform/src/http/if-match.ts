/**
 * The versions an If-Match header accepts: undefined for no condition ("*" or no header), else the
 * list (possibly empty, which matches nothing). ETags are the version in quotes, `"3"`.
 */
export function acceptedVersions(ifMatch: string | undefined): number[] | undefined {
  if (ifMatch === undefined || ifMatch.trim() === '*') return undefined;
  return ifMatch
    .split(',')
    .map((tag) => /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(tag)?.[1])
    .filter((version): version is string => version !== undefined)
    .map(Number);
}

export function etagOf(version: number): string {
  return `"${version}"`;
}
