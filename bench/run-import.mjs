// Child process of the import benchmark: runs the real `openrem import` code path on a
// folder and reports time and peak memory (resident set size) on stderr as JSON.
import { main } from '../dist/cli/main.js';

const started = process.hrtime.bigint();
const log = console.log;
let lines = 0;
console.log = () => {
  lines++;
};
const code = await main(['import', ...process.argv.slice(2)]);
console.log = log;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stderr.write(JSON.stringify({ code, seconds, lines, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
