import { referrerHost } from '@/modules/tracking/referrer';

describe('referrer host', () => {
  it.each([
    ['https://l.instagram.com/?u=https%3A%2F%2Fgo.example%2Fr%2Fabc&e=xyz', 'l.instagram.com'],
    ['https://WWW.TikTok.com:443/@anna/video/1?lang=en', 'www.tiktok.com'],
    ['https://user:pw@mail.example.com/inbox#x', 'mail.example.com'],
    ['android-app://com.instagram.android/', 'com.instagram.android'],
    ['http://[2001:db8::1]:8080/x', '[2001:db8::1]'],
  ])('keeps only the host of %s', (referer, host) => {
    expect(referrerHost(referer)).toBe(host);
  });

  it.each([undefined, '', 'not a url', '/relative/path', 'https:///nohost'])(
    'is null for %p',
    (referer) => {
      expect(referrerHost(referer)).toBeNull();
    },
  );
});
