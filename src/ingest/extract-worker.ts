// A worker thread of the extract pool: reads and extracts the files it is sent, one answer
// per request. An unexpected error is sent back as such; the pool then reads that file itself.
import { parentPort } from 'node:worker_threads';
import { readAndExtract } from './read-extract.js';

const port = parentPort;
if (!port) throw new Error('the extract worker runs only as a worker thread');

port.on('message', (request: { id: number; file: string }) => {
  readAndExtract(request.file).then(
    (reading) => port.postMessage({ id: request.id, reading }),
    (err: unknown) => port.postMessage({ id: request.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
