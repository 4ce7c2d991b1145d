// Minimal .npy (v1/v2, little-endian float16/float32/float64/uint8, C order) reader and float32/float16 writer.
'use strict';
const fs = require('fs');

function read(path) {
  const buf = fs.readFileSync(path);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${path}: Fortran order not supported`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const data = buf.subarray(start + hlen);
  const n = shape.reduce((a, b) => a * b, 1);
  let values;
  if (descr === '<f4') values = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + 4 * n));
  else if (descr === '<f8') values = Float32Array.from(new Float64Array(data.buffer.slice(data.byteOffset, data.byteOffset + 8 * n)));
  else if (descr === '<f2') values = Float32Array.from(new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + 2 * n)), fromHalf);
  else if (descr === '|u1') values = Float32Array.from(data.subarray(0, n));
  else throw new Error(`${path}: dtype ${descr} not supported`);
  return { shape, values };
}

// float32 -> IEEE half bits, round to nearest even (for compact fixtures; every half is exact in float32).
function toHalf(v) {
  const f = new Float32Array(1); const u = new Uint32Array(f.buffer);
  f[0] = v; const x = u[0];
  const sign = (x >>> 16) & 0x8000; let e = ((x >>> 23) & 0xff) - 127 + 15; let m = x & 0x7fffff;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    m |= 0x800000; const shift = 14 - e; let h = m >>> shift; const rem = m & ((1 << shift) - 1); const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (m >>> 13); const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

function fromHalf(h) {
  const s = h & 0x8000 ? -1 : 1; const e = (h >>> 10) & 0x1f; const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function write(path, shape, values, dtype = 'f4') {
  let header = `{'descr': '<${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = dtype === 'f2' ? Buffer.from(Uint16Array.from(values, toHalf).buffer) : Buffer.from(Float32Array.from(values).buffer);
  fs.writeFileSync(path, Buffer.concat([head, Buffer.from(header, 'latin1'), body]));
}

module.exports = { read, write };
