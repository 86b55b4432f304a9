import { AppError } from '@/common/errors/app-error';
import { assertTransition, canTransition } from '@/modules/programs/program-status';
import { PROGRAM_STATUSES } from '@/modules/programs/program.entity';

describe('program status transitions', () => {
  const legal = [
    'draft>active',
    'active>paused',
    'paused>active',
    'active>ended',
    'paused>ended',
    'draft>ended',
  ];

  it('allows exactly the documented changes, and staying put', () => {
    for (const from of PROGRAM_STATUSES) {
      for (const to of PROGRAM_STATUSES) {
        const expected = from === to || legal.includes(`${from}>${to}`);
        expect([`${from}>${to}`, canTransition(from, to)]).toEqual([`${from}>${to}`, expected]);
      }
    }
  });

  it('answers an illegal change with invalid_status_transition naming the status', () => {
    let caught: unknown;
    try {
      assertTransition('ended', 'active');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('invalid_status_transition');
    expect((caught as AppError).details).toEqual([
      { field: 'status', issue: 'cannot change from ended to active' },
    ]);
  });
});
