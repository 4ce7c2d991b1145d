// Cuts small PNG test images (square and non-square, odd and even padding) out of synthetic faces:
//   node make-fixture-images.js OUTDIR face1.jpg face2.jpg
// PNG so that every decoder sees the same pixels (JPEG decoders differ by a level or two).
'use strict';
const fs = require('fs');
const path = require('path');
const jpeg = require('jpeg-js');
const { PNG } = require('pngjs');

function crop(img, x0, y0, w, h) {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const s = ((y0 + y) * img.width + (x0 + x)) * 4; const d = (y * w + x) * 4;
    p.data[d] = img.data[s]; p.data[d + 1] = img.data[s + 1]; p.data[d + 2] = img.data[s + 2]; p.data[d + 3] = 255;
  }
  return PNG.sync.write(p);
}

const [out, a, b] = process.argv.slice(2);
const A = jpeg.decode(fs.readFileSync(a), { useTArray: true, formatAsRGBA: true });
const B = jpeg.decode(fs.readFileSync(b), { useTArray: true, formatAsRGBA: true });
fs.writeFileSync(path.join(out, 'square160.png'), crop(A, 0, 0, 160, 160));  // resized 160 -> 150 / 112
fs.writeFileSync(path.join(out, 'portrait97x130.png'), crop(B, 31, 20, 97, 130)); // odd padding: 16 before, 17 after
fs.writeFileSync(path.join(out, 'landscape140x100.png'), crop(A, 10, 40, 140, 100));
fs.writeFileSync(path.join(out, 'exact150.png'), crop(B, 5, 5, 150, 150)); // recognition: no resize
