import { describe, expect, it } from 'vitest';
import { planWrite, type WriteBase, type WriteRequest } from './plan-write.ts';

const address = { scope: 's.one', key: 'k', by: 'key:t', maxDocumentBytes: 64 };
const base: WriteBase = { version: 3, deleted: false, current: { a: 1, b: 1 } };
const noHistory = async () => undefined;

function request(fields: Partial<WriteRequest> & Pick<WriteRequest, 'op'>): WriteRequest {
  return { ...address, expectedVersion: 3, policy: 'reject', ...fields } as WriteRequest;
}

describe('planWrite', () => {
  it('writes a put, a patch and a delete on the expected version', async () => {
    const put = await planWrite(request({ op: 'put', document: { x: 1 } }), base, noHistory);
    expect(put).toEqual({ bytes: Buffer.from('{"x":1}'), settledBy: undefined });
    const patch = await planWrite(request({ op: 'patch', patch: { b: null } }), base, noHistory);
    expect(patch.bytes?.toString()).toBe('{"a":1}');
    expect(await planWrite(request({ op: 'delete' }), base, noHistory)).toEqual({
      bytes: null,
      settledBy: undefined,
    });
  });

  it('accepts expected version 0 on a deleted document', async () => {
    const deleted = { version: 4, deleted: true, current: undefined };
    const put = await planWrite(
      request({ op: 'put', document: 1, expectedVersion: 0 }),
      deleted,
      noHistory,
    );
    expect(put.bytes?.toString()).toBe('1');
  });

  it('refuses a stale write with the current version and document', async () => {
    await expect(
      planWrite(request({ op: 'put', document: {}, expectedVersion: 2 }), base, noHistory),
    ).rejects.toMatchObject({
      code: 'E_CONFLICT',
      details: { currentVersion: 3, document: { a: 1, b: 1 }, policy: 'reject' },
    });
  });

  it('reports a stale write to a deleted document with a null document', async () => {
    const deleted = { version: 4, deleted: true, current: undefined };
    await expect(
      planWrite(request({ op: 'put', document: {}, expectedVersion: 2 }), deleted, noHistory),
    ).rejects.toMatchObject({ code: 'E_CONFLICT', details: { document: null } });
  });

  it('lets last-writer-wins through and says so', async () => {
    const plan = await planWrite(
      request({ op: 'delete', expectedVersion: 1, policy: 'last-writer-wins' }),
      base,
      noHistory,
    );
    expect(plan).toEqual({ bytes: null, settledBy: 'last-writer-wins' });
  });

  it('merges a stale patch only when it avoids the keys changed since its version', async () => {
    const history = async (version: number) => (version === 2 ? { a: 0, b: 1 } : undefined);
    const merged = await planWrite(
      request({ op: 'patch', patch: { b: 2 }, expectedVersion: 2, policy: 'merge' }),
      base,
      history,
    );
    expect(merged).toEqual({ bytes: Buffer.from('{"a":1,"b":2}'), settledBy: 'merge' });
    for (const refused of [
      request({ op: 'patch', patch: { a: 2 }, expectedVersion: 2, policy: 'merge' }),
      request({ op: 'patch', patch: { b: 2 }, expectedVersion: 1, policy: 'merge' }),
      request({ op: 'patch', patch: { b: 2 }, expectedVersion: 0, policy: 'merge' }),
      request({ op: 'put', document: {}, expectedVersion: 2, policy: 'merge' }),
    ]) {
      await expect(planWrite(refused, base, history)).rejects.toMatchObject({ code: 'E_CONFLICT' });
    }
  });

  it('refuses a stale patch to a document deleted since its version', async () => {
    const deleted = { version: 4, deleted: true, current: undefined };
    const history = async (version: number) => (version === 2 ? { a: 0 } : undefined);
    await expect(
      planWrite(
        request({ op: 'patch', patch: { b: 2 }, expectedVersion: 2, policy: 'merge' }),
        deleted,
        history,
      ),
    ).rejects.toMatchObject({ code: 'E_CONFLICT', details: { currentVersion: 4, document: null } });
  });

  it('merges a patch written against an absent document into a new one', async () => {
    const created = { version: 1, deleted: false, current: { a: 1 } };
    const plan = await planWrite(
      request({ op: 'patch', patch: { b: 1 }, expectedVersion: 0, policy: 'merge' }),
      created,
      noHistory,
    );
    expect(plan.bytes?.toString()).toBe('{"a":1,"b":1}');
  });

  it('refuses to delete what does not exist and to store past the size limit', async () => {
    const deleted = { version: 4, deleted: true, current: undefined };
    await expect(
      planWrite(request({ op: 'delete', expectedVersion: 4 }), deleted, noHistory),
    ).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(
      planWrite(request({ op: 'put', document: 'x'.repeat(80) }), base, noHistory),
    ).rejects.toMatchObject({ code: 'E_PAYLOAD_TOO_LARGE', details: { bytes: 82, maxBytes: 64 } });
  });
});
