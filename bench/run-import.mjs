// Child process of the import benchmark: runs the real `openrem import` code path on a
// folder and reports time and peak memory (resident set size) on stderr as JSON.
import { main } from '../dist/cli/main.js';

const started = process.hrtime.bigint();
// Result lines are counted, not printed: the terminal must not be what is measured.
const write = process.stdout.write.bind(process.stdout);
let lines = 0;
process.stdout.write = () => {
  lines++;
  return true;
};
const code = await main(['import', ...process.argv.slice(2)]);
process.stdout.write = write;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stderr.write(JSON.stringify({ code, seconds, lines, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
