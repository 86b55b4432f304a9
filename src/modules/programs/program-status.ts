import { AppError } from '@/common/errors/app-error';
import { ProgramStatus } from '@/modules/programs/program.entity';

/** Allowed status changes; `ended` is final (links stop earning, history stays). */
const TRANSITIONS: Record<ProgramStatus, readonly ProgramStatus[]> = {
  draft: ['active', 'ended'],
  active: ['paused', 'ended'],
  paused: ['active', 'ended'],
  ended: [],
};

export function canTransition(from: ProgramStatus, to: ProgramStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/** Throws 409 invalid_status_transition unless `from → to` is allowed (same status: no-op). */
export function assertTransition(from: ProgramStatus, to: ProgramStatus): void {
  if (canTransition(from, to)) return;
  throw new AppError('invalid_status_transition', `A program cannot change from ${from} to ${to}`, [
    { field: 'status', issue: `cannot change from ${from} to ${to}` },
  ]);
}
