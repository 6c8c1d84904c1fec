/** The time a UUIDv7 was made (its first 48 bits, ms since the epoch); NaN for other ids. */
export function uuidV7TimeMs(id: string): number {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-7/i.test(id)
    ? Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)
    : Number.NaN;
}
