import {
  DestinationRefusedError,
  destinationIssue,
  guardedLookup,
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

  it('checks addresses and loopback names before each attempt, and leaves names to the connection', () => {
    expect(destinationIssue('https://10.0.0.5/h', prod)).toMatch(/private network/);
    expect(destinationIssue('https://93.184.216.34/h', prod)).toBeNull();
    expect(destinationIssue('http://127.0.0.1:4000/h', dev)).toBeNull();
    expect(destinationIssue('https://localhost/h', prod)).toBe('loopback address');
  });

  describe('guardedLookup: the connection checks the address it connects to', () => {
    type Answer = { address: string; family: number }[];
    /** A resolver answering from a script: each call takes the next answer (DNS rebinding). */
    const scripted = (...answers: Answer[]) => {
      const calls: string[] = [];
      const resolve = (
        host: string,
        _options: unknown,
        callback: (err: NodeJS.ErrnoException | null, a: Answer) => void,
      ) => {
        calls.push(host);
        const next = answers.shift();
        setImmediate(() =>
          next
            ? callback(null, next)
            : callback(Object.assign(new Error('nx'), { code: 'ENOTFOUND' }), []),
        );
      };
      return { resolve, calls };
    };
    const run = (
      lookup: ReturnType<typeof guardedLookup>,
      host: string,
      all: boolean,
    ): Promise<{ err: (Error & { code?: string }) | null; address: unknown; family?: number }> =>
      new Promise((done) =>
        lookup(host, { all }, (err, address, family) => done({ err, address, family })),
      );
    const PUBLIC = { address: '93.184.216.34', family: 4 };
    const PRIVATE = { address: '10.0.0.7', family: 4 };

    it('connects to a public address, as one address or all of them', async () => {
      const { resolve } = scripted([PUBLIC], [PUBLIC]);
      const lookup = guardedLookup(prod, resolve);
      expect(await run(lookup, 'hooks.shop.example', false)).toEqual({
        err: null,
        address: PUBLIC.address,
        family: 4,
      });
      expect(await run(lookup, 'hooks.shop.example', true)).toMatchObject({
        err: null,
        address: [PUBLIC],
      });
    });

    it('refuses a name that resolved publicly before and privately now (rebinding)', async () => {
      const { resolve, calls } = scripted([PUBLIC], [PRIVATE]);
      const lookup = guardedLookup(prod, resolve);
      expect((await run(lookup, 'rebind.example', false)).err).toBeNull();
      const second = await run(lookup, 'rebind.example', false);
      expect(second.err).toBeInstanceOf(DestinationRefusedError);
      expect(second.err!.message).toBe('rebind.example resolves to a private network address');
      expect(calls).toEqual(['rebind.example', 'rebind.example']);
    });

    it('refuses a name with any private address among its answers', async () => {
      const { resolve } = scripted([PUBLIC, { address: '::1', family: 6 }]);
      expect((await run(guardedLookup(prod, resolve), 'mixed.example', true)).err).toBeInstanceOf(
        DestinationRefusedError,
      );
    });

    it('lets private addresses through when the operator allows them, and loopback names in development', async () => {
      const { resolve } = scripted(
        [PRIVATE],
        [{ address: '127.0.0.1', family: 4 }],
        [{ address: '127.0.0.1', family: 4 }],
      );
      const open = { allowHttpLocalhost: false, allowPrivateNetworks: true };
      expect((await run(guardedLookup(open, resolve), 'intranet.example', false)).err).toBeNull();
      expect((await run(guardedLookup(dev, resolve), 'localhost', false)).err).toBeNull();
      expect((await run(guardedLookup(prod, resolve), 'localhost', false)).err).toBeInstanceOf(
        DestinationRefusedError,
      );
    });

    it('passes a failed lookup on as it is', async () => {
      const { resolve } = scripted();
      expect((await run(guardedLookup(prod, resolve), 'nowhere.example', false)).err).toMatchObject(
        {
          code: 'ENOTFOUND',
        },
      );
    });
  });
});
