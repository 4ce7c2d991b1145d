// Runs face-api 1.7.15 itself (TF.js 4.22, wasm backend by default, cpu with --backend cpu; no native code)
// on preprocessed tensors or on image files, and writes its outputs as .npy: the reference FaceBrain's
// port is checked against (tests/FaceBrain.Tests/fixtures/faceapi, docs/weights.md).
//
//   node faceapi-run.js --model DIR --net recognition|expression --tensor X.npy --out Y.npy
//       X: [N,3,S,S] float32, already through the faceapi preset (S = 150 or 112); it is mapped back to
//       face-api's pixel scale (x·255 + mean, HWC) so face-api's own normalisation reproduces it.
//   node faceapi-run.js --model DIR --net ... --images a.png,b.jpg --out Y.npy
//       face-api's whole input path: decoded RGB pixels -> pad to square, resize, normalise -> net.
//   node faceapi-run.js --model DIR --net ... --images LIST --dump-input X.npy [--random K --dtype f2]
//       writes face-api's own preprocessed input [N(+K),3,S,S] (pad, resize, normalise; NCHW) instead of running
//       the net; --random K appends K uniform(-0.5, 0.5) tensors (seeded), --dtype f2 stores float16.
//   node faceapi-run.js --model DIR --net ... --bench N --batch 32 [--size S] [--threads T]
//       times N batched forward passes on random pixels at the net's size (no resize); prints JSON.
// Output: recognition descriptors [N,128]; expression logits [N,7] (softmax gives face-api's probabilities).
'use strict';
const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const npy = require('./npy');
const { decode } = require('./decode');
const { args } = require('./args');

const MEAN = [122.782, 117.001, 104.298];

async function run(net, name, inputs) {
  const netInput = await faceapi.toNetInput(inputs);
  const out = tf.tidy(() => (name === 'recognition' ? net.forwardInput(netInput) : net.runNet(netInput)));
  const values = await out.data();
  const shape = out.shape;
  out.dispose();
  return { shape, values };
}

async function main() {
  const a = args();
  const backend = a.backend || 'wasm';
  if (backend === 'wasm') {
    wasm.setWasmPaths(path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), path.sep));
    wasm.setThreadsCount(Number(a.threads || 1)); // used only when the threaded build loads (SharedArrayBuffer)
  }
  await tf.setBackend(backend);
  await tf.ready();
  const name = a.net;
  if (name !== 'recognition' && name !== 'expression') throw new Error('--net recognition|expression');
  const net = name === 'recognition' ? faceapi.nets.faceRecognitionNet : faceapi.nets.faceExpressionNet;
  await net.loadFromDisk(a.model);
  const size = name === 'recognition' ? 150 : 112;

  if (a.bench) {
    const batch = Number(a.batch || 32);
    const side = Number(a.size || size);
    const images = Array.from({ length: batch }, () => tf.randomUniform([side, side, 3], 0, 255, 'int32'));
    await run(net, name, images); // warm-up: compiles kernels
    const reps = Number(a.bench);
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    for (let r = 0; r < reps; r++) await run(net, name, images);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cpu_seconds = (cpu.user + cpu.system) / 1e6; // the whole process's CPU time over the timed reps
    const threads = backend === 'wasm' ? wasm.getThreadsCount() : 1;
    console.log(JSON.stringify({ tool: 'face-api', version: faceapi.version, tfjs: tf.version_core, backend: tf.getBackend(), threads,
      net: name, batch, reps, side, seconds, cpu_seconds, images_per_s: (batch * reps) / seconds, ms_per_image: (1000 * seconds) / (batch * reps) }));
    return;
  }

  if (a['dump-input']) {
    const images = (a.images || '').split(',').filter((f) => f.length).map(decode);
    const netInput = await faceapi.toNetInput(images);
    const x = tf.tidy(() => faceapi.normalize(tf.cast(netInput.toBatchTensor(size, true), 'float32'), MEAN).div(255).transpose([0, 3, 1, 2]));
    const faces = await x.data();
    const k = Number(a.random || 0);
    let seed = 12345;
    const uniform = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 - 0.5; };
    const values = new Float32Array(faces.length + k * 3 * size * size);
    values.set(faces);
    for (let i = faces.length; i < values.length; i++) values[i] = uniform();
    npy.write(a['dump-input'], [images.length + k, 3, size, size], values, a.dtype || 'f4');
    console.error(`face-api ${faceapi.version}: input of ${images.length} images + ${k} random -> ${a['dump-input']}`);
    return;
  }

  let inputs;
  if (a.tensor) {
    const x = npy.read(a.tensor);
    const [n, c, h, w] = x.shape;
    if (x.shape.length !== 4 || c !== 3 || h !== size || w !== size) throw new Error(`${a.tensor}: expected [N,3,${size},${size}], got [${x.shape}]`);
    inputs = [];
    for (let i = 0; i < n; i++) {
      const hwc = new Float32Array(h * w * 3);
      for (let ch = 0; ch < 3; ch++) for (let p = 0; p < h * w; p++) hwc[3 * p + ch] = x.values[(i * 3 + ch) * h * w + p] * 255 + MEAN[ch];
      inputs.push(tf.tensor3d(hwc, [h, w, 3], 'float32'));
    }
  } else if (a.images) {
    inputs = a.images.split(',').map(decode);
  } else throw new Error('give --tensor X.npy, --images LIST or --bench N');
  const out = await run(net, name, inputs);
  npy.write(a.out, out.shape, out.values);
  console.error(`face-api ${faceapi.version} (${tf.getBackend()}): ${name} of ${out.shape[0]} inputs -> ${a.out} [${out.shape}]`);
}

main().catch((e) => { console.error(`faceapi-run: ${e.message}`); process.exit(2); });
