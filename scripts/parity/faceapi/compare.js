// node compare.js A.npy B.npy [TOL]: max relative error max|a-b| / max|b| per row and overall; exit 1 above TOL.
'use strict';
const npy = require('./npy');
const [a, b] = [npy.read(process.argv[2]), npy.read(process.argv[3])];
if (a.shape.join() !== b.shape.join()) { console.log(`shapes differ: [${a.shape}] vs [${b.shape}]`); process.exit(1); }
const n = a.shape[0]; const f = a.values.length / n;
let worst = 0;
for (let i = 0; i < n; i++) {
  let d = 0; let m = 0;
  for (let j = 0; j < f; j++) { d = Math.max(d, Math.abs(a.values[i * f + j] - b.values[i * f + j])); m = Math.max(m, Math.abs(b.values[i * f + j])); }
  worst = Math.max(worst, d / m);
  console.log(`row ${i}: max abs diff ${d.toExponential(3)}, relative ${(d / m).toExponential(3)}`);
}
console.log(`worst relative error ${worst.toExponential(3)}`);
const tol = Number(process.argv[4] || Infinity);
if (!(worst <= tol)) { console.log(`above the tolerance ${tol}`); process.exit(1); }
