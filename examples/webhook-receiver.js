// A Tandem webhook receiver: node examples/webhook-receiver.js (no dependencies).
// TANDEM_WEBHOOK_SECRET=whsec_… (shown once when the endpoint was created) PORT=4000
const { createHmac, timingSafeEqual } = require('node:crypto');
const http = require('node:http');

const SECRET = process.env.TANDEM_WEBHOOK_SECRET;
const TOLERANCE_SECONDS = Number(process.env.TOLERANCE_SECONDS || 300);
const seen = new Set(); // event ids already handled (use your database in production)

/** True when `header` signs exactly these raw bytes with our secret, recently. */
function verify(header, rawBody, secret, toleranceSeconds) {
  const parts = String(header || '').split(',').map((p) => p.trim().split('='));
  const t = Number((parts.find(([k]) => k === 't') || [])[1]);
  const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => v || '');
  if (!Number.isInteger(t) || signatures.length === 0) return false;
  // A replayed request carries an old timestamp: refuse it outside the window.
  if (Math.abs(Math.floor(Date.now() / 1000) - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  return signatures.some((s) => {
    const given = Buffer.from(s, 'hex');
    // constant-time comparison: no timing hints about the right signature
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks); // verify the raw bytes, never re-serialised JSON
    if (!verify(req.headers['tandem-signature'], raw, SECRET, TOLERANCE_SECONDS)) {
      console.log(JSON.stringify({ rejected: req.headers['tandem-event-id'] || null }));
      res.writeHead(400).end('invalid signature');
      return;
    }
    const event = JSON.parse(raw.toString('utf8'));
    if (!seen.has(event.id)) {
      seen.add(event.id); // Tandem delivers at least once: handle each event id once
      console.log(JSON.stringify({ verified: event.id, type: event.type, data: event.data }));
    }
    res.writeHead(204).end();
  });
});

server.listen(Number(process.env.PORT || 4000), '127.0.0.1', () =>
  console.log(JSON.stringify({ listening: server.address().port })),
);
