import { readStoredAnswer } from '@/modules/events/event-answer';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { PreparedEvent } from '@/modules/events/event-input';
import { preparedQuery } from '@/database/prepared-query';

export interface GateRow {
  /** Our id (`evt_…`) chosen for the event. */
  id: string;
  event: PreparedEvent;
  /** Our id for the customer if the row is new (`cus_…`). */
  customerId: string | null;
}

export interface RecordedCustomer {
  id: string;
  externalId: string;
  emailNormalized: string | null;
  /** Purchases after this batch. */
  purchases: number;
  /** Signups after this batch. */
  signups: number;
  /** The row was created by this batch. */
  inserted: boolean;
}

export interface StoredAnswer {
  eventId: string;
  requestHash: string;
  answer: Record<string, unknown> | null;
}

/**
 * The idempotency gate: events are inserted first, `ON CONFLICT DO NOTHING`, so of concurrent
 * deliveries of one event id exactly one goes on (the others wait for it, then read its stored
 * answer). The same holds for purchases naming one order under different event ids: one goes
 * in, the others find the order taken (`events_brand_purchase_order_key`). The same statement
 * upserts the customers of the events that went in, which locks their rows: events of one
 * customer are decided one transaction at a time.
 */
@Injectable()
export class EventIntakeRepository {
  async insertEventsAndCustomers(
    em: EntityManager,
    brandId: string,
    rows: GateRow[],
  ): Promise<{ insertedIds: Set<string>; customers: RecordedCustomer[] }> {
    // Sorted so that two batches sharing ids or customers take their locks in the same order.
    const sorted = [...rows].sort((a, b) => (a.event.eventId < b.event.eventId ? -1 : 1));
    const events = sorted.map(({ id, event: e }) => ({
      id,
      brand_id: brandId,
      event_id: e.eventId,
      type: e.type,
      name: e.name,
      occurred_at: e.occurredAt.toISOString(),
      customer_external_id: e.customer?.id ?? null,
      order_id: e.order?.id ?? null,
      order_amount: e.order?.amount ?? null,
      order_currency: e.order?.currency ?? null,
      click_id: e.clickId,
      code: e.code,
      cta_key: e.ctaKey,
      metadata: e.metadata,
      request_hash: e.requestHash,
    }));
    const customers = rows
      .filter((r) => r.event.customer && r.event.type !== 'refund')
      .map((r) => ({
        ord: r.event.index,
        event_id: r.id,
        external_id: r.event.customer!.id,
        email_normalized: r.event.customer!.emailNormalized,
        id: r.customerId,
        purchase: r.event.type === 'purchase' ? 1 : 0,
        signup: r.event.type === 'signup' ? 1 : 0,
      }));
    const result: {
      inserted: string[] | null;
      customers:
        | {
            id: string;
            external_id: string;
            email_normalized: string | null;
            purchases: number;
            signups: number;
            inserted: boolean;
          }[]
        | null;
    }[] = await preparedQuery(
      em,
      'tandem_event_gate',
      `WITH ins AS (
         INSERT INTO events (id, brand_id, event_id, type, name, occurred_at, customer_external_id,
                             order_id, order_amount, order_currency, click_id, code, cta_key,
                             metadata, request_hash)
         SELECT id, brand_id, event_id, type, name, occurred_at, customer_external_id, order_id,
                order_amount, order_currency, click_id, code, cta_key, metadata, request_hash
           FROM jsonb_populate_recordset(null::events, $2::jsonb)
         ON CONFLICT DO NOTHING
         RETURNING id),
       cust AS (
         SELECT c.external_id,
                (array_agg(c.id ORDER BY c.ord))[1] AS id,
                (array_agg(c.email_normalized ORDER BY c.ord DESC)
                   FILTER (WHERE c.email_normalized IS NOT NULL))[1] AS email_normalized,
                sum(c.purchase)::int AS purchases, sum(c.signup)::int AS signups
           FROM json_to_recordset($3::json)
                AS c(ord int, event_id text, external_id text, email_normalized text, id text,
                     purchase int, signup int)
          WHERE c.event_id IN (SELECT id FROM ins)
          GROUP BY c.external_id
          ORDER BY c.external_id),
       up AS (
         INSERT INTO customers (id, brand_id, external_id, email_normalized, first_seen_at,
                                last_seen_at, purchases, signups)
         SELECT id, $1, external_id, email_normalized, now(), now(), purchases, signups FROM cust
         ON CONFLICT (brand_id, external_id) DO UPDATE
            SET email_normalized = COALESCE(EXCLUDED.email_normalized, customers.email_normalized),
                last_seen_at = EXCLUDED.last_seen_at,
                purchases = customers.purchases + EXCLUDED.purchases,
                signups = customers.signups + EXCLUDED.signups
         RETURNING id, external_id, email_normalized, purchases, signups, (xmax = 0) AS inserted)
       SELECT (SELECT json_agg(id) FROM ins) AS inserted, (SELECT json_agg(up) FROM up) AS customers`,
      [brandId, JSON.stringify(events), JSON.stringify(customers)],
    );
    const row = result[0]!;
    return {
      insertedIds: new Set(row.inserted ?? []),
      customers: (row.customers ?? []).map((c) => ({
        id: c.id,
        externalId: c.external_id,
        emailNormalized: c.email_normalized,
        purchases: c.purchases,
        signups: c.signups,
        inserted: c.inserted,
      })),
    };
  }

  /** Removes events this transaction inserted and then refused. */
  async deleteEvents(em: EntityManager, brandId: string, ids: string[]): Promise<void> {
    await em.query(`DELETE FROM events WHERE brand_id = $1 AND id = ANY($2::text[])`, [
      brandId,
      ids,
    ]);
  }

  /** The purchase events (the brand's ids) already holding these orders. */
  async findOrderHolders(
    em: EntityManager,
    brandId: string,
    orderIds: string[],
  ): Promise<Map<string, string>> {
    const rows: { order_id: string; event_id: string }[] = await em.query(
      `SELECT order_id, event_id FROM events
          WHERE brand_id = $1 AND type = 'purchase' AND order_id = ANY($2::text[])`,
      [brandId, orderIds],
    );
    return new Map(rows.map((r) => [r.order_id, r.event_id]));
  }

  /** What earlier deliveries of these event ids were answered (committed rows only). */
  async findStoredAnswers(
    em: EntityManager,
    brandId: string,
    eventIds: string[],
  ): Promise<Map<string, StoredAnswer>> {
    const rows: {
      event_id: string;
      request_hash: string;
      answer: Record<string, unknown> | null;
    }[] = await em.query(
      `SELECT event_id, request_hash, answer FROM events
          WHERE brand_id = $1 AND event_id = ANY($2::text[])`,
      [brandId, eventIds],
    );
    return new Map(
      rows.map((r) => [
        r.event_id,
        { eventId: r.event_id, requestHash: r.request_hash, answer: readStoredAnswer(r.answer) },
      ]),
    );
  }
}
