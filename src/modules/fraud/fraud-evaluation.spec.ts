import { evaluateFraudRules, FraudFacts } from '@/modules/fraud/fraud-evaluation';
import { DEFAULT_FRAUD_RULES, FraudRules, resolveFraudRules } from '@/modules/fraud/fraud-rules';

const NOW = new Date('2026-05-10T12:00:00Z');

/** A legitimate friend: a human click an hour before the purchase, gmail, first referral. */
const facts = (over: Partial<FraudFacts> = {}): FraudFacts => ({
  eventType: 'purchase',
  occurredAt: NOW,
  newReferral: true,
  emailDomain: 'gmail.com',
  eventClickedAt: new Date(NOW.getTime() - 3_600_000),
  click: { isBot: false, uaFamily: 'Safari' },
  velocity: { lastHour: 1, lastDay: 1 },
  identityAdvocates: 1,
  sharedVisitor: null,
  ...over,
});
const rules = (over: Record<string, unknown> = {}): FraudRules => resolveFraudRules(over);
const triggered = (f: FraudFacts, r: FraudRules = DEFAULT_FRAUD_RULES) =>
  evaluateFraudRules(r, f).map((t) => t.rule);

describe('fraud rules', () => {
  it('let a legitimate friend through', () => {
    expect(triggered(facts())).toEqual([]);
  });

  it.each<[string, Partial<FraudFacts>, string]>([
    ['the advocate’s own device', { sharedVisitor: 'advocate' }, 'sameVisitor'],
    ['the device of another friend of the advocate', { sharedVisitor: 'friend' }, 'sameVisitor'],
    ['a disposable e-mail', { emailDomain: 'mailinator.com' }, 'disposableEmail'],
    ['a reserved e-mail domain', { emailDomain: 'shop.test' }, 'disposableEmail'],
    [
      'more than 20 new referrals in an hour',
      { velocity: { lastHour: 21, lastDay: 21 } },
      'velocity',
    ],
    [
      'more than 100 new referrals in a day',
      { velocity: { lastHour: 3, lastDay: 101 } },
      'velocity',
    ],
    ['a friend under two advocates', { identityAdvocates: 2 }, 'multipleAdvocates'],
    ['a bot click', { click: { isBot: true, uaFamily: 'bot' } }, 'botClick'],
    ['a curl click', { click: { isBot: false, uaFamily: 'curl' } }, 'botClick'],
    [
      'a purchase 3 s after the click',
      { eventClickedAt: new Date(NOW.getTime() - 3_000) },
      'fastConversion',
    ],
  ])('hold %s', (_name, over, rule) => {
    expect(triggered(facts(over))).toEqual([rule]);
  });

  it('give details without personal data', () => {
    const [velocity] = evaluateFraudRules(
      DEFAULT_FRAUD_RULES,
      facts({ velocity: { lastHour: 21, lastDay: 40 } }),
    );
    expect(velocity!.detail).toBe('21 new referrals for the advocate in the last hour (limit 20)');
    const [email] = evaluateFraudRules(
      DEFAULT_FRAUD_RULES,
      facts({ emailDomain: 'mailinator.com' }),
    );
    expect(email!.detail).toBe('e-mail domain mailinator.com is a disposable e-mail service');
  });

  it('report every rule that triggers', () => {
    expect(
      triggered(
        facts({
          emailDomain: 'yopmail.com',
          click: { isBot: true, uaFamily: 'bot' },
          eventClickedAt: new Date(NOW.getTime() - 1_000),
        }),
      ),
    ).toEqual(['disposableEmail', 'botClick', 'fastConversion']);
  });

  it('stay quiet when switched off or when their threshold is not passed', () => {
    const f = facts({
      sharedVisitor: 'friend',
      emailDomain: 'mailinator.com',
      velocity: { lastHour: 21, lastDay: 21 },
      identityAdvocates: 2,
      click: { isBot: true, uaFamily: 'bot' },
      eventClickedAt: NOW,
    });
    const off = rules(
      Object.fromEntries(
        [
          'sameVisitor',
          'disposableEmail',
          'velocity',
          'multipleAdvocates',
          'botClick',
          'fastConversion',
        ].map((k) => [k, { enabled: false }]),
      ),
    );
    expect(triggered(f, off)).toEqual([]);
    expect(
      triggered(
        facts({ velocity: { lastHour: 21, lastDay: 21 } }),
        rules({ velocity: { maxPerHour: 50 } }),
      ),
    ).toEqual([]);
    expect(
      triggered(facts({ identityAdvocates: 2 }), rules({ multipleAdvocates: { maxAdvocates: 2 } })),
    ).toEqual([]);
    expect(
      triggered(
        facts({ eventClickedAt: new Date(NOW.getTime() - 3_000) }),
        rules({ fastConversion: { minSeconds: 2 } }),
      ),
    ).toEqual([]);
  });

  it('count velocity on new referrals only, and speed on purchases only', () => {
    expect(
      triggered(facts({ newReferral: false, velocity: { lastHour: 50, lastDay: 50 } })),
    ).toEqual([]);
    expect(triggered(facts({ eventType: 'signup', eventClickedAt: NOW }))).toEqual([]);
  });

  it('never judge what is unknown (no click row, no e-mail)', () => {
    expect(
      triggered(
        facts({
          click: null,
          emailDomain: null,
          velocity: null,
          identityAdvocates: null,
          eventClickedAt: null,
        }),
      ),
    ).toEqual([]);
  });
});
