import { classifyEmailDomain, emailDomain } from '@/modules/fraud/email-domains';

describe('e-mail domains', () => {
  it('takes the domain of an address', () => {
    expect(emailDomain('jane@Gmail.com')).toBe('gmail.com');
    expect(emailDomain(null)).toBeNull();
    expect(emailDomain('nobody')).toBeNull();
  });

  it.each([
    ['mailinator.com', 'disposable'],
    ['yopmail.com', 'disposable'],
    ['guerrillamail.com', 'disposable'],
    ['mx.mailinator.com', 'disposable'], // subdomain of a listed domain
    ['anything.33mail.com', 'disposable'], // wildcard list
    ['[127.0.0.1]', 'suspicious'],
    ['10.0.0.1', 'suspicious'],
    ['localhost', 'suspicious'],
    ['shop.test', 'suspicious'],
    ['mail.invalid', 'suspicious'],
    ['gmail.com', null],
    ['example.com', null],
    ['acme-corp.co.uk', null],
  ])('%s → %s', (domain, verdict) => {
    expect(classifyEmailDomain(domain)).toBe(verdict);
  });

  it("blocks the brand's own domains and never flags its allowed ones", () => {
    const options = { blockedDomains: ['relay.example.net'], allowedDomains: ['yopmail.com'] };
    expect(classifyEmailDomain('relay.example.net', options)).toBe('blocked');
    expect(classifyEmailDomain('eu.relay.example.net', options)).toBe('blocked');
    expect(classifyEmailDomain('yopmail.com', options)).toBeNull();
    expect(classifyEmailDomain('mailinator.com', options)).toBe('disposable');
  });
});
