// Shared setup for the raw-HTTP stand-in tests: a fresh stand-in per test, spec validators, helpers.
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startCloudflareStandin, type CloudflareStandin } from '../../standins/cloudflare/index.js';
import { call, type RawAnswer } from './cloudflare-http.js';
import { loadCloudflareSpec, type SpecValidator } from './cloudflare-spec.js';

export const TOKEN = 'cf-test-token-aaaaaaaaaaaaaaaaaaaaaaaaaa';

export const OP = {
  zones: 'zones-get',
  list: 'dns-records-for-a-zone-list-dns-records',
  create: 'dns-records-for-a-zone-create-dns-record',
  get: 'dns-records-for-a-zone-dns-record-details',
  put: 'dns-records-for-a-zone-update-dns-record',
  patch: 'dns-records-for-a-zone-patch-dns-record',
  del: 'dns-records-for-a-zone-delete-dns-record',
  batch: 'dns-records-for-a-zone-batch-dns-records',
};

export interface Fixture {
  /** Stand-in with zones example.com and example.net, fresh for each test. */
  cf: CloudflareStandin;
  /** Id of example.com. */
  zoneId: string;
  /** The spec with the documented real-API differences applied. */
  spec: SpecValidator;
  /** The spec exactly as published (loaded on first use). */
  readonly publishedSpec: SpecValidator;
  /** Authenticated raw request below the base URL. */
  api(method: string, path: string, body?: unknown): Promise<RawAnswer>;
  /** `/zones/<example.com id>/dns_records<suffix>`. */
  recordsPath(suffix?: string): string;
  /** Asserts the answer matches the operation's response schema for its status. */
  expectValid(operationId: string, res: RawAnswer): void;
}

export function useStandin(): Fixture {
  let publishedSpec: SpecValidator | undefined;
  const fx: Fixture = {
    cf: undefined as unknown as CloudflareStandin, // set before each test
    zoneId: '',
    spec: undefined as unknown as SpecValidator, // set before all tests
    get publishedSpec() {
      return (publishedSpec ??= loadCloudflareSpec({ realApi: false })); // only a few tests need it
    },
    api: (method, path, body) => call(fx.cf.url, method, path, { token: TOKEN, body }),
    recordsPath: (suffix = '') => `/zones/${fx.zoneId}/dns_records${suffix}`,
    expectValid(operationId, res) {
      expect(fx.spec.response(operationId, res.status, res.body), JSON.stringify(res.body)).toEqual([]);
    },
  };
  beforeAll(() => {
    fx.spec = loadCloudflareSpec({ realApi: true });
  });
  beforeEach(async () => {
    fx.cf = await startCloudflareStandin({ token: TOKEN, zones: [{ name: 'example.com' }, { name: 'example.net' }] });
    fx.zoneId = fx.cf.zoneId('example.com');
  });
  afterEach(async () => {
    await fx.cf.close();
  });
  return fx;
}

/** The detailed code: the first `error_chain` entry when there is one (1004 "DNS Validation Error"). */
export const firstCode = (res: RawAnswer): number => res.body.errors[0].error_chain?.[0]?.code ?? res.body.errors[0].code;

export function expectFailure(res: RawAnswer, status: number, code: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ success: false, result: null, messages: [] });
  expect(firstCode(res)).toBe(code);
}
