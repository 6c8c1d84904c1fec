import { createHash } from 'node:crypto';

/** A UUID derived from its parts, so the same request always names the same task or message. */
export function derivedUuid(...parts: string[]): string {
  // A NUL cannot occur inside a part, so ('a', 'bc') and ('ab', 'c') differ.
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // Version 8 (custom), RFC 9562 variant.
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
