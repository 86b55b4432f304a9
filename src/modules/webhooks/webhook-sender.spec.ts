import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookSender } from '@/modules/webhooks/webhook-sender';

const POLICY = { allowHttpLocalhost: true, allowPrivateNetworks: false };

describe('WebhookSender on kept-alive connections', () => {
  let server: Server;
  let url: string;
  const sockets = new Set<unknown>();
  let answered = 0;

  beforeAll(async () => {
    // Answers the first request of each connection; a later one on the same connection finds
    // it closed, as when a receiver drops an idle keep-alive connection while a request leaves.
    const seen = new WeakMap<object, number>();
    server = createServer((req, res) => {
      const n = (seen.get(req.socket) ?? 0) + 1;
      seen.set(req.socket, n);
      sockets.add(req.socket);
      if (n > 1) {
        req.socket.destroy();
        return;
      }
      req.resume();
      req.on('end', () => {
        answered += 1;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://localhost:${(server.address() as AddressInfo).port}/hooks`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends again on a new connection when the kept-alive one was closed, not a failed attempt', async () => {
    const sender = new WebhookSender();
    const first = await sender.send(url, {}, '{"n":1}', 5000, POLICY);
    const second = await sender.send(url, {}, '{"n":2}', 5000, POLICY);
    expect([first.statusCode, first.error]).toEqual([204, null]);
    expect([second.statusCode, second.error]).toEqual([204, null]);
    expect(answered).toBe(2);
    expect(sockets.size).toBe(2); // the second went out on a connection of its own
  });
});
