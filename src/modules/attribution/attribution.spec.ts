import {
  AdvocateInfo,
  attribute,
  AttributionInput,
  LinkInfo,
  ProgramInfo,
  ReferralState,
} from '@/modules/attribution/attribution';

const NOW = new Date('2026-05-10T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

const program = (over: Partial<ProgramInfo> = {}): ProgramInfo => ({
  id: 'prg_A',
  status: 'active',
  startsAt: null,
  endsAt: null,
  createdAt: daysAgo(365),
  windowDays: 30,
  model: 'last_touch',
  ctas: [
    { id: 'cta_ig', key: 'ig-story', channel: 'instagram' },
    { id: 'cta_tt', key: 'tiktok-bio', channel: 'tiktok' },
  ],
  ...over,
});

const link = (id: string, advocateId: string, over: Partial<LinkInfo> = {}): LinkInfo => ({
  linkId: id,
  programId: 'prg_A',
  advocateId,
  ctaId: 'cta_ig',
  ctaKey: 'ig-story',
  channel: 'instagram',
  ...over,
});

const advocate = (id: string, over: Partial<AdvocateInfo> = {}): AdvocateInfo => ({
  id,
  status: 'active',
  externalId: `ext-${id}`,
  emailNormalized: `${id}@example.com`,
  ...over,
});

const referral = (over: Partial<ReferralState> = {}): ReferralState => ({
  id: 'ref_1',
  programId: 'prg_A',
  advocateId: 'adv_alice',
  status: 'pending',
  reason: null,
  ctaId: 'cta_tt',
  channel: 'tiktok',
  createdAt: daysAgo(3),
  ...over,
});

function input(over: Partial<AttributionInput> = {}, programs: ProgramInfo[] = [program()]) {
  return {
    occurredAt: NOW,
    customerExternalId: 'cust-1',
    customerEmailNormalized: 'friend@gmail.com',
    click: null,
    code: null,
    ctaKey: null,
    priorClicks: [],
    referrals: [],
    links: new Map([
      ['lnk_alice', link('lnk_alice', 'adv_alice')],
      [
        'lnk_bob',
        link('lnk_bob', 'adv_bob', { ctaId: 'cta_tt', ctaKey: 'tiktok-bio', channel: 'tiktok' }),
      ],
      ['lnk_other_prog', link('lnk_other_prog', 'adv_bob', { programId: 'prg_B' })],
    ]),
    codes: new Map([
      ['ALICE10', { programId: 'prg_A', advocateId: 'adv_alice' }],
      ['BOB10', { programId: 'prg_A', advocateId: 'adv_bob' }],
      ['PAUSED1', { programId: 'prg_P', advocateId: 'adv_bob' }],
    ]),
    programs: new Map(
      [...programs, program({ id: 'prg_B' }), program({ id: 'prg_P', status: 'paused' })].map(
        (p) => [p.id, p],
      ),
    ),
    advocates: new Map([
      ['adv_alice', advocate('adv_alice')],
      ['adv_bob', advocate('adv_bob')],
    ]),
    ...over,
  } satisfies AttributionInput;
}

const click = (linkId: string, clickedAt: Date, id = `clk-${linkId}`) => ({
  id,
  verified: { linkId, clickedAt },
});

describe('attribution precedence', () => {
  it.each<[string, Partial<AttributionInput>, ProgramInfo[] | undefined, object]>([
    [
      'a valid click in the window',
      { click: click('lnk_alice', daysAgo(1)) },
      undefined,
      {
        status: 'attributed',
        attribution: {
          advocateId: 'adv_alice',
          method: 'click',
          ctaKey: 'ig-story',
          channel: 'instagram',
          clickId: 'clk-lnk_alice',
          model: 'last_touch',
          windowDays: 30,
        },
      },
    ],
    [
      'a forged click and nothing else',
      { click: { id: 'garbage', verified: null } },
      undefined,
      { status: 'unattributed', reason: 'click_id_invalid' },
    ],
    [
      "a genuine click of a link unknown to this brand (another brand's)",
      { click: click('lnk_elsewhere', daysAgo(1)) },
      undefined,
      { status: 'unattributed', reason: 'click_id_invalid' },
    ],
    [
      'a forged click falls through to the code',
      { click: { id: 'garbage', verified: null }, code: 'BOB10' },
      undefined,
      { status: 'attributed', attribution: { advocateId: 'adv_bob', method: 'code' } },
    ],
    [
      'a click outside the window',
      { click: click('lnk_alice', daysAgo(31)) },
      undefined,
      { status: 'unattributed', reason: 'click_outside_window' },
    ],
    [
      'a click on the window edge',
      { click: click('lnk_alice', daysAgo(30)) },
      undefined,
      { status: 'attributed', attribution: { method: 'click' } },
    ],
    [
      'a click outside the window falls through to the code',
      { click: click('lnk_alice', daysAgo(31)), code: 'BOB10' },
      undefined,
      { status: 'attributed', attribution: { advocateId: 'adv_bob', method: 'code' } },
    ],
    [
      'a click stamped well after the event',
      { click: click('lnk_alice', new Date(NOW.getTime() + 3_600_000)) },
      undefined,
      { status: 'unattributed', reason: 'click_outside_window' },
    ],
    [
      'a click a little after the event (clock skew)',
      { click: click('lnk_alice', new Date(NOW.getTime() + 60_000)) },
      undefined,
      { status: 'attributed' },
    ],
    [
      'a click of a paused program',
      { click: click('lnk_alice', daysAgo(1)) },
      [program({ status: 'paused' })],
      { status: 'unattributed', reason: 'program_not_active' },
    ],
    [
      'a click of a program that has not started',
      { click: click('lnk_alice', daysAgo(1)) },
      [program({ startsAt: daysAgo(-1) })],
      { status: 'unattributed', reason: 'program_not_active' },
    ],
    [
      'an event dated before the program was created (no startsAt)',
      { code: 'BOB10', occurredAt: daysAgo(40) },
      [program({ createdAt: daysAgo(10) })],
      { status: 'unattributed', reason: 'program_not_active' },
    ],
    [
      'an event 5 minutes before the creation of a program without startsAt (clock skew)',
      { code: 'BOB10', occurredAt: new Date(daysAgo(10).getTime() - 5 * 60_000) },
      [program({ createdAt: daysAgo(10) })],
      { status: 'attributed', attribution: { advocateId: 'adv_bob', method: 'code' } },
    ],
    [
      'an event dated before startsAt, after the creation',
      { code: 'BOB10', occurredAt: daysAgo(5) },
      [program({ createdAt: daysAgo(10), startsAt: daysAgo(3) })],
      { status: 'unattributed', reason: 'program_not_active' },
    ],
    [
      'a backfilled event after a startsAt set before the creation',
      { code: 'BOB10', occurredAt: daysAgo(40) },
      [program({ createdAt: daysAgo(10), startsAt: daysAgo(60) })],
      { status: 'attributed', attribution: { advocateId: 'adv_bob', method: 'code' } },
    ],
    [
      'an event at the very instant the program ends (endsAt is excluded)',
      { code: 'BOB10' },
      [program({ endsAt: NOW })],
      { status: 'unattributed', reason: 'program_not_active' },
    ],
    [
      'a click of a program that has ended by date',
      { click: click('lnk_alice', daysAgo(1)) },
      [program({ endsAt: daysAgo(0.5) })],
      { status: 'unattributed', reason: 'program_not_active' },
    ],
    [
      'a click beats a code',
      { click: click('lnk_alice', daysAgo(1)), code: 'BOB10' },
      undefined,
      { status: 'attributed', attribution: { advocateId: 'adv_alice', method: 'click' } },
    ],
    [
      'a code with a known CTA key',
      { code: 'ALICE10', ctaKey: 'tiktok-bio' },
      undefined,
      {
        status: 'attributed',
        attribution: {
          advocateId: 'adv_alice',
          method: 'code',
          ctaId: 'cta_tt',
          ctaKey: 'tiktok-bio',
          channel: 'tiktok',
          clickId: null,
        },
      },
    ],
    [
      'a code with an unknown CTA key',
      { code: 'ALICE10', ctaKey: 'nope' },
      undefined,
      { status: 'attributed', attribution: { method: 'code', ctaKey: null, channel: null } },
    ],
    [
      'an unknown code',
      { code: 'NOPE99' },
      undefined,
      { status: 'unattributed', reason: 'unknown_code' },
    ],
    [
      'a code of a paused program',
      { code: 'PAUSED1' },
      undefined,
      { status: 'unattributed', reason: 'program_not_active' },
    ],
    [
      'an unknown code falls through to the referral',
      { code: 'NOPE99', referrals: [referral()] },
      undefined,
      {
        status: 'attributed',
        attribution: {
          advocateId: 'adv_alice',
          method: 'referral',
          ctaKey: 'tiktok-bio',
          channel: 'tiktok',
        },
        referral: { kind: 'existing', id: 'ref_1', change: null },
      },
    ],
    [
      'the existing referral alone (sticky)',
      { referrals: [referral({ status: 'converted' })] },
      undefined,
      { status: 'attributed', attribution: { advocateId: 'adv_alice', method: 'referral' } },
    ],
    [
      'the most recent referral in a live program',
      {
        referrals: [
          referral({
            id: 'ref_old',
            programId: 'prg_B',
            advocateId: 'adv_bob',
            createdAt: daysAgo(9),
          }),
          referral({ id: 'ref_new', createdAt: daysAgo(2) }),
          referral({ id: 'ref_paused', programId: 'prg_P', createdAt: daysAgo(1) }),
        ],
      },
      undefined,
      { status: 'attributed', attribution: { programId: 'prg_A' }, referral: { id: 'ref_new' } },
    ],
    [
      'a referral in a paused program only',
      { referrals: [referral({ programId: 'prg_P' })] },
      undefined,
      { status: 'unattributed', reason: 'program_not_active' },
    ],
    ['no signal at all', {}, undefined, { status: 'unattributed', reason: 'no_referral_signal' }],
  ])('%s', (_name, over, programs, expected) => {
    expect(attribute(input(over, programs))).toMatchObject(expected);
  });
});

describe('first and last touch', () => {
  const older = { clickId: 'clk-bob-old', linkId: 'lnk_bob', clickedAt: daysAgo(5) };
  const newer = { clickId: 'clk-bob-new', linkId: 'lnk_bob', clickedAt: NOW };

  it('last touch: the newest of the known clicks', () => {
    const d = attribute(
      input({ click: click('lnk_alice', daysAgo(2)), priorClicks: [older, newer] }),
    );
    expect(d).toMatchObject({ attribution: { advocateId: 'adv_bob', clickId: 'clk-bob-new' } });
  });

  it('first touch: the oldest of the known clicks', () => {
    const d = attribute(
      input({ click: click('lnk_alice', daysAgo(2)), priorClicks: [older, newer] }, [
        program({ model: 'first_touch' }),
      ]),
    );
    expect(d).toMatchObject({
      attribution: { advocateId: 'adv_bob', clickId: 'clk-bob-old', model: 'first_touch' },
    });
  });

  it('ignores earlier clicks outside the window or of another program', () => {
    const d = attribute(
      input(
        {
          click: click('lnk_alice', daysAgo(2)),
          priorClicks: [
            { clickId: 'too-old', linkId: 'lnk_bob', clickedAt: daysAgo(40) },
            { clickId: 'other', linkId: 'lnk_other_prog', clickedAt: daysAgo(10) },
          ],
        },
        [program({ model: 'first_touch' })],
      ),
    );
    expect(d).toMatchObject({ attribution: { advocateId: 'adv_alice', clickId: 'clk-lnk_alice' } });
  });
});

describe('one referral per friend and program', () => {
  it('a converted referral keeps later purchases with its advocate', () => {
    const d = attribute(
      input({
        click: click('lnk_bob', daysAgo(1)),
        referrals: [referral({ status: 'converted' })],
      }),
    );
    expect(d).toMatchObject({
      status: 'attributed',
      attribution: { advocateId: 'adv_alice', method: 'referral' },
      referral: { kind: 'existing', id: 'ref_1', change: null },
    });
  });

  it('last touch moves a pending referral to the newer advocate', () => {
    const d = attribute(input({ code: 'BOB10', referrals: [referral()] }));
    expect(d).toMatchObject({
      attribution: { advocateId: 'adv_bob', method: 'code' },
      referral: { kind: 'existing', id: 'ref_1', change: 'repoint' },
    });
  });

  it('first touch keeps a pending referral with its advocate', () => {
    const d = attribute(
      input({ code: 'BOB10', referrals: [referral()] }, [program({ model: 'first_touch' })]),
    );
    expect(d).toMatchObject({
      attribution: { advocateId: 'adv_alice', method: 'referral' },
      referral: { change: null },
    });
  });

  it('the same advocate keeps the referral and reports the click', () => {
    const d = attribute(input({ click: click('lnk_alice', daysAgo(1)), referrals: [referral()] }));
    expect(d).toMatchObject({
      attribution: { advocateId: 'adv_alice', method: 'click' },
      referral: { kind: 'existing', change: null },
    });
  });

  it('a rejected referral stays rejected', () => {
    const d = attribute(
      input({
        click: click('lnk_bob', daysAgo(1)),
        referrals: [referral({ status: 'rejected', reason: 'self_referral' })],
      }),
    );
    expect(d).toMatchObject({ status: 'rejected', reason: 'self_referral' });
  });
});

describe('who may be rewarded', () => {
  it.each<[string, Partial<AttributionInput>, object]>([
    [
      'self-referral: same external id',
      { customerExternalId: 'ext-adv_alice', code: 'ALICE10' },
      {
        status: 'rejected',
        reason: 'self_referral',
        referral: { kind: 'new', status: 'rejected', reason: 'self_referral' },
      },
    ],
    [
      'self-referral: same normalised e-mail',
      { customerEmailNormalized: 'adv_alice@example.com', code: 'ALICE10' },
      { status: 'rejected', reason: 'self_referral' },
    ],
    [
      'self-referral detected on a pending referral rejects it',
      { customerEmailNormalized: 'adv_alice@example.com', referrals: [referral()] },
      {
        status: 'rejected',
        reason: 'self_referral',
        referral: { kind: 'existing', change: 'reject' },
      },
    ],
    [
      'no e-mail on either side is not a match',
      { customerEmailNormalized: null, code: 'ALICE10' },
      { status: 'attributed' },
    ],
    [
      'a banned advocate earns nothing and records no referral',
      {
        code: 'ALICE10',
        advocates: new Map([['adv_alice', advocate('adv_alice', { status: 'banned' })]]),
      },
      { status: 'rejected', reason: 'advocate_banned', referral: null },
    ],
    [
      "a paused advocate's rewards are held",
      {
        code: 'ALICE10',
        advocates: new Map([['adv_alice', advocate('adv_alice', { status: 'paused' })]]),
      },
      {
        status: 'attributed',
        holdReason: 'advocate_paused',
        referral: { kind: 'new', status: 'pending' },
      },
    ],
  ])('%s', (_name, over, expected) => {
    expect(attribute(input(over))).toMatchObject(expected);
  });
});
