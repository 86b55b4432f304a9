import type { EventResultDto } from '@/modules/events/dto/event-result.dto';

/** What became of one event of a request. */
export type Recorded =
  | { kind: 'created'; result: EventResultDto }
  | { kind: 'replayed'; result: EventResultDto }
  /** The id was used before with another body. */
  | { kind: 'conflict' }
  /** A purchase naming an order that another purchase event (`heldBy`, the brand's id) holds. */
  | { kind: 'order_taken'; orderId: string; heldBy: string }
  | { kind: 'failed'; error: unknown };
