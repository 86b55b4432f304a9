import { TimezoneNames } from '@/modules/analytics/kpi-period.resolver';

describe('TimezoneNames', () => {
  const zones = new TimezoneNames(['UTC', 'Europe/Paris', 'America/New_York', 'Etc/GMT+1']);

  it('matches a name in any case and answers with the listed spelling', () => {
    expect(zones.canonical('UTC')).toBe('UTC');
    expect(zones.canonical('utc')).toBe('UTC');
    expect(zones.canonical('Utc')).toBe('UTC');
    expect(zones.canonical('europe/paris')).toBe('Europe/Paris');
    expect(zones.canonical('AMERICA/NEW_YORK')).toBe('America/New_York');
    expect(zones.canonical('etc/gmt+1')).toBe('Etc/GMT+1');
  });

  it('refuses what is not listed', () => {
    for (const name of ['Mars/Olympus_Mons', 'Paris', 'Europe/Paris ', '']) {
      expect([name, zones.canonical(name)]).toEqual([name, undefined]);
    }
  });

  it('takes only exact spellings of names that differ only in case', () => {
    const clash = new TimezoneNames(['UTC', 'Foo/Bar', 'foo/bar']);
    expect(clash.canonical('Foo/Bar')).toBe('Foo/Bar');
    expect(clash.canonical('foo/bar')).toBe('foo/bar');
    expect(clash.canonical('FOO/BAR')).toBeUndefined();
    expect(clash.canonical('utc')).toBe('UTC');
  });
});
