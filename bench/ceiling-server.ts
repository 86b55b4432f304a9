/**
 * The redirect benchmark's ceiling: a bare Fastify route answering 302 with no database, no
 * Nest and no click capture. Started as a child process by bench/redirect.ts.
 */
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const app = Fastify({ logger: false });
app.get<{ Params: { slug: string } }>('/r/:slug', (request, reply) => {
  void reply
    .code(302)
    .header('cache-control', 'no-store')
    .header('location', `https://shop.example.com/welcome?ref=${request.params.slug}`)
    .send();
});
app.listen({ port, host: '127.0.0.1' }).then(
  () => process.stdout.write('ready\n'),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
