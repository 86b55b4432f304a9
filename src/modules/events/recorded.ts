import type { EventResultDto } from '@/modules/events/dto/event-result.dto';

/** What became of one event of a request. */
export type Recorded =
  | { kind: 'created'; result: EventResultDto }
  | { kind: 'replayed'; result: EventResultDto }
  /** The id was used before with another body. */
  | { kind: 'conflict' }
  | { kind: 'failed'; error: unknown };
