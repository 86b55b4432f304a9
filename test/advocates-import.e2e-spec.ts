import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DataSource } from 'typeorm';
import { Brand, startApp, TestApp } from './helpers/app';

describe('Advocate CSV import', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  const importCsv = (brand: Brand, csv: string, contentType = 'text/csv') =>
    t.request('POST', '/v1/advocates/import', {
      key: brand.key,
      rawBody: csv,
      headers: { 'content-type': contentType },
    });
  const byExternalId = async (brand: Brand) => {
    const res = await t.request('GET', '/v1/advocates?limit=500&sort=externalId', {
      key: brand.key,
    });
    return Object.fromEntries(res.body.data.map((a: any) => [a.externalId, a]));
  };

  it('creates advocates from a file with tags and social columns', async () => {
    const brand = await t.createBrand();
    const res = await importCsv(
      brand,
      'ExternalId,Email,Name,Tier,Status,Tags,Instagram,instagram_followers,TikTok\n' +
        'cust_1,alice@example.com,Alice Martin,micro,,vip|summer-2026,@alice.cooks,12500,@alice.tt\n' +
        'cust_2,Bob.Chen+promo@gmail.com,"Chen, Bob",,invited,VIP; eu,,,\n',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      created: 2,
      updated: 0,
      failed: 0,
      errors: [],
      errorsTruncated: false,
    });
    const advocates = await byExternalId(brand);
    expect(advocates.cust_1).toMatchObject({
      email: 'alice@example.com',
      name: 'Alice Martin',
      tier: 'micro',
      status: 'active',
      tags: ['vip', 'summer-2026'],
      socialProfiles: [
        { channel: 'instagram', handle: '@alice.cooks', followers: 12500 },
        { channel: 'tiktok', handle: '@alice.tt' },
      ],
    });
    expect(advocates.cust_2).toMatchObject({
      name: 'Chen, Bob',
      tier: 'customer',
      status: 'invited',
      tags: ['vip', 'eu'],
      socialProfiles: [],
    });
    const [row] = await t.app
      .get(DataSource)
      .query('SELECT email_normalized FROM advocates WHERE id = $1', [advocates.cust_2.id]);
    expect(row.email_normalized).toBe('bobchen@gmail.com');
  });

  it('reports each bad row by number and column, and writes the good rows', async () => {
    const brand = await t.createBrand();
    const res = await importCsv(
      brand,
      [
        'externalId,email,tier,instagram,instagram_followers',
        'good_1,a@example.com,nano,,', // row 1
        ',b@example.com,nano,,', // row 2: no externalId
        'bad_3,not-an-email,giant,,', // row 3: two bad cells
        'bad_4,c@example.com,,@c,lots', // row 4
        '', // row 5: blank, skipped
        'bad_6,d@example.com,micro', // row 6: too few cells
        'good_7,e@example.com,,@e,-', // row 7
        'good_8,f@example.com,,@f,0', // row 8
      ].join('\n'),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      created: 2,
      updated: 0,
      failed: 5,
      errors: [
        { row: 2, field: 'externalId', issue: 'is required' },
        { row: 3, field: 'email', issue: 'must be a valid e-mail address' },
        { row: 3, field: 'tier', issue: expect.stringContaining('one of the following values') },
        { row: 4, field: 'instagram_followers', issue: 'must be a whole number' },
        { row: 6, field: 'row', issue: 'has 3 cells; the header has 5' },
        { row: 7, field: 'instagram_followers', issue: 'must be a whole number' },
      ],
      errorsTruncated: false,
    });
    expect(Object.keys(await byExternalId(brand))).toEqual(['good_1', 'good_8']);

    // Rows are records, not lines: a quoted cell may span lines.
    const multiline = await importCsv(
      brand,
      'externalId,name\nm_1,"Line one\nline two"\nm_2,ok\n,missing\n',
    );
    expect(multiline.body).toMatchObject({
      created: 2,
      failed: 1,
      errors: [{ row: 3, field: 'externalId', issue: 'is required' }],
    });
    expect((await byExternalId(brand)).m_1.name).toBe('Line one\nline two');
  });

  it('updates existing advocates by externalId, changing only the columns in the file', async () => {
    const brand = await t.createBrand();
    const created = await t.request('POST', '/v1/advocates', {
      key: brand.key,
      body: {
        externalId: 'cust_1',
        email: 'alice@example.com',
        name: 'Alice',
        tier: 'macro',
        status: 'banned',
        tags: ['vip'],
        socialProfiles: [
          { channel: 'instagram', handle: '@old', followers: 10 },
          { channel: 'youtube', handle: 'alice-yt', followers: 99 },
        ],
      },
    });
    const first = await importCsv(
      brand,
      'externalId,instagram,tags\ncust_1,@new,\ncust_9,@nine,a|b\n',
    );
    expect(first.body).toMatchObject({ created: 1, updated: 1, failed: 0 });
    let cust1 = (await byExternalId(brand)).cust_1;
    expect(cust1).toMatchObject({
      id: created.body.id,
      email: 'alice@example.com',
      name: 'Alice',
      tier: 'macro',
      status: 'banned',
      tags: [],
      // other channels' profiles stay; the imported channel's profile is replaced
      socialProfiles: [
        { channel: 'youtube', handle: 'alice-yt', followers: 99 },
        { channel: 'instagram', handle: '@new' },
      ],
    });

    // An empty tier or status leaves the stored value: an import never un-bans by accident.
    const keep = await importCsv(brand, 'externalId,tier,status\ncust_1,,\n');
    expect(keep.body).toMatchObject({ created: 0, updated: 1, failed: 0 });
    const clear = await importCsv(brand, 'externalId,name,email,instagram\ncust_1,,,\n');
    expect(clear.body).toMatchObject({ created: 0, updated: 1 });
    cust1 = (await byExternalId(brand)).cust_1;
    expect(cust1).toMatchObject({
      tier: 'macro',
      status: 'banned',
      name: null,
      email: null,
      socialProfiles: [{ channel: 'youtube', handle: 'alice-yt', followers: 99 }],
    });

    // The same file again changes nothing, updatedAt included; a real change moves it.
    await new Promise((r) => setTimeout(r, 5));
    await importCsv(brand, 'externalId,name,email,instagram\ncust_1,,,\n');
    expect((await byExternalId(brand)).cust_1.updatedAt).toBe(cust1.updatedAt);
    await importCsv(brand, 'externalId,name\ncust_1,Alice B.\n');
    const renamed = (await byExternalId(brand)).cust_1;
    expect([renamed.name, renamed.updatedAt > cust1.updatedAt]).toEqual(['Alice B.', true]);
  });

  it('lets the last row of a repeated externalId win, in one batch and across batches', async () => {
    const brand = await t.createBrand();
    const res = await importCsv(
      brand,
      'externalId,name,tier\ndup,First,mega\ndup,Second,\nother,X,\ndup,Third,\n',
    );
    expect(res.body).toMatchObject({ created: 2, updated: 2, failed: 0 });
    const dup = (await byExternalId(brand)).dup;
    expect(dup).toMatchObject({ name: 'Third', tier: 'mega' });

    // 1,200 rows: the first and the last share an externalId and land in different batches.
    const rows = Array.from({ length: 1199 }, (_, i) => `many_${i},Name ${i}`);
    const spread = await importCsv(brand, `externalId,name\n${rows.join('\n')}\nmany_0,Last\n`);
    expect(spread.body).toMatchObject({ created: 1199, updated: 1, failed: 0 });
    const last = await t.request('GET', '/v1/advocates?search=many_0&sort=externalId&limit=1', {
      key: brand.key,
    });
    expect(last.body.data[0]).toMatchObject({ externalId: 'many_0', name: 'Last' });
  });

  it('refuses the whole file for a bad header, writing nothing', async () => {
    const brand = await t.createBrand();
    const unknown = await importCsv(brand, 'externalId,email,favourite_colour\nc1,a@b.co,red\n');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('validation_failed');
    expect(unknown.body.error.details).toEqual([
      { field: 'favourite_colour', issue: 'is not a known column' },
    ]);
    expect(unknown.body.error.message).toContain('favourite_colour');

    const noExternalId = await importCsv(brand, 'email,name\na@b.co,A\n');
    expect(noExternalId.status).toBe(400);
    expect(noExternalId.body.error.details).toEqual([
      { field: 'externalId', issue: 'column is required' },
    ]);
    const duplicate = await importCsv(brand, 'externalId,name,NAME\nc1,A,B\n');
    expect(duplicate.body.error.details).toEqual([
      { field: 'NAME', issue: 'appears more than once' },
    ]);
    for (const empty of ['', '\n\n']) {
      const res = await importCsv(brand, empty);
      expect(res.status).toBe(400);
      expect(res.body.error.details[0].field).toMatch(/^(body|column 1|externalId)$/);
    }
    const listed = await t.request('GET', '/v1/advocates', { key: brand.key });
    expect(listed.body.data).toEqual([]);

    const headerOnly = await importCsv(brand, 'externalId,email\n');
    expect(headerOnly.body).toEqual({
      created: 0,
      updated: 0,
      failed: 0,
      errors: [],
      errorsTruncated: false,
    });
  });

  it('keeps the rows before broken CSV syntax and says where the file stopped being read', async () => {
    const brand = await t.createBrand();
    const res = await importCsv(brand, 'externalId,name\nok_1,One\nok_2,"Two\nok_3,Three\n');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ created: 1, updated: 0, failed: 1 });
    expect(res.body.errors).toEqual([
      {
        row: 2,
        field: 'csv',
        issue:
          'is not valid CSV (a quoted cell is never closed: a cell that starts with " must ' +
          'end with "); this row and the rest of the file were not imported',
      },
    ]);
    expect(Object.keys(await byExternalId(brand))).toEqual(['ok_1']);
  });

  it('keeps a quote inside a cell as text, as spreadsheets do', async () => {
    const brand = await t.createBrand();
    const res = await importCsv(
      brand,
      'externalId,name\nq_1,Jo "JJ" Smith\nq_2,"Tw"o\nq_3,"Quoted, ""escaped"""\n',
    );
    expect(res.body).toMatchObject({ created: 3, failed: 0 });
    const rows = await byExternalId(brand);
    expect([rows.q_1.name, rows.q_2.name, rows.q_3.name]).toEqual([
      'Jo "JJ" Smith',
      '"Tw"o',
      'Quoted, "escaped"',
    ]);
  });

  it('reads a UTF-8 byte order mark and CRLF line ends', async () => {
    const brand = await t.createBrand();
    const res = await importCsv(
      brand,
      '\uFEFFexternalId,name\r\nbom_1,Zoë\r\n',
      'text/csv; charset=utf-8',
    );
    expect(res.body).toMatchObject({ created: 1, failed: 0 });
    expect((await byExternalId(brand)).bom_1.name).toBe('Zoë');
  });

  it('fails a row whose bytes are not UTF-8 or hold a NUL, naming the column, and imports the rest', async () => {
    const brand = await t.createBrand();
    const post = (body: Buffer) =>
      fetch(`${t.baseUrl}/v1/advocates/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${brand.key}`, 'content-type': 'text/csv' },
        body,
      });
    // "Café" saved as Windows-1252 (0xE9), then a NUL, then real UTF-8
    const res = await post(
      Buffer.concat([
        Buffer.from('externalId,name\nc1,Caf'),
        Buffer.from([0xe9]),
        Buffer.from('\nc2,Bo\u0000b\nc3,Café\n'),
      ]),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      created: 1,
      failed: 2,
      errors: [
        { row: 1, field: 'name', issue: 'is not valid UTF-8: save the file as "CSV UTF-8"' },
        { row: 2, field: 'name', issue: 'must not contain a NUL character' },
      ],
    });
    const stored = await byExternalId(brand);
    expect(Object.keys(stored)).toEqual(['c3']);
    expect(stored.c3.name).toBe('Café');
    // in the header: the whole file is refused
    const badHeader = await post(Buffer.from('externalId,na\u0000me\nc9,x\n'));
    expect(badHeader.status).toBe(400);
    expect(((await badHeader.json()) as any).error.details).toEqual([
      { field: 'column 2', issue: 'must not contain a NUL character' },
    ]);
  });

  it("never touches another brand's advocate with the same externalId", async () => {
    const a = await t.createBrand();
    const b = await t.createBrand();
    const theirs = await t.request('POST', '/v1/advocates', {
      key: b.key,
      body: { externalId: 'shared', name: "B's", tier: 'mega' },
    });
    const res = await importCsv(a, 'externalId,name,tier\nshared,A import,nano\n');
    expect(res.body).toMatchObject({ created: 1, updated: 0 });
    const still = await t.request('GET', `/v1/advocates/${theirs.body.id}`, { key: b.key });
    expect(still.body).toEqual(theirs.body);
    expect((await byExternalId(a)).shared.name).toBe('A import');
  });

  it('answers 415 for other content types, and CSV is refused by JSON routes', async () => {
    const brand = await t.createBrand();
    const json = await t.request('POST', '/v1/advocates/import', {
      key: brand.key,
      body: { externalId: 'x' },
    });
    expect(json.status).toBe(415);
    expect(json.body.error.code).toBe('unsupported_media_type');
    const csvToJson = await t.request('POST', '/v1/advocates', {
      key: brand.key,
      rawBody: 'externalId\nx\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(csvToJson.status).toBe(415);
    const noKey = await t.request('POST', '/v1/advocates/import', {
      rawBody: 'externalId\nx\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(noKey.status).toBe(401);
  });

  it('answers 415 naming content-type for a file sent as JSON, whatever the body, and imports nothing', async () => {
    const brand = await t.createBrand();
    const refused = {
      code: 'unsupported_media_type',
      message: 'Send the file with Content-Type: text/csv',
      details: [{ field: 'content-type', issue: 'must be text/csv' }],
    };
    for (const [contentType, body] of [
      ['application/json', 'externalId,email\ncust_1,a@example.com\n'], // the file, mislabelled
      ['application/json; charset=utf-8', ''],
      ['application/json', '{"externalId": "cust_1"}'],
      ['application/json', '[{"externalId": "cust_1"}]'],
      ['text/plain', 'externalId\ncust_1\n'],
      ['application/x-www-form-urlencoded', 'externalId=cust_1'],
    ]) {
      const res = await importCsv(brand, body!, contentType);
      expect([contentType, body, res.status, res.body.error]).toEqual([
        contentType,
        body,
        415,
        refused,
      ]);
    }
    // refused before the body is read: a file over the JSON routes' 10 MB limit is a 415 too
    const url = new URL('/v1/advocates/import', t.baseUrl);
    const big = await new Promise<{ status: number; connection?: string; text: string }>(
      (resolve, reject) => {
        const req = httpRequest(
          url,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${brand.key}`,
              'content-type': 'application/json',
              'content-length': String(20 * 1024 * 1024),
            },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => {
              resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text });
              req.destroy();
            });
          },
        );
        req.on('error', reject);
        req.write('externalId\nbig_1\n');
      },
    );
    expect([big.status, big.connection, JSON.parse(big.text).error]).toEqual([
      415,
      'close',
      refused,
    ]);
    expect((await t.request('GET', '/v1/advocates', { key: brand.key })).body.data).toEqual([]);
    // the file as text/csv (any case, with a charset) is still taken
    const ok = await importCsv(brand, 'externalId\ncust_1\n', 'Text/CSV; charset=utf-8');
    expect([ok.status, ok.body.created]).toEqual([200, 1]);
  });

  it('answers 413 up front when the declared body is over 100 MB', async () => {
    const brand = await t.createBrand();
    const url = new URL('/v1/advocates/import', t.baseUrl);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${brand.key}`,
            'content-type': 'text/csv',
            'content-length': String(101 * 1024 * 1024),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', reject);
      req.write('externalId\nbig_1\n');
    });
    expect(status).toBe(413);
    const listed = await t.request('GET', '/v1/advocates', { key: brand.key });
    expect(listed.body.data).toEqual([]);
  });

  it('caps the listed errors at 1000 and still counts every failed row', async () => {
    const brand = await t.createBrand();
    const rows = Array.from({ length: 1500 }, (_, i) => `e_${i},not-an-email`);
    const res = await importCsv(
      brand,
      `externalId,email\n${rows.join('\n')}\nfine,ok@example.com\n`,
    );
    expect(res.body).toMatchObject({ created: 1, failed: 1500, errorsTruncated: true });
    expect(res.body.errors).toHaveLength(1000);
    expect(res.body.errors[999]).toEqual({
      row: 1000,
      field: 'email',
      issue: 'must be a valid e-mail address',
    });
  });

  describe('100,000 rows', () => {
    const ROWS = 100_000;
    function* csvLines(): Generator<string> {
      yield 'externalId,email,name,tier,status,tags,instagram,instagram_followers,tiktok\n';
      let chunk = '';
      for (let i = 0; i < ROWS; i++) {
        chunk +=
          `bulk_${String(i).padStart(6, '0')},person.${i}@example.com,Person Number ${i},` +
          `${i % 7 === 0 ? 'micro' : 'customer'},active,imported|batch-${i % 10},` +
          `@person_${i},${i * 3},@tt_person_${i}\n`;
        if (i % 1000 === 999) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }

    // V8 collects lazily: without a collection now and then, RSS would measure garbage not yet
    // collected rather than what the import holds.
    v8.setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;

    async function timedImport(brand: Brand) {
      collectGarbage();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      let sent = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 50);
      const collector = setInterval(collectGarbage, 500);
      const started = Date.now();
      try {
        const body = Readable.from(csvLines()).map((chunk: string) => {
          sent += Buffer.byteLength(chunk);
          return chunk;
        });
        const res = await fetch(`${t.baseUrl}/v1/advocates/import`, {
          method: 'POST',
          headers: { authorization: `Bearer ${brand.key}`, 'content-type': 'text/csv' },
          body: Readable.toWeb(body) as ReadableStream,
          duplex: 'half',
        } as RequestInit);
        const result = await res.json();
        return {
          status: res.status,
          result,
          ms: Date.now() - started,
          sent,
          growth: peak - baseline,
        };
      } finally {
        clearInterval(sampler);
        clearInterval(collector);
      }
    }

    it('imports with flat memory, then updates every row on a second run', async () => {
      const brand = await t.createBrand();
      const first = await timedImport(brand);
      const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
      process.stdout.write(
        `\nCSV import of ${ROWS} rows (${mb(first.sent)} MB): ${first.ms} ms, ` +
          `peak RSS growth ${mb(first.growth)} MB\n`,
      );
      expect(first.status).toBe(200);
      expect(first.result).toEqual({
        created: ROWS,
        updated: 0,
        failed: 0,
        errors: [],
        errorsTruncated: false,
      });
      // more than the 10 MB JSON body limit, streamed past it
      expect(first.sent).toBeGreaterThan(10 * 1024 * 1024);
      expect(first.growth).toBeLessThan(100 * 1024 * 1024);

      const found = await t.request('GET', '/v1/advocates?search=PERSON.77777@', {
        key: brand.key,
      });
      expect(found.body.data).toHaveLength(1);
      expect(found.body.data[0]).toMatchObject({
        externalId: 'bulk_077777',
        tier: 'micro',
        tags: ['imported', 'batch-7'],
        socialProfiles: [
          { channel: 'instagram', handle: '@person_77777', followers: 233331 },
          { channel: 'tiktok', handle: '@tt_person_77777' },
        ],
      });

      const second = await timedImport(brand);
      process.stdout.write(
        `CSV re-import of ${ROWS} rows: ${second.ms} ms, peak RSS growth ${mb(second.growth)} MB\n`,
      );
      expect(second.result).toMatchObject({ created: 0, updated: ROWS, failed: 0 });
      expect(second.growth).toBeLessThan(100 * 1024 * 1024);
    }, 600_000);
  });
});
