import { isbot } from 'isbot';

export interface UserAgentInfo {
  /** 'Chrome', 'Safari', 'Instagram in-app', 'bot', … (no version: low cardinality for KPIs). */
  family: string;
  isBot: boolean;
}

/**
 * Link unfurlers and monitors named explicitly, on top of isbot's list, so a change in the
 * library cannot start counting them as people.
 */
const KNOWN_AGENTS =
  /facebookexternalhit|facebookcatalog|meta-externalagent|twitterbot|slackbot|slack-imgproxy|whatsapp|telegrambot|linkedinbot|discordbot|pinterestbot|pinterest\/0\.|skypeuripreview|googlebot|google-inspectiontool|adsbot-google|bingbot|bingpreview|applebot|yandexbot|duckduckbot|baiduspider|redditbot|embedly|iframely|snap url preview|imessagelinkpreview|vkshare|uptimerobot|pingdom|statuscake|site24x7|newrelicpinger|datadog|checkly|better ?uptime|headlesschrome|lighthouse/i;

/**
 * curl is not a bot here: brands and advocates test their links with it, and its volume is
 * negligible. isbot's generic "tool/1.0" pattern would flag it, so it is decided first.
 */
const CURL = /^curl\//i;

const FAMILIES: [RegExp, string][] = [
  // In-app browsers first: they also carry Safari/Chrome tokens.
  [/\bInstagram\b/, 'Instagram in-app'],
  [/FBAN\/|FBAV\/|FB_IAB|\[FB/, 'Facebook in-app'],
  [/musical_ly|BytedanceWebview|TikTok|trill_/i, 'TikTok in-app'],
  [/Snapchat/i, 'Snapchat in-app'],
  [/LinkedInApp/i, 'LinkedIn in-app'],
  [/Pinterest\//, 'Pinterest in-app'],
  [/Twitter(?:Android)?\b/, 'X in-app'],
  [/MicroMessenger/i, 'WeChat in-app'],
  [/\bLine\//, 'LINE in-app'],
  [/GSA\//, 'Google app'],
  [/SamsungBrowser/, 'Samsung Internet'],
  [/Edg(?:e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/CriOS\/|Chrome\/|Chromium\//, 'Chrome'],
  [/Safari\/|AppleWebKit.*Mobile\//, 'Safari'],
  [/^curl\//i, 'curl'],
];

/**
 * Every family a click can record, in the spelling stored in `clicks.ua_family` (what the
 * botClick fraud rule's userAgentFamilies are matched against).
 */
export const USER_AGENT_FAMILIES: readonly string[] = Object.freeze([
  ...FAMILIES.map(([, family]) => family),
  'bot',
  'other',
]);

/** Pure; the caller caches by user agent (the same few strings arrive over and over). */
export function classifyUserAgent(userAgent: string | undefined): UserAgentInfo {
  const ua = (userAgent ?? '').trim();
  // Every browser sends a user agent; an empty one is a script.
  if (ua === '') return { family: 'bot', isBot: true };
  if (!CURL.test(ua) && (KNOWN_AGENTS.test(ua) || isbot(ua))) return { family: 'bot', isBot: true };
  for (const [pattern, family] of FAMILIES) if (pattern.test(ua)) return { family, isBot: false };
  return { family: 'other', isBot: false };
}
