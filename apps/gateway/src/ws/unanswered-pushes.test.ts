import { describe, expect, it } from 'vitest';
import { UnansweredPushes } from './unanswered-pushes.ts';

describe('unanswered pushes', () => {
  it('takes one answer per push, and none for something never pushed', () => {
    const pushes = new UnansweredPushes();
    pushes.pushed({ delivery: '1' });
    pushes.pushed({ taskId: 't', attempt: 2 });
    expect(pushes.answered({ delivery: '2' })).toBe(false);
    expect(pushes.answered({ taskId: 't', attempt: 1 })).toBe(false);
    expect(pushes.answered({ delivery: '1' })).toBe(true);
    expect(pushes.answered({ delivery: '1' })).toBe(false);
    expect(pushes.answered({ taskId: 't', attempt: 2 })).toBe(true);
  });

  it('forgets the oldest push beyond its capacity, and a retried push counts as the newest', () => {
    const pushes = new UnansweredPushes(2);
    pushes.pushed({ delivery: '1' });
    pushes.pushed({ delivery: '2' });
    pushes.pushed({ delivery: '1' });
    pushes.pushed({ delivery: '3' });
    expect(pushes.answered({ delivery: '2' })).toBe(false);
    expect(pushes.answered({ delivery: '1' })).toBe(true);
    expect(pushes.answered({ delivery: '3' })).toBe(true);
  });
});
