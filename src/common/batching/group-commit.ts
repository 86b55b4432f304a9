/**
 * Group commit: work items that arrive while the same key's group is being written are queued
 * and written together as the next group, each caller still getting its own answer. A lone
 * caller waits for one turn of the event loop at most; under load the groups grow by
 * themselves (everything that arrived during the previous write), so a database round trip and
 * a commit are shared by many callers instead of paid by each.
 */
export interface GroupCommitOptions {
  /** Most items written in one group. */
  maxGroup: number;
  /** Groups of one key written at the same time (the next one is built while one commits). */
  maxConcurrent: number;
}

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

interface Lane<T, R> {
  waiting: Waiting<T, R>[];
  running: number;
  scheduled: boolean;
}

export class GroupCommit<K, T, R> {
  private readonly lanes = new Map<K, Lane<T, R>>();

  /**
   * @param write writes one group and answers each item, in order (an item's own failure is
   *   part of its answer); a throw fails every item of the group.
   */
  constructor(
    private readonly write: (key: K, items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(key: K, item: T): Promise<R> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { waiting: [], running: 0, scheduled: false };
      this.lanes.set(key, lane);
    }
    const promise = new Promise<R>((resolve, reject) =>
      lane.waiting.push({ item, resolve, reject }),
    );
    this.schedule(key, lane);
    return promise;
  }

  private schedule(key: K, lane: Lane<T, R>): void {
    if (lane.scheduled || lane.running >= this.options.maxConcurrent) return;
    lane.scheduled = true;
    // One turn of the loop lets the requests already read from the sockets join the group.
    setImmediate(() => {
      lane.scheduled = false;
      void this.drain(key, lane);
    });
  }

  private async drain(key: K, lane: Lane<T, R>): Promise<void> {
    if (lane.waiting.length === 0 || lane.running >= this.options.maxConcurrent) return;
    const group = lane.waiting.splice(0, this.options.maxGroup);
    lane.running += 1;
    try {
      const results = await this.write(
        key,
        group.map((w) => w.item),
      );
      if (results.length !== group.length) {
        throw new Error(`group commit: ${results.length} answers for ${group.length} items`);
      }
      group.forEach((w, i) => w.resolve(results[i]!));
    } catch (error) {
      for (const w of group) w.reject(error);
    } finally {
      lane.running -= 1;
      if (lane.waiting.length > 0) this.schedule(key, lane);
      else if (lane.running === 0 && !lane.scheduled) this.lanes.delete(key);
    }
  }
}
