import {
  canonicalUserAgentFamilies,
  DEFAULT_FRAUD_RULES,
  resolveFraudRules,
} from '@/modules/fraud/fraud-rules';

describe('fraud rule settings', () => {
  it('are all on by default with production thresholds', () => {
    const rules = resolveFraudRules(null);
    expect(rules).toEqual(DEFAULT_FRAUD_RULES);
    expect(Object.values(rules).every((r) => r.enabled)).toBe(true);
    expect(rules.velocity).toMatchObject({ maxPerHour: 20, maxPerDay: 100 });
    expect(rules.fastConversion.minSeconds).toBe(10);
  });

  it('take what is stored, field by field, over the defaults', () => {
    const rules = resolveFraudRules({
      velocity: { maxPerHour: 5 },
      sameVisitor: { enabled: false },
      disposableEmail: { blockedDomains: ['relay.example.net'] },
    });
    expect(rules.velocity).toEqual({ enabled: true, maxPerHour: 5, maxPerDay: 100 });
    expect(rules.sameVisitor.enabled).toBe(false);
    expect(rules.disposableEmail.blockedDomains).toEqual(['relay.example.net']);
    expect(rules.botClick).toEqual(DEFAULT_FRAUD_RULES.botClick);
  });

  it('ignore what is malformed instead of failing event intake', () => {
    const rules = resolveFraudRules({
      velocity: { maxPerHour: '5', maxPerDay: -1, unknown: 1 },
      botClick: 'yes',
      fastConversion: { minSeconds: 2.5, enabled: 'no' },
      disposableEmail: { blockedDomains: [1] },
    });
    expect(rules).toEqual(DEFAULT_FRAUD_RULES);
  });

  it('never share arrays with the defaults', () => {
    resolveFraudRules(null).botClick.userAgentFamilies.push('other');
    expect(DEFAULT_FRAUD_RULES.botClick.userAgentFamilies).toEqual(['curl']);
  });

  it('take botClick families in any case, in the spelling clicks record, and name unknown ones', () => {
    expect(canonicalUserAgentFamilies(['CURL', 'tiktok IN-APP', 'curl', ' Other '], 'f')).toEqual({
      families: ['curl', 'TikTok in-app', 'other'],
      issues: [],
    });
    const { issues } = canonicalUserAgentFamilies(['bot', 'wget', 'chrome', 'Chromium'], 'f');
    expect(issues.map((i) => i.field)).toEqual(['f[1]', 'f[3]']);
    expect(issues[0]!.issue).toMatch(
      /^must be a user-agent family clicks record \(in any case\): /,
    );
  });
});
