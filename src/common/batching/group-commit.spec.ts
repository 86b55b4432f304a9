import { GroupCommit } from '@/common/batching/group-commit';

/** A write that records its groups and answers each item with item × 10, after `release`. */
function recordingWrite() {
  const groups: { key: string; items: number[] }[] = [];
  let releases: (() => void)[] = [];
  const write = async (key: string, items: number[]) => {
    groups.push({ key, items });
    await new Promise<void>((resolve) => releases.push(resolve));
    return items.map((i) => i * 10);
  };
  const releaseAll = () => {
    const now = releases;
    releases = [];
    now.forEach((r) => r());
  };
  return { groups, write, releaseAll, inFlight: () => releases.length };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('writes what arrives in one turn as one group, answering each caller its own result', async () => {
    const w = recordingWrite();
    const gc = new GroupCommit(w.write, { maxGroup: 100, maxConcurrent: 1 });
    const answers = Promise.all([1, 2, 3].map((i) => gc.submit('a', i)));
    await tick();
    expect(w.groups).toEqual([{ key: 'a', items: [1, 2, 3] }]);
    w.releaseAll();
    expect(await answers).toEqual([10, 20, 30]);
  });

  it('queues what arrives during a write as the next group, up to maxConcurrent at once', async () => {
    const w = recordingWrite();
    const gc = new GroupCommit(w.write, { maxGroup: 100, maxConcurrent: 2 });
    const first = gc.submit('a', 1);
    await tick();
    const second = [gc.submit('a', 2), gc.submit('a', 3)];
    await tick();
    const third = [gc.submit('a', 4), gc.submit('a', 5)];
    await tick();
    // Two groups in flight; the third waits for one of them.
    expect(w.groups.map((g) => g.items)).toEqual([[1], [2, 3]]);
    expect(w.inFlight()).toBe(2);
    w.releaseAll();
    await first;
    await tick();
    expect(w.groups.map((g) => g.items)).toEqual([[1], [2, 3], [4, 5]]);
    w.releaseAll();
    expect(await Promise.all([first, ...second, ...third])).toEqual([10, 20, 30, 40, 50]);
  });

  it('keeps keys apart and caps a group at maxGroup', async () => {
    const w = recordingWrite();
    const gc = new GroupCommit(w.write, { maxGroup: 2, maxConcurrent: 1 });
    const answers = Promise.all([
      gc.submit('a', 1),
      gc.submit('b', 2),
      gc.submit('a', 3),
      gc.submit('a', 5),
    ]);
    await tick();
    expect(w.groups).toEqual([
      { key: 'a', items: [1, 3] },
      { key: 'b', items: [2] },
    ]);
    w.releaseAll();
    await tick();
    await tick();
    expect(w.groups[2]).toEqual({ key: 'a', items: [5] });
    w.releaseAll();
    expect(await answers).toEqual([10, 20, 30, 50]);
  });

  it('fails every caller of a group whose write throws, and goes on with the next group', async () => {
    let calls = 0;
    const gc = new GroupCommit<string, number, number>(
      async (_key, items) => {
        calls += 1;
        if (calls === 1) throw new Error('connection lost');
        return items;
      },
      { maxGroup: 10, maxConcurrent: 1 },
    );
    const failed = [gc.submit('a', 1), gc.submit('a', 2)].map((p) =>
      p.then(
        () => 'resolved',
        (e: Error) => e.message,
      ),
    );
    expect(await Promise.all(failed)).toEqual(['connection lost', 'connection lost']);
    expect(await gc.submit('a', 3)).toBe(3);
  });

  it('refuses an answer list that does not match the group', async () => {
    const gc = new GroupCommit<string, number, number>(async () => [1], {
      maxGroup: 10,
      maxConcurrent: 1,
    });
    const both = [gc.submit('a', 1), gc.submit('a', 2)];
    await expect(both[0]).rejects.toThrow('1 answers for 2 items');
    await expect(both[1]).rejects.toThrow('1 answers for 2 items');
  });
});
