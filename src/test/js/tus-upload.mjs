// Uploads a file to an Atrium node with the reference tus client (tus-js-client), stops part-way,
// and resumes from the upload URL with a new Upload object, as a browser reloading would.
// Usage: node tus-upload.mjs <endpoint> <token> <file> ; prints one JSON line.
import { createRequire } from 'node:module';
import fs from 'node:fs';

const require = createRequire(process.env.TUS_MODULES + '/');
const tus = require('tus-js-client');
const [endpoint, token, file] = process.argv.slice(2);
const data = fs.readFileSync(file);
const common = {
  headers: { Authorization: 'Bearer ' + token },
  chunkSize: 1024 * 1024,
  retryDelays: [],
  metadata: { filename: 'from-tus-js.bin', filetype: 'application/octet-stream' },
};

function firstPart() {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(data, {
      ...common,
      endpoint,
      onProgress(sent) {
        if (sent >= data.length / 2 && !upload.stopped) {
          upload.stopped = true;
          upload.abort().then(() => resolve(upload.url));
        }
      },
      onError: reject,
      onSuccess: () => reject(new Error('finished before it was stopped')),
    });
    upload.start();
  });
}

function resume(url) {
  return new Promise((resolve, reject) => {
    let resumedAt = -1;
    const upload = new tus.Upload(data, {
      ...common,
      uploadUrl: url,
      onProgress(sent) {
        if (resumedAt < 0) resumedAt = sent;
      },
      onError: reject,
      onSuccess: () => resolve({ url: upload.url, resumedAt }),
    });
    upload.start();
  });
}

const url = await firstPart();
const done = await resume(url);
console.log(JSON.stringify({ url, resumedAt: done.resumedAt, size: data.length }));
