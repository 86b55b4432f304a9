import { Readable } from 'node:stream';
import { CrlfRecords } from '@/modules/payouts/crlf-records';

async function run(chunks: Buffer[]): Promise<{ text: string; progress: number[] }> {
  const progress: number[] = [];
  const out: Buffer[] = [];
  const stream = Readable.from(chunks).pipe(new CrlfRecords((n) => progress.push(n)));
  for await (const chunk of stream) out.push(chunk as Buffer);
  return { text: Buffer.concat(out).toString('utf8'), progress };
}

describe('CrlfRecords', () => {
  // COPY's CSV: LF record ends; LF, CR, quotes and commas inside quoted fields; UTF-8
  const copy = Buffer.from(
    'a,b,c\n"x\ny","say ""hi""\n",\n"",ünï 日本 🎉,"\r\n"\n"""",plain,"a,b"\nlast,,\n',
  );
  const expected =
    'a,b,c\r\n"x\ny","say ""hi""\n",\r\n"",ünï 日本 🎉,"\r\n"\r\n"""",plain,"a,b"\r\nlast,,\r\n';

  it('ends records with CRLF and leaves LFs inside quoted fields alone', async () => {
    const { text, progress } = await run([copy]);
    expect(text).toBe(expected);
    expect(progress).toEqual([5]);
  });

  it('gives the same bytes whatever the chunk boundaries', async () => {
    for (let cut = 1; cut < copy.length; cut++) {
      const { text } = await run([copy.subarray(0, cut), copy.subarray(cut)]);
      expect(text).toBe(expected);
    }
    const { text, progress } = await run([...copy].map((b) => Buffer.from([b])));
    expect(text).toBe(expected);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
  });
});
