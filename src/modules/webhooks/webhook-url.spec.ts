import {
  destinationIssue,
  isPrivateAddress,
  webhookUrlIssue,
} from '@/modules/webhooks/webhook-url';

const prod = { allowHttpLocalhost: false, allowPrivateNetworks: false };
const dev = { allowHttpLocalhost: true, allowPrivateNetworks: false };

describe('webhook URL rules', () => {
  it.each([
    'https://shop.example.com/hooks/tandem',
    'https://shop.example.com:8443/hooks?token=abc',
    'https://93.184.216.34/hooks',
  ])('accepts %s', (url) => {
    expect(webhookUrlIssue(url, prod)).toBeNull();
  });

  it.each([
    ['http://shop.example.com/hooks', 'must be an https URL'],
    ['http://localhost:3000/hooks', 'must be an https URL'],
    ['https://localhost/hooks', 'must not point to this machine'],
    ['https://127.0.0.1/hooks', 'must not point to this machine'],
    ['https://10.0.0.5/hooks', 'must not point to a private network address'],
    ['https://169.254.169.254/latest/meta-data', 'must not point to a private network address'],
    ['https://[fd00::1]/hooks', 'must not point to a private network address'],
    ['https://user:pass@shop.example.com/hooks', 'must not contain credentials'],
    ['https://shop.example.com/hooks#x', 'must not contain a fragment'],
    ['ftp://shop.example.com/hooks', 'must be an https URL'],
    ['not a url', 'must be an absolute https URL'],
    [' https://shop.example.com/hooks', 'must not contain spaces or control characters'],
    ['https://shop.example.com/hooks\n', 'must not contain spaces or control characters'],
    ['https://shop.exam\tple.com/hooks', 'must not contain spaces or control characters'],
    ['https:shop.example.com/hooks', 'must be an absolute https URL'],
    ['https:/shop.example.com/hooks', 'must be an absolute https URL'],
    ['https://shop.example.com:0/hooks', 'must not use port 0'],
  ])('refuses %s in production', (url, issue) => {
    expect(webhookUrlIssue(url, prod)).toBe(issue);
  });

  it('allows http to localhost only with the development flag', () => {
    for (const url of [
      'http://localhost:4000/h',
      'http://127.0.0.1:4000/h',
      'http://[::1]:4000/h',
    ]) {
      expect(webhookUrlIssue(url, dev)).toBeNull();
    }
    expect(webhookUrlIssue('http://shop.example.com/h', dev)).toBe(
      'must be https (http is allowed for localhost only)',
    );
    expect(webhookUrlIssue('http://10.0.0.5/h', dev)).not.toBeNull();
  });

  it('allows private addresses when the operator says so', () => {
    expect(
      webhookUrlIssue('https://10.0.0.5/hooks', {
        allowHttpLocalhost: false,
        allowPrivateNetworks: true,
      }),
    ).toBeNull();
  });

  it('knows private, loopback, link-local and mapped addresses', () => {
    for (const a of [
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.1.1',
      '100.64.0.1',
      '::1',
      'fe80::1',
      'fc00::1',
      '::ffff:10.0.0.1',
      '0.0.0.0',
    ]) {
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', 'shop.example.com']) {
      expect([a, isPrivateAddress(a)]).toEqual([a, false]);
    }
  });

  it('checks where a host points before each attempt', async () => {
    expect(await destinationIssue('https://10.0.0.5/h', prod)).toMatch(/private network/);
    expect(await destinationIssue('https://93.184.216.34/h', prod)).toBeNull();
    expect(await destinationIssue('http://127.0.0.1:4000/h', dev)).toBeNull();
    expect(await destinationIssue('https://localhost/h', prod)).toBe('loopback address');
  });
});
