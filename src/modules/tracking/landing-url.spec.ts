import { isHttpUrl, trackedUrl, trackedUrlTemplate } from '@/modules/tracking/landing-url';

describe('tracked landing URL', () => {
  const values = {
    code: 'ANNA2026',
    channel: 'instagram',
    programId: 'prg_4f9T2kQ8mZ1xYb7cD3eF',
    ctaKey: 'ig-story',
  };
  const build = (landing: string) => trackedUrl(trackedUrlTemplate(landing, values), 'CLICK');

  it('adds ref, the UTM parameters and the click id to a bare URL', () => {
    const url = new URL(build('https://shop.example.com/welcome'));
    expect(url.origin + url.pathname).toBe('https://shop.example.com/welcome');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      ref: 'ANNA2026',
      tclid: 'CLICK',
      utm_source: 'instagram',
      utm_medium: 'referral',
      utm_campaign: 'prg_4f9T2kQ8mZ1xYb7cD3eF',
      utm_content: 'ig-story',
    });
  });

  it("keeps the landing URL's own query byte for byte and the fragment last", () => {
    expect(build('https://shop.example.com/p?lang=fr&q=a%20b+c&flag#offer')).toBe(
      'https://shop.example.com/p?lang=fr&q=a%20b+c&flag&ref=ANNA2026&utm_source=instagram' +
        '&utm_medium=referral&utm_campaign=prg_4f9T2kQ8mZ1xYb7cD3eF&utm_content=ig-story&tclid=CLICK#offer',
    );
  });

  it('replaces parameters of the same name, also when encoded or repeated', () => {
    const url = new URL(
      build(
        'https://shop.example.com/?utm_source=newsletter&ref=OLD&utm%5Fmedium=x&tclid=1&tclid=2&keep=1',
      ),
    );
    expect(url.searchParams.getAll('utm_source')).toEqual(['instagram']);
    expect(url.searchParams.getAll('ref')).toEqual(['ANNA2026']);
    expect(url.searchParams.getAll('utm_medium')).toEqual(['referral']);
    expect(url.searchParams.getAll('tclid')).toEqual(['CLICK']);
    expect(url.searchParams.get('keep')).toBe('1');
  });

  it('handles an empty query and a trailing "?"', () => {
    expect(build('https://shop.example.com/?')).toMatch(/^https:\/\/shop\.example\.com\/\?ref=/);
    expect(build('https://shop.example.com/#top')).toMatch(/tclid=CLICK#top$/);
  });

  it('encodes values that need it', () => {
    const url = trackedUrl(
      trackedUrlTemplate('https://x.example/', { ...values, code: 'A&B', ctaKey: 'a b' }),
      'C',
    );
    expect(new URL(url).searchParams.get('ref')).toBe('A&B');
    expect(new URL(url).searchParams.get('utm_content')).toBe('a b');
  });

  it('accepts only absolute http(s) URLs as targets', () => {
    expect(isHttpUrl('https://shop.example.com')).toBe(true);
    expect(isHttpUrl('http://localhost:8080/x')).toBe(true);
    expect(isHttpUrl('javascript:alert(1)')).toBe(false);
    expect(isHttpUrl('/relative')).toBe(false);
    expect(isHttpUrl('ftp://x.example/')).toBe(false);
  });
});
