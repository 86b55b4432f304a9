const { Client } = require('pg');
const { randomBytes } = require('crypto');
const repo = require('./dist/src/modules/tracking/click.repository.js');
const src = require('fs').readFileSync('./dist/src/modules/tracking/click.repository.js','utf8');
(async () => {
  const db = process.argv[2]; const n = +process.argv[3] || 1000;
  const c = new Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${db}` }); await c.connect();
  const links = (await c.query('select id, brand_id, program_id, cta_id, advocate_id from links order by random() limit $1', [n])).rows;
  // capture the statement by faking a pool
  let stmt, params;
  const fake = { driver: { master: { query: (s, p) => { stmt = s; params = p; } } } };
  const r = new repo.ClickRepository(fake, { kpiVisitorKeyDays: 2 });
  const now = Date.now();
  const rows = links.map((l, i) => ({ id: 'clk_' + randomBytes(12).toString('hex'), brandId: l.brand_id, programId: l.program_id, ctaId: l.cta_id, advocateId: l.advocate_id, linkId: l.id, channel: 'instagram', clickedAt: now - i, referrerHost: null, uaFamily: 'Chrome Mobile', isBot: false, isFirstVisit: true, visitorHash: randomBytes(16).toString('base64url') }));
  await r.insertMany(rows);
  await c.query('BEGIN');
  const t0 = process.hrtime.bigint();
  const res = await c.query('EXPLAIN (ANALYZE, BUFFERS, TIMING ON) ' + stmt, params);
  console.log(res.rows.map(r => r['QUERY PLAN']).join('\n'));
  await c.query('ROLLBACK');
  await c.end();
})();
