import { describe, expect, it } from 'vitest';
import { COMMENT_LIMIT, isOwned, OWNER_MARKER, ownedComment, userComment } from '../../../src/dns/ownership.js';

describe('ownership marker', () => {
  it('is read from the comment; null (what the API sends for no comment) is not owned', () => {
    expect(isOwned(OWNER_MARKER)).toBe(true);
    expect(isOwned(`rented in Amsterdam; ${OWNER_MARKER}`)).toBe(true);
    expect(isOwned(null)).toBe(false);
    expect(isOwned(undefined)).toBe(false);
    expect(isOwned('managed-by: someone-else')).toBe(false);
  });

  it('is added after the user text, which is kept', () => {
    expect(ownedComment(null)).toBe(OWNER_MARKER);
    expect(ownedComment('')).toBe(OWNER_MARKER);
    expect(ownedComment('set up by hand')).toBe(`set up by hand; ${OWNER_MARKER}`);
    expect(ownedComment(`x; ${OWNER_MARKER}`)).toBe(`x; ${OWNER_MARKER}`);
  });

  it('shortens long user text so the comment fits the Free plan limit', () => {
    const comment = ownedComment('a'.repeat(100));
    expect(comment.length).toBe(COMMENT_LIMIT);
    expect(comment.endsWith(`…; ${OWNER_MARKER}`)).toBe(true);
  });

  it('shows the user part without the marker', () => {
    expect(userComment(`set up by hand; ${OWNER_MARKER}`)).toBe('set up by hand');
    expect(userComment(OWNER_MARKER)).toBe('');
    expect(userComment(null)).toBe('');
  });
});
