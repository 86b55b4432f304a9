import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { GroupCommit } from '@/common/batching/group-commit';
import { AppError } from '@/common/errors/app-error';
import { toErrorResponse } from '@/common/errors/all-exceptions.filter';
import { DatabaseLifecycle } from '@/database/database.module';
import { runTransaction } from '@/database/pipelined-transaction';
import { ConfigSnapshot } from '@/modules/attribution/config-snapshot';
import { ConversionRecorder } from '@/modules/events/conversion-recorder';
import type { BatchItemResultDto, EventResultDto } from '@/modules/events/dto/event-result.dto';
import { EventInputDto } from '@/modules/events/dto/event-input.dto';
import {
  crossFieldIssues,
  PreparedEvent,
  prepareEvent,
  validateBatchItem,
} from '@/modules/events/event-input';
import type { Recorded } from '@/modules/events/recorded';
import { RefundRecorder } from '@/modules/events/refund-recorder';

const MAX_ATTEMPTS = 4;
/**
 * Single events of one brand that arrive together are recorded together (see GroupCommit):
 * under load a transaction carries the events that came in while the previous one committed.
 * Each request still gets its own answer and status, and a group that fails is recorded again
 * event by event, so one event never fails another.
 */
const GROUP_COMMIT = { maxGroup: 200, maxConcurrent: 2 };
// Deadlock and serialization failure: safe to run the whole transaction again.
const RETRYABLE = new Set(['40P01', '40001']);

const conflictError = () =>
  new AppError('idempotency_conflict', 'This event id was already used with a different body', [
    { field: 'id', issue: 'was already used with a different body' },
  ]);

const orderTakenError = (orderId: string, heldBy: string) =>
  new AppError(
    'conflict',
    `Order ${orderId} was already recorded by purchase event ${heldBy}: one purchase per order`,
    [{ field: 'order.id', issue: `was already recorded by purchase event ${heldBy}` }],
  );

/** The error a non-created outcome answers with. */
function errorOf(outcome: Exclude<Recorded, { kind: 'created' | 'replayed' }>): unknown {
  switch (outcome.kind) {
    case 'conflict':
      return conflictError();
    case 'order_taken':
      return orderTakenError(outcome.orderId, outcome.heldBy);
    case 'failed':
      return outcome.error;
  }
}

/**
 * Intake of conversion events. Signups, purchases and custom events are recorded in one
 * transaction per batch request or per group of single requests, refunds in a second one; a
 * failing batch or group is retried item by item so one poisoned event cannot fail the others.
 */
@Injectable()
export class EventService {
  private readonly logger = new Logger(EventService.name);
  /** Pipelined transactions need a PostgreSQL server (the embedded one shares one session). */
  private readonly pipelined: boolean;
  private readonly groups = new GroupCommit<string, PreparedEvent, Recorded>(
    (brandId, events) => this.recordGroup(brandId, events),
    GROUP_COMMIT,
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly conversions: ConversionRecorder,
    private readonly refunds: RefundRecorder,
    database: DatabaseLifecycle,
  ) {
    this.pipelined = !database.connection.isEmbedded;
  }

  /** One event: 201 when recorded now, 200 when it replays the first answer. */
  async track(
    brandId: string,
    dto: EventInputDto,
    rawBody: unknown,
  ): Promise<{ replayed: boolean; result: EventResultDto }> {
    const issues = crossFieldIssues(dto);
    if (issues.length > 0) throw AppError.validation(issues);
    const event = prepareEvent(dto, rawBody, 0);
    // Refunds are rare: each keeps a transaction of its own.
    const outcome =
      event.type === 'refund'
        ? (await this.process(brandId, [event], false)).get(0)!
        : await this.groups.submit(brandId, event);
    switch (outcome.kind) {
      case 'created':
        return { replayed: false, result: outcome.result };
      case 'replayed':
        return { replayed: true, result: outcome.result };
      case 'conflict':
      case 'order_taken':
      case 'failed':
        throw errorOf(outcome);
    }
  }

  async trackBatch(brandId: string, items: unknown[]): Promise<BatchItemResultDto[]> {
    const results: BatchItemResultDto[] = new Array(items.length);
    const valid: PreparedEvent[] = [];
    for (const [index, item] of items.entries()) {
      const checked = await validateBatchItem(item, index);
      if ('issues' in checked) {
        results[index] = {
          index,
          status: 400,
          error: {
            code: 'validation_failed',
            message: 'The event has invalid fields',
            details: checked.issues,
          },
        };
      } else valid.push(checked.event);
    }
    const outcomes = await this.process(brandId, valid, true);
    for (const [index, outcome] of outcomes) results[index] = toItemResult(index, outcome);
    return results;
  }

  /** One group of single events, numbered in arrival order; answers in the same order. */
  private async recordGroup(brandId: string, events: PreparedEvent[]): Promise<Recorded[]> {
    const numbered = events.map((event, index) => ({ ...event, index }));
    const out = await this.process(brandId, numbered, true);
    return numbered.map((event) => out.get(event.index)!);
  }

  /**
   * Records events (an id repeated inside the request is decided once: its later copies replay
   * the first or conflict with it; so is an order two purchases of the request name: the first
   * in request order is recorded, the later ones find the order taken).
   */
  private async process(
    brandId: string,
    events: PreparedEvent[],
    isolateFailures: boolean,
  ): Promise<Map<number, Recorded>> {
    const first = new Map<string, PreparedEvent>();
    const copies: PreparedEvent[] = [];
    for (const e of events) {
      if (first.has(e.eventId)) copies.push(e);
      else first.set(e.eventId, e);
    }
    const out = new Map<number, Recorded>();
    const orderHolders = new Map<string, PreparedEvent>();
    const sameOrder: [PreparedEvent, PreparedEvent][] = [];
    const primaries: PreparedEvent[] = [];
    for (const e of first.values()) {
      const holder = e.type === 'purchase' ? orderHolders.get(e.order!.id) : undefined;
      if (holder) sameOrder.push([e, holder]);
      else {
        if (e.type === 'purchase') orderHolders.set(e.order!.id, e);
        primaries.push(e);
      }
    }
    const conversions = primaries.filter((e) => e.type !== 'refund');
    const refunds = primaries.filter((e) => e.type === 'refund');
    if (conversions.length > 0) {
      const snapshot = new ConfigSnapshot();
      await this.runIsolated(out, conversions, isolateFailures, (batch) =>
        this.withRetry((em) => this.conversions.record(em, brandId, batch, snapshot)),
      );
    }
    if (refunds.length > 0) {
      await this.runIsolated(out, refunds, isolateFailures, (batch) =>
        this.withRetry((em) => this.refunds.record(em, brandId, batch)),
      );
    }
    for (const [e, holder] of sameOrder) {
      const held = out.get(holder.index)!;
      // The holder's own failure (or an earlier request's hold on the order) is the answer.
      out.set(
        e.index,
        held.kind === 'failed' || held.kind === 'order_taken'
          ? held
          : { kind: 'order_taken', orderId: e.order!.id, heldBy: holder.eventId },
      );
    }
    const recheck: PreparedEvent[] = [];
    for (const copy of copies) {
      const original = out.get(first.get(copy.eventId)!.index)!;
      if (original.kind === 'failed') out.set(copy.index, original);
      else if (first.get(copy.eventId)!.requestHash !== copy.requestHash) {
        // The first item conflicted with the stored event: this one may be that event's own
        // body, which replays. Only the stored event can tell (rare: asked one by one).
        if (original.kind === 'conflict') recheck.push(copy);
        else out.set(copy.index, { kind: 'conflict' });
      } else if (original.kind === 'created' || original.kind === 'replayed') {
        out.set(copy.index, { kind: 'replayed', result: original.result });
      } else out.set(copy.index, original);
    }
    for (const copy of recheck) {
      const snapshot = new ConfigSnapshot();
      await this.runIsolated(out, [copy], isolateFailures, (batch) =>
        this.withRetry((em) =>
          copy.type === 'refund'
            ? this.refunds.record(em, brandId, batch)
            : this.conversions.record(em, brandId, batch, snapshot),
        ),
      );
    }
    return out;
  }

  private async runIsolated(
    out: Map<number, Recorded>,
    events: PreparedEvent[],
    isolateFailures: boolean,
    run: (batch: PreparedEvent[]) => Promise<Map<number, Recorded>>,
  ): Promise<void> {
    try {
      for (const [index, recorded] of await run(events)) out.set(index, recorded);
    } catch (error) {
      if (!isolateFailures || events.length === 1) {
        if (!isolateFailures) throw error;
        out.set(events[0]!.index, { kind: 'failed', error });
        return;
      }
      this.logger.warn({ err: error }, 'event batch failed; recording its events one by one');
      for (const event of events) {
        try {
          for (const [index, recorded] of await run([event])) out.set(index, recorded);
        } catch (itemError) {
          this.logger.error({ err: itemError, index: event.index }, 'event could not be recorded');
          out.set(event.index, { kind: 'failed', error: itemError });
        }
      }
    }
  }

  private async withRetry<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        // PostgreSQL's default READ COMMITTED (naming it would cost one more round trip).
        return await runTransaction(this.dataSource, this.pipelined, work);
      } catch (error) {
        const code =
          (error as { code?: string; driverError?: { code?: string } })?.code ??
          (error as { driverError?: { code?: string } })?.driverError?.code;
        if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE.has(code)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
      }
    }
  }
}

function toItemResult(index: number, outcome: Recorded): BatchItemResultDto {
  switch (outcome.kind) {
    case 'created':
      return { index, status: 201, result: outcome.result };
    case 'replayed':
      return { index, status: 200, result: outcome.result };
    case 'conflict':
    case 'order_taken':
    case 'failed': {
      const { status, body } = toErrorResponse(errorOf(outcome), '');
      return { index, status, error: body.error };
    }
  }
}
