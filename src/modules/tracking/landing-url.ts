/** The query parameters Tandem owns on a tracked redirect; the landing URL's own are replaced. */
export const TRACKING_PARAMS = [
  'ref',
  'tclid',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
] as const;

export interface TrackingValues {
  code: string;
  channel: string;
  programId: string;
  ctaKey: string;
}

/**
 * A tracked redirect target split around the click id, built once per link and cached:
 * `prefix + clickId + suffix`. The landing URL's own query is kept byte for byte (no
 * re-encoding), except parameters named like ours, which are replaced; the #fragment stays last.
 */
export interface TrackedUrlTemplate {
  prefix: string;
  suffix: string;
}

/** True for an absolute http(s) URL; anything else is never a redirect target. */
export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export function trackedUrlTemplate(landingUrl: string, values: TrackingValues): TrackedUrlTemplate {
  const hashAt = landingUrl.indexOf('#');
  const suffix = hashAt >= 0 ? landingUrl.slice(hashAt) : '';
  const beforeHash = hashAt >= 0 ? landingUrl.slice(0, hashAt) : landingUrl;
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt >= 0 ? beforeHash.slice(0, queryAt) : beforeHash;
  const query = queryAt >= 0 ? beforeHash.slice(queryAt + 1) : '';
  const kept = query.split('&').filter((pair) => pair !== '' && !isTrackingParam(pair));
  const ours = [
    `ref=${encodeURIComponent(values.code)}`,
    `utm_source=${encodeURIComponent(values.channel)}`,
    'utm_medium=referral',
    `utm_campaign=${encodeURIComponent(values.programId)}`,
    `utm_content=${encodeURIComponent(values.ctaKey)}`,
    'tclid=',
  ];
  return { prefix: `${base}?${[...kept, ...ours].join('&')}`, suffix };
}

export function trackedUrl(template: TrackedUrlTemplate, clickId: string): string {
  return template.prefix + clickId + template.suffix;
}

function isTrackingParam(pair: string): boolean {
  const eq = pair.indexOf('=');
  const rawName = eq >= 0 ? pair.slice(0, eq) : pair;
  let name: string;
  try {
    name = decodeURIComponent(rawName.replace(/\+/g, ' '));
  } catch {
    name = rawName;
  }
  return (TRACKING_PARAMS as readonly string[]).includes(name);
}
