import { lookup as dnsLookup, LookupAddress, LookupAllOptions } from 'node:dns';
import { BlockList, isIP, LookupFunction } from 'node:net';

export const MAX_WEBHOOK_URL_LENGTH = 2000;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Addresses a webhook must not reach unless the operator allows private networks. */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

export interface UrlPolicy {
  allowHttpLocalhost: boolean;
  allowPrivateNetworks: boolean;
}

const isLoopbackHost = (host: string) => LOOPBACK_HOSTS.has(host.toLowerCase());

export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return false;
  if (family === 6) {
    // IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
    return PRIVATE.check(bare, 'ipv6');
  }
  return PRIVATE.check(bare, 'ipv4');
}

/**
 * Why this URL cannot be a webhook endpoint, or null. https only; http only to localhost,
 * 127.0.0.1 or [::1] when WEBHOOKS_ALLOW_HTTP_LOCALHOST is set (development). No credentials,
 * no fragment; an IP address in a private range only with WEBHOOKS_ALLOW_PRIVATE_NETWORKS.
 */
export function webhookUrlIssue(value: string, policy: UrlPolicy): string | null {
  if (value.length > MAX_WEBHOOK_URL_LENGTH || value.includes('\u0000')) {
    return `must be a URL of at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute https URL';
  }
  // The URL parser drops tabs and newlines anywhere and spaces around the URL, so such a value
  // passed and was stored (and shown) unlike the address called; refuse it instead.
  if (/[\u0000-\u0020\u007f]/.test(value)) return 'must not contain spaces or control characters';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an https URL';
  // `https:shop.example.com` and `https:/shop…` parse too (as https://shop.example.com/)
  if (!/^https?:\/\/[^/]/i.test(value)) return 'must be an absolute https URL';
  if (url.port === '0') return 'must not use port 0';
  if (url.username || url.password) return 'must not contain credentials';
  if (url.hash) return 'must not contain a fragment';
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:') {
    if (!(policy.allowHttpLocalhost && loopback)) {
      return policy.allowHttpLocalhost
        ? 'must be https (http is allowed for localhost only)'
        : 'must be an https URL';
    }
    return null;
  }
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (loopback) {
    return policy.allowHttpLocalhost || policy.allowPrivateNetworks
      ? null
      : 'must not point to this machine';
  }
  if (!policy.allowPrivateNetworks && isPrivateAddress(url.hostname)) {
    return 'must not point to a private network address';
  }
  return null;
}

/**
 * Checked before every attempt: the endpoint's host may have been created as a name that now
 * points elsewhere. Addresses and loopback names are decided here; any other name is decided by
 * the connection's own lookup (guardedLookup), on the very address it connects to. Returns why
 * the destination is refused, or null.
 */
export function destinationIssue(url: string, policy: UrlPolicy): string | null {
  if (policy.allowPrivateNetworks) return null;
  const { hostname } = new URL(url);
  if (isLoopbackHost(hostname)) return policy.allowHttpLocalhost ? null : 'loopback address';
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (isIP(bare) && isPrivateAddress(bare)) return `${hostname} is a private network address`;
  return null;
}

/** The error a connection gets when its host name resolves to an address the policy refuses. */
export class DestinationRefusedError extends Error {
  readonly code = 'EDESTINATIONREFUSED';
}

type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * The name lookup of the connection itself: the address the socket connects to is the one
 * checked, so a name cannot pass `destinationIssue` and then resolve to a private address for
 * the request (DNS rebinding). Same rules as destinationIssue; literal IPs never get here (the
 * socket connects to them without a lookup), destinationIssue checks those.
 */
export function guardedLookup(
  policy: UrlPolicy,
  resolve: Resolver = dnsLookup as unknown as Resolver,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const checked =
        !policy.allowPrivateNetworks && !(policy.allowHttpLocalhost && isLoopbackHost(hostname));
      if (checked && addresses.some((a) => isPrivateAddress(a.address))) {
        const refused = new DestinationRefusedError(
          `${hostname} resolves to a private network address`,
        );
        return callback(refused, '', 0);
      }
      if (addresses.length === 0) {
        return callback(
          Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
          '',
          0,
        );
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
