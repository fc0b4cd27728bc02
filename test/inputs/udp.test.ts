import { describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { UdpInput, udpOptions } from '../../src/plugins/inputs/udp/udp.ts';
import { fakeRuntime, until } from './helpers.ts';

async function sendAll(port: number, payloads: (string | Buffer)[], host = '127.0.0.1', bindTo?: string): Promise<number> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((r) => sock.bind(0, bindTo ?? (host.includes(':') ? '::1' : '127.0.0.1'), r));
  for (const p of payloads) await new Promise<void>((r, j) => sock.send(p, port, host, (e) => (e ? j(e) : r())));
  const srcPort = sock.address().port;
  sock.close();
  return srcPort;
}

for (const workers of [1, 2]) {
  describe(`udp input (workers ${workers})`, () => {
    it('decodes every datagram in order with [host][ip] = sender address (ECS v8 default)', async () => {
      const rt = fakeRuntime();
      const input = new UdpInput({ host: '127.0.0.1', port: 0, workers });
      const running = input.run(rt.ctx);
      const { port } = await input.listening;
      const payloads = Array.from({ length: 200 }, (_, i) => `m${i}`);
      const srcPort = await sendAll(port, payloads, '127.0.0.1', '127.0.0.5');
      await until(() => rt.events.length === 200);
      rt.abort();
      await running;
      expect(rt.events.map((e) => e.get('message'))).toEqual(payloads);
      expect(rt.events[0]!.get('[host][ip]')).toBe('127.0.0.5');
      expect(rt.events[0]!.metadata['port']).toBe(srcPort);
      expect(rt.events[0]!.get('type')).toBe('flows');
      expect(input.counters()).toMatchObject({ received: 200, decoded: 200, events: 200, dropped_queue_full: 0, bytes: payloads.join('').length });
      expect(rt.logs.some((l) => l.level === 'info' && /received 200 datagrams/.test(l.msg))).toBe(true);
    });

    it('ecs disabled sets host; source_ip_fieldname wins; an existing value is kept', async () => {
      for (const [opts, field] of [
        [{ ecs_compatibility: 'disabled' }, 'host'],
        [{ ecs_compatibility: 'disabled', source_ip_fieldname: 'exporter' }, 'exporter'],
      ] as const) {
        const rt = fakeRuntime();
        const input = new UdpInput({ host: '127.0.0.1', port: 0, workers, ...opts });
        const running = input.run(rt.ctx);
        const { port } = await input.listening;
        await sendAll(port, ['x']);
        await until(() => rt.events.length === 1);
        rt.abort();
        await running;
        expect(rt.events[0]!.get(field)).toBe('127.0.0.1');
      }
    });

    it('listens on IPv6', async () => {
      const rt = fakeRuntime();
      const input = new UdpInput({ host: '::1', port: 0, workers });
      const running = input.run(rt.ctx);
      const { port } = await input.listening;
      await sendAll(port, ['v6'], '::1');
      await until(() => rt.events.length === 1);
      rt.abort();
      await running;
      expect(rt.events[0]!.get('[host][ip]')).toBe('::1');
    });

    it('truncates datagrams longer than buffer_size and counts them', async () => {
      const rt = fakeRuntime();
      const input = new UdpInput({ host: '127.0.0.1', port: 0, workers, buffer_size: 4 });
      const running = input.run(rt.ctx);
      const { port } = await input.listening;
      await sendAll(port, ['abcdefgh', 'ab']);
      await until(() => rt.events.length === 2);
      rt.abort();
      await running;
      expect(rt.events.map((e) => e.get('message'))).toEqual(['abcd', 'ab']);
      expect(input.counters().truncated).toBe(1);
    });

    it('a stalled pipeline fills the queue, then drops are counted, and received = decoded + dropped', async () => {
      const rt = fakeRuntime();
      const input = new UdpInput({ host: '127.0.0.1', port: 0, workers, queue_size: 10, receive_buffer_bytes: 1 << 20 });
      const running = input.run(rt.ctx);
      const { port } = await input.listening;
      rt.hold();
      await sendAll(port, ['first']);
      await until(() => rt.events.length === 1);
      await sendAll(port, Array.from({ length: 100 }, (_, i) => `s${i}`));
      await until(() => input.counters().received + (workers > 1 ? 0 : 0) >= 1 && input.counters().dropped_queue_full > 0, 3000);
      // Give the receiver time to read everything the kernel holds.
      await new Promise((r) => setTimeout(r, 1200));
      rt.release();
      rt.abort();
      await running;
      const c = input.counters();
      expect(c.received).toBe(101);
      expect(c.dropped_queue_full).toBeGreaterThan(0);
      expect(c.decoded + c.dropped_queue_full).toBe(c.received);
      expect(rt.events.length).toBe(c.decoded);
    });

    it('counts codec failures and keeps going', async () => {
      const rt = fakeRuntime();
      const input = new UdpInput({ host: '127.0.0.1', port: 0, workers });
      const running = input.run(rt.ctx);
      const { port } = await input.listening;
      await sendAll(port, ['ok1', 'boom', 'ok2', 'boom!']);
      await until(() => rt.events.length === 2 && input.counters().decoded === 4);
      rt.abort();
      await running;
      expect(rt.events.map((e) => e.get('message'))).toEqual(['ok1', 'ok2']);
      expect(input.counters().decode_failures).toBe(2);
      expect(rt.logs.filter((l) => l.level === 'warn' && /codec failed/.test(l.msg)).length).toBe(1);
    });

    it('port in use: one clear line', async () => {
      const holder = dgram.createSocket('udp4');
      await new Promise<void>((r) => holder.bind(0, '127.0.0.1', r));
      const taken = holder.address().port;
      const rt = fakeRuntime();
      const input = new UdpInput({ host: '127.0.0.1', port: taken, workers });
      await expect(input.run(rt.ctx)).rejects.toThrow(`udp input: cannot listen on 127.0.0.1:${taken}: address already in use`);
      holder.close();
    });
  });
}

describe('udp input options', () => {
  it('has logstash-input-udp defaults', () => {
    expect(udpOptions({ port: 4739 })).toEqual({
      host: '0.0.0.0',
      port: 4739,
      bufferSize: 65536,
      workers: 2,
      queueSize: 2000,
      receiveBufferBytes: undefined,
      sourceIpFieldname: undefined,
      ecsCompatibility: 'v8',
    });
    expect(() => udpOptions({ port: 70000 })).toThrow(/port must be/);
  });

  it('unknown host and unavailable address are reported on one line', async () => {
    const rt = fakeRuntime();
    await expect(new UdpInput({ host: 'no-such-host.invalid', port: 0, workers: 1 }).run(rt.ctx)).rejects.toThrow(
      /^udp input: cannot listen on no-such-host.invalid:0: unknown host/,
    );
    await expect(new UdpInput({ host: '192.0.2.77', port: 0, workers: 1 }).run(rt.ctx)).rejects.toThrow(
      'udp input: cannot listen on 192.0.2.77:0: address not available on this machine',
    );
  });

  it('warns like Logstash when the OS grants a smaller receive buffer', async () => {
    const rt = fakeRuntime();
    const input = new UdpInput({ host: '127.0.0.1', port: 0, workers: 1, receive_buffer_bytes: 1 << 30 });
    const running = input.run(rt.ctx);
    await input.listening;
    rt.abort();
    await running;
    const w = rt.logs.find((l) => l.level === 'warn');
    expect(w?.msg).toMatch(/^Unable to set receive_buffer_bytes to desired size\. Requested 1073741824 but obtained \d+ bytes\.$/);
  });
});
