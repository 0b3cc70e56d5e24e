import { describe, expect, it } from 'vitest';
import { parseProxyV2 } from './proxy-v2-backend.js';

const SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

function header(command: number, addresses: number[]): Buffer {
  const body = Buffer.from(addresses);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length);
  return Buffer.concat([Buffer.from(SIG), Buffer.from([0x20 | command, 0x11]), length, body]);
}

describe('PROXY v2 parsing in the backend stand-in', () => {
  it('reads a TCP4 PROXY header: client and destination', () => {
    const h = header(1, [127, 0, 0, 1, 127, 0, 0, 11, 0xc3, 0x50, 0x4e, 0x20]);
    expect(parseProxyV2(Buffer.concat([h, Buffer.from('hello')]))).toEqual({
      command: 'PROXY',
      family: 0x11,
      length: 28,
      source: { address: '127.0.0.1', port: 50000 },
      destination: { address: '127.0.0.11', port: 20000 },
    });
  });

  it("recognises a health check's LOCAL header", () => {
    expect(parseProxyV2(header(0, []))).toMatchObject({ command: 'LOCAL', length: 16 });
  });

  it('waits for more bytes, and refuses anything that is not PROXY v2', () => {
    expect(parseProxyV2(Buffer.from(SIG.slice(0, 5)))).toBeNull();
    expect(parseProxyV2(header(1, [127, 0, 0, 1]).subarray(0, 18))).toBeNull();
    expect(() => parseProxyV2(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(/not a PROXY v2 header/);
  });
});
