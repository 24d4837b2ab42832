// N clients upload one file each through tus at once (tus-js-client), then print one JSON line.
// Usage: TUS_MODULES=<node_modules> node tus-load.mjs <endpoint> <tokens-file> <size-bytes> <chunk-bytes>
import { createRequire } from 'node:module';
import fs from 'node:fs';

const require = createRequire(process.env.TUS_MODULES + '/');
const tus = require('tus-js-client');
const [endpoint, tokensFile, size, chunk] = process.argv.slice(2);
const tokens = fs.readFileSync(tokensFile, 'utf8').trim().split('\n');
const data = Buffer.alloc(Number(size), 7); // one buffer shared by every client
const start = Date.now();
const results = await Promise.all(tokens.map((token, i) => new Promise((resolve) => {
  const upload = new tus.Upload(data, {
    endpoint,
    headers: { Authorization: 'Bearer ' + token },
    chunkSize: Number(chunk),
    retryDelays: [],
    metadata: { filename: `load-${i}.bin` },
    onError: (e) => resolve({ ok: false, error: String(e).slice(0, 200) }),
    onSuccess: () => resolve({ ok: true }),
  });
  upload.start();
})));
const seconds = (Date.now() - start) / 1000;
console.log(JSON.stringify({
  clients: tokens.length, ok: results.filter((r) => r.ok).length, seconds,
  mbPerSecond: (tokens.length * Number(size)) / 1048576 / seconds,
  errors: results.filter((r) => !r.ok).slice(0, 3),
}));
