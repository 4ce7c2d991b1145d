// Decodes a PNG or JPEG file into an int32 [H, W, 3] RGB tensor, as face-api's node examples feed it.
'use strict';
const fs = require('fs');
const tf = require('@tensorflow/tfjs');

function decode(file) {
  const buf = fs.readFileSync(file);
  let width; let height; let rgba;
  if (file.toLowerCase().endsWith('.png')) {
    const png = require('pngjs').PNG.sync.read(buf);
    ({ width, height } = png); rgba = png.data;
  } else {
    const jpg = require('jpeg-js').decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048 });
    ({ width, height } = jpg); rgba = jpg.data;
  }
  const rgb = new Int32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = rgba[4 * i + c];
  return tf.tensor3d(rgb, [height, width, 3], 'int32');
}

module.exports = { decode };
