// Catalogue of the Cloudflare errors the stand-in produces.
// Codes and wording marked "seen" were observed in real answers quoted in public bug reports (see
// /work/shared/reference/cloudflare-telegram.md §1.5); the others are best guesses, flagged "guess".
import { ApiError } from './envelope.js';

const SAME_NAME_DOC =
  'For more details, refer to <https://developers.cloudflare.com/dns/manage-dns-records/troubleshooting/records-with-same-name/>.';

const one = (status: number, code: number, message: string): ApiError =>
  new ApiError(status, [{ code, message }]);

// 1004 wraps most field validations, with the detail in error_chain (seen for 9021, 9300).
const validation = (code: number, message: string): ApiError =>
  new ApiError(400, [{ code: 1004, message: 'DNS Validation Error', error_chain: [{ code, message }] }]);

export const cfErrors = {
  // Routing and request format.
  noRoute: () => one(404, 7003, 'No route for the URI'), // spec example; status 404 per brief
  badIdentifier: (path: string) =>
    one(400, 7003, `Could not route to ${path}, perhaps your object identifier is invalid?`), // seen
  malformedJson: () => one(400, 6007, 'Malformed JSON in request body'), // guess (wording widely quoted)

  // Authentication.
  missingAuth: () => one(400, 9106, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers'), // seen
  badAuthHeader: () =>
    new ApiError(400, [
      {
        code: 6003,
        message: 'Invalid request headers',
        error_chain: [{ code: 6111, message: 'Invalid format for Authorization header' }],
      },
    ]), // seen
  invalidToken: () => one(403, 9109, 'Invalid access token'), // seen; status probable
  authError: () => one(403, 10000, 'Authentication error'), // seen (token without access to the zone)

  // Record validation.
  invalidName: () => one(400, 9000, 'DNS name is invalid.'), // seen
  invalidIPv4: () => one(400, 9005, 'Content for A record must be a valid IPv4 address.'), // seen
  invalidIPv6: () => one(400, 9006, 'Content for AAAA record must be a valid IPv6 address.'), // seen
  notProxiable: () => one(400, 9004, 'This record type cannot be proxied.'), // guess
  invalidTtl: () => validation(9021, 'TTL must be between 60 and 86400 seconds, or 1 for Automatic.'), // seen
  tagQuota: (count: number) => validation(9300, `DNS record has ${count} tags, exceeding the quota of 0.`), // seen
  commentTooLong: () => validation(9313, 'DNS record comment exceeds the maximum length of 100 characters.'), // seen
  // Anything else the real API rejects with an unknown code: the generic 1004, detail in the message (guess).
  invalid: (detail: string) => one(400, 1004, `DNS Validation Error: ${detail}`),

  // Record conflicts (all seen).
  identicalExists: () => one(400, 81058, 'An identical record already exists.'),
  hostTaken: () => one(400, 81053, `An A, AAAA, or CNAME record with that host already exists. ${SAME_NAME_DOC}`),
  cnameTaken: () => one(400, 81054, `A CNAME record with that host already exists. ${SAME_NAME_DOC}`),
  recordMissing: () => one(404, 81044, 'Record does not exist.'), // seen; 404 is a sensible guess

  // Batch size (guess: code and wording unknown).
  batchTooLarge: (count: number, max: number) =>
    one(400, 1004, `DNS Validation Error: batch of ${count} record operations exceeds the limit of ${max}.`),

  // Injected faults.
  rateLimited: (retryAfter: number) =>
    new ApiError(429, [{ code: 971, message: 'Please wait and consider throttling your request speed' }], {
      'retry-after': String(retryAfter),
    }), // seen (code 971 is below the spec's minimum of 1000)
  serverError: (status: number) =>
    one(status, 10001, status === 500 ? 'Internal server error' : 'Service temporarily unavailable'), // guess
};
