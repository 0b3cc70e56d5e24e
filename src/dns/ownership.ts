// Ownership lives in the record's comment (comments work on every plan; tags need a paid one).

export const OWNER_MARKER = 'managed-by: weclick';
/** Cloudflare's comment limit on the Free plan. */
export const COMMENT_LIMIT = 100;
const SEPARATOR = '; ';

export function isOwned(comment: string | null | undefined): boolean {
  return typeof comment === 'string' && comment.includes(OWNER_MARKER);
}

/** The comment a record gets when weclick owns it: the marker, after whatever the user wrote (shortened to fit). */
export function ownedComment(comment: string | null | undefined): string {
  if (isOwned(comment)) return comment!;
  const user = (comment ?? '').replace(/[\r\n]+/g, ' ').trim();
  if (user === '') return OWNER_MARKER;
  const room = COMMENT_LIMIT - OWNER_MARKER.length - SEPARATOR.length;
  const kept = user.length <= room ? user : `${user.slice(0, room - 1)}…`;
  return `${kept}${SEPARATOR}${OWNER_MARKER}`;
}

/** The user's part of a comment, without our marker (for display). */
export function userComment(comment: string | null | undefined): string {
  if (!comment) return '';
  return comment
    .split(OWNER_MARKER)
    .join('')
    .replace(/^\s*;\s*|\s*;\s*$/g, '')
    .trim();
}
