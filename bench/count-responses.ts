/**
 * Preloaded into the service by bench/redirect.ts (`node -r`): counts the redirect answers the
 * server actually wrote, so the benchmark can compare stored clicks with 302s served exactly
 * (the load generator cannot: it does not count responses still in flight when it stops).
 * Answers `{ redirects, other }` to an IPC 'count' message.
 */
import { ServerResponse } from 'node:http';

let redirects = 0;
let other = 0;
const writeHead = ServerResponse.prototype.writeHead;
ServerResponse.prototype.writeHead = function (this: ServerResponse, ...args: any[]) {
  if (this.req?.method === 'GET' && this.req.url?.startsWith('/r/')) {
    if (args[0] === 302) redirects += 1;
    else other += 1;
  }
  return (writeHead as (...a: any[]) => ServerResponse).apply(this, args);
} as typeof writeHead;

process.on('message', (message) => {
  if (message === 'count') process.send?.({ redirects, other });
});
process.channel?.unref();
