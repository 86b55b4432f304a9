import { queryEncodingIssue } from '@/common/http/query-encoding';

describe('queryEncodingIssue', () => {
  it.each([
    '/v1/advocates?search=%ZZ',
    '/v1/advocates?search=%E0%A4%A',
    '/v1/rewards?programId=%ED%A0%80',
    '/v1/advocates?tag=vip&search=50%',
    '/v1/advocates?sea%Zrch=x',
  ])('refuses %s', (url) => {
    expect(queryEncodingIssue(url)).toMatch(/malformed percent-encoding/);
  });

  it.each([
    '/v1/advocates',
    '/v1/advocates?search=alice',
    '/v1/advocates?search=Jos%C3%A9&tag=vip',
    '/v1/advocates?search=50%25+off',
    '/v1/advocates?search=%F0%9F%98%80',
    '/v1/programs/prg_1/kpis?from=2026-03-01T00%3A00%3A00%2B01%3A00',
  ])('accepts %s', (url) => {
    expect(queryEncodingIssue(url)).toBeNull();
  });
});
