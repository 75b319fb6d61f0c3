import { describe, it, expect } from 'vitest';
import { Code, Ledger, WAIT_UNKNOWN, outcomeOf } from '../../src/record/ledger.ts';
import { classifyError } from '../../src/workload/classify.ts';
import { planTimeline } from '../../src/engine/timeline.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';

describe('ledger', () => {
  it('grows past its first capacity and round-trips through its binary form', () => {
    const ledger = new Ledger(2, 'abcd1234', 32);
    for (let i = 0; i < 10_000; i++) ledger.writers[i % 2].push(i * 1.5, 0.25 + (i % 7), i % 8, i % 3 === 0 ? WAIT_UNKNOWN : i % 3, i % 4);
    ledger.writers[1].final[7] = 2;
    const copy = Ledger.deserialize(ledger.serialize());
    expect(copy.size).toBe(10_000);
    for (const w of [0, 1]) {
      const a = ledger.writers[w];
      const b = copy.writers[w];
      expect(b.length).toBe(a.length);
      expect(Array.from(b.start.subarray(0, b.length))).toEqual(Array.from(a.start.subarray(0, a.length)));
      expect(Array.from(b.latency.subarray(0, b.length))).toEqual(Array.from(a.latency.subarray(0, a.length)));
      expect(Array.from(b.code.subarray(0, b.length))).toEqual(Array.from(a.code.subarray(0, a.length)));
      expect(Array.from(b.wait.subarray(0, b.length))).toEqual(Array.from(a.wait.subarray(0, a.length)));
      expect(Array.from(b.node.subarray(0, b.length))).toEqual(Array.from(a.node.subarray(0, a.length)));
    }
    expect(copy.writers[1].final[7]).toBe(2);
  });

  it('derives unique keys and values padded to the value size', () => {
    const ledger = new Ledger(2, 'abcd1234', 40);
    expect(ledger.key(1, 42)).toBe('fd:1:42');
    const tagged = new Ledger(2, 'abcd1234', 40, [['a', 'b'], ['c']]);
    expect([tagged.key(0, 0), tagged.key(0, 1), tagged.key(0, 2), tagged.key(1, 5)]).toEqual(['fd:{a}:0:0', 'fd:{b}:0:1', 'fd:{a}:0:2', 'fd:{c}:1:5']);
    expect(Ledger.deserialize(tagged.serialize()).key(0, 1)).toBe('fd:{b}:0:1');
    expect(ledger.value(1, 42)).toHaveLength(40);
    expect(ledger.value(1, 42)).not.toBe(ledger.value(0, 42));
    expect(ledger.value(1, 42).startsWith('abcd1234:1:42:')).toBe(true);
  });

  it('stays far below 64 bytes per write', () => {
    const ledger = new Ledger(1, 'r', 32);
    for (let i = 0; i < 100_000; i++) ledger.writers[0].push(i, 1, Code.ok, 1, 0);
    expect(ledger.byteSize() / ledger.size).toBeLessThanOrEqual(32); // 16 bytes a row, capacity doubles
  });

  it('maps codes to outcomes', () => {
    expect(outcomeOf(Code.ok)).toBe('ok');
    expect(outcomeOf(Code.readonly)).toBe('fail');
    expect(outcomeOf(Code.notConnected)).toBe('fail');
    expect(outcomeOf(Code.timeout)).toBe('indeterminate');
    expect(outcomeOf(Code.connectionLost)).toBe('indeterminate');
  });
});

describe('error classification', () => {
  const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
  it('definite refusals are failures', () => {
    expect(classifyError(reply("READONLY You can't write against a read only replica."))).toBe(Code.readonly);
    expect(classifyError(reply('NOREPLICAS Not enough good replicas to write.'))).toBe(Code.noreplicas);
    expect(classifyError(reply('LOADING Redis is loading the dataset in memory'))).toBe(Code.replyError);
    expect(classifyError(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(Code.notConnected);
  });
  it('unknown outcomes are indeterminate', () => {
    expect(classifyError(new Error('Command timed out'))).toBe(Code.timeout);
    expect(classifyError(new Error('Connection is closed.'))).toBe(Code.connectionLost);
    expect(classifyError(new Error('read ECONNRESET'))).toBe(Code.connectionLost);
    expect(outcomeOf(classifyError(new Error('something new')))).toBe('indeterminate');
  });
});

describe('timeline plan', () => {
  const plan = (timeline: unknown[]) => planTimeline(scenarioSchema.parse({ name: 't', duration: '60s', timeline }).timeline);
  it('orders injections and heals, with auto-heal, explicit heal and repeats', () => {
    const steps = plan([
      { at: '5s', fault: 'pause', target: 'primary', duration: '2s' },
      { at: '1s', fault: 'partition', isolate: 'primary', id: 'cut' },
      { at: '3s', fault: 'heal', of: 'cut' },
      { at: '10s', fault: 'partition', isolate: 'replica', duration: '500ms', repeat: { times: 3, every: '2s' } },
    ]);
    expect(steps.map((s) => [s.at, s.kind, s.key])).toEqual([
      [1000, 'inject', 'cut#1'],
      [3000, 'heal', 'cut#1'],
      [5000, 'inject', 'pause-1#1'],
      [7000, 'heal', 'pause-1#1'],
      [10000, 'inject', 'partition-4#1'],
      [10500, 'heal', 'partition-4#1'],
      [12000, 'inject', 'partition-4#2'],
      [12500, 'heal', 'partition-4#2'],
      [14000, 'inject', 'partition-4#3'],
      [14500, 'heal', 'partition-4#3'],
    ]);
  });
});
