import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import {
  ClaimedDelivery,
  WebhookDispatchRepository,
} from '@/modules/webhooks/webhook-dispatch.repository';
import { retryDelayMs } from '@/modules/webhooks/webhook-retry';
import { WebhookSecretBox } from '@/modules/webhooks/webhook-secret-box';
import { WebhookSender } from '@/modules/webhooks/webhook-sender';
import { signatureHeader } from '@/modules/webhooks/webhook-signature';

const USER_AGENT = 'Tandem-Webhooks/1.0';
const PRUNE_EVERY_MS = 3_600_000;
const PRUNE_BATCH = 1_000;

/**
 * Delivers the outbox. Every instance runs one: a timer claims due deliveries (as many as it
 * has free slots, WEBHOOKS_CONCURRENCY), sends each signed, and records the attempt. Claims use
 * FOR UPDATE SKIP LOCKED plus a lease, so any number of instances share the work without
 * sending a delivery twice at once; a crashed instance's deliveries are retried when their
 * lease runs out (delivery is at least once: receivers de-duplicate by Tandem-Event-Id).
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly box: WebhookSecretBox;
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private pumping?: Promise<void>;
  private stopped = false;
  private lastPrune = 0;

  constructor(
    private readonly repository: WebhookDispatchRepository,
    private readonly sender: WebhookSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.box = new WebhookSecretBox(config.secret);
  }

  onApplicationBootstrap(): void {
    const every = this.config.webhooks.dispatchIntervalMs;
    if (every <= 0) return;
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  /** Stops claiming and lets the requests in flight finish (each is bounded by the timeout). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.pumping?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Sends everything due now and waits for it, including retries that fall due meanwhile,
   * until nothing is due (for tests and scripts; the timer does this continuously).
   */
  async drain(): Promise<void> {
    for (;;) {
      await this.pump();
      if (this.inFlight.size === 0) {
        await this.pump();
        if (this.inFlight.size === 0) return;
      }
      await Promise.race([...this.inFlight]);
    }
  }

  private tick(): void {
    if (this.stopped) return;
    this.pump().catch((err: unknown) => this.logger.error({ err }, 'webhook dispatch failed'));
    if (Date.now() - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      this.repository
        .prune(this.config.webhooks.retentionDays, PRUNE_BATCH)
        .catch((err: unknown) => this.logger.error({ err }, 'webhook retention failed'));
    }
  }

  /** Claims what the free slots allow and starts sending; one claim loop at a time. */
  private pump(): Promise<void> {
    if (this.pumping) return this.pumping;
    const run = (async () => {
      const { concurrency, timeoutMs } = this.config.webhooks;
      while (!this.stopped) {
        const free = concurrency - this.inFlight.size;
        if (free <= 0) return;
        // The lease outlives the request (timeout) and recording it, by a margin.
        const claimed = await this.repository.claim(free, timeoutMs + 60_000);
        for (const delivery of claimed) this.start(delivery);
        if (claimed.length < free) return; // nothing more is due now
      }
    })();
    this.pumping = run;
    const clear = () => {
      if (this.pumping === run) this.pumping = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  private start(delivery: ClaimedDelivery): void {
    const task = this.deliver(delivery)
      .catch((err: unknown) =>
        // The lease runs out and another attempt follows; nothing is lost.
        this.logger.error({ err, deliveryId: delivery.id }, 'could not record a webhook attempt'),
      )
      .finally(() => {
        this.inFlight.delete(task);
        // Refill in bulk once half the slots are free (one claim for many deliveries); a
        // success may also have released the next delivery of its ordering key.
        const refill = this.inFlight.size <= this.config.webhooks.concurrency / 2;
        if (refill && !this.stopped) {
          this.pump().catch((err: unknown) =>
            this.logger.error({ err }, 'webhook dispatch failed'),
          );
        }
      });
    this.inFlight.add(task);
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const w = this.config.webhooks;
    const startedAt = new Date();
    const secret = this.box.open(d.endpointId, d.secretCiphertext);
    const result = secret
      ? await this.send(d, secret)
      : {
          statusCode: null,
          responseExcerpt: null,
          error: 'the endpoint secret cannot be decrypted (was TANDEM_SECRET changed?): rotate it',
          durationMs: 0,
        };
    const success =
      result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const recorded = await this.repository.record({
      delivery: d,
      startedAt,
      ...result,
      success,
      retryDelayMs: success ? 0 : retryDelayMs(d.attempt, w.retryBaseMs, w.retryMaxDelayMs),
      disableAfterFailures: w.disableAfterFailures,
    });
    if (!success) {
      this.logger.warn(
        {
          deliveryId: d.id,
          endpointId: d.endpointId,
          attempt: d.attempt,
          statusCode: result.statusCode,
          error: result.error,
          final: recorded.finalFailure,
        },
        'webhook attempt failed',
      );
    }
    if (recorded.endpointDisabled) {
      this.logger.warn(
        { endpointId: d.endpointId },
        'webhook endpoint disabled after repeated failures',
      );
    }
  }

  private send(d: ClaimedDelivery, secret: string) {
    const body = JSON.stringify({
      id: d.eventId,
      type: d.type,
      createdAt: d.eventCreatedAt,
      data: d.payload,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    return this.sender.send(
      d.url,
      {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'tandem-event-id': d.eventId,
        'tandem-event-type': d.type,
        'tandem-delivery-id': d.id,
        'tandem-attempt': String(d.attempt),
        'tandem-signature': signatureHeader(secret, timestamp, body),
      },
      body,
      this.config.webhooks.timeoutMs,
      this.config.webhooks,
    );
  }
}
