// face-api 1.7.15's whole pipeline on image files, as a user of face-api runs it: SSD MobileNet detection,
// 68 landmarks, then expressions and descriptors on face-api's own aligned crops. Writes one JSON record per
// detected face (file, score, box, landmarks, expression probabilities, 128-d descriptor; score 0 when none).
//
//   node full-pipeline.js --list FILES.txt --out FACES.json [--min-score 0.2]
'use strict';
const fs = require('fs');
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const { decode } = require('./decode');
const { args } = require('./args');

function options() {
  const a = args();
  if (!a.list || !a.out) throw new Error('usage: node full-pipeline.js --list FILES.txt --out FACES.json [--min-score S]');
  return a;
}

async function main() {
  const a = options();
  await tf.setBackend('wasm');
  await tf.ready();
  const dir = require.resolve('@vladmandic/face-api/package.json').replace('package.json', 'model');
  for (const net of [faceapi.nets.ssdMobilenetv1, faceapi.nets.faceLandmark68Net, faceapi.nets.faceRecognitionNet, faceapi.nets.faceExpressionNet]) await net.loadFromDisk(dir);
  const detector = new faceapi.SsdMobilenetv1Options({ minConfidence: Number(a['min-score'] || 0.2) });
  const out = [];
  for (const file of fs.readFileSync(a.list, 'utf8').split('\n').filter((f) => f.length)) {
    const t = decode(file);
    const faces = await faceapi.detectAllFaces(t, detector).withFaceLandmarks().withFaceExpressions().withFaceDescriptors();
    for (const f of faces) {
      out.push({
        file, score: f.detection.score, box: f.detection.box, landmarks: f.landmarks.positions.map((p) => [p.x, p.y]),
        expressions: f.expressions, descriptor: Array.from(f.descriptor),
      });
    }
    if (faces.length === 0) out.push({ file, score: 0 });
    t.dispose();
  }
  fs.writeFileSync(a.out, JSON.stringify(out));
}

main().catch((e) => { console.error(`full-pipeline: ${e.message}`); process.exit(2); });
