// Runs a composite action's steps locally, as the GitHub runner would, for the e2e tests:
//   node run-action.mjs ACTION_DIR key=value...     (the inputs; the rest from the environment)
// Each `run` step runs in bash with the step's env and working-directory, expressions
// `${{ inputs.x }}`, `${{ steps.id.outputs.y }}`, `${{ runner.tool_cache|temp|os|arch }}` and
// `${{ github.action_repository }}` substituted (other expressions are an error), and
// GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY, RUNNER_TEMP and
// RUNNER_TOOL_CACHE set as on a runner. `uses: actions/cache` steps are skipped (the test seeds
// the tool cache itself); any other `uses` is an error. Prints the action's outputs as one JSON
// object on stdout (the steps' own output goes to stderr); exits 1 when a step failed.
import { parse } from '../../scripts/lint/node_modules/yaml/dist/index.js';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const [dir, ...kv] = process.argv.slice(2);
const actionDir = resolve(dir);
const action = parse(readFileSync(join(actionDir, 'action.yml'), 'utf8'));
const inputs = {};
for (const [k, v] of Object.entries(action.inputs || {})) if (v.default !== undefined) inputs[k] = String(v.default);
for (const a of kv) {
  const i = a.indexOf('=');
  const k = a.slice(0, i);
  if (!(k in (action.inputs || {}))) throw new Error(`no input '${k}' in action.yml`);
  inputs[k] = a.slice(i + 1);
}
for (const [k, v] of Object.entries(action.inputs || {})) {
  if (v.required && inputs[k] === undefined) throw new Error(`required input '${k}' missing`);
}
const temp = process.env.RUNNER_TEMP || mkdtempSync(join(tmpdir(), 'runner-'));
const toolCache = process.env.RUNNER_TOOL_CACHE || join(temp, 'tool-cache');
const summary = process.env.GITHUB_STEP_SUMMARY || join(temp, 'summary.md');
const steps = {};
const extraPath = [];

const expr = (s) => String(s ?? '').replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, e) => {
  let m;
  if ((m = /^inputs\.([A-Za-z0-9_-]+)$/.exec(e))) return inputs[m[1]] ?? '';
  if ((m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(e))) return steps[m[1]]?.[m[2]] ?? '';
  if (e === 'runner.tool_cache') return toolCache;
  if (e === 'runner.temp') return temp;
  if (e === 'runner.os') return 'Linux';
  if (e === 'runner.arch') return 'X64';
  if (e === 'github.action_repository') return process.env.GITHUB_ACTION_REPOSITORY || '';
  throw new Error(`run-action.mjs cannot evaluate \${{ ${e} }}`);
});

let failed = false;
for (const [i, step] of (action.runs.steps || []).entries()) {
  const name = expr(step.name || `step ${i}`);
  if (step.uses) {
    if (/^actions\/cache@/.test(step.uses)) {
      process.stderr.write(`run-action: ${name}: skipped (${step.uses})\n`);
      continue;
    }
    throw new Error(`run-action.mjs cannot run uses: ${step.uses}`);
  }
  const out = join(temp, `output.${i}`);
  const pathFile = join(temp, `path.${i}`);
  writeFileSync(out, '');
  writeFileSync(pathFile, '');
  const env = { ...process.env };
  for (const [k, v] of Object.entries(step.env || {})) env[k] = expr(v);
  Object.assign(env, {
    GITHUB_ACTION_PATH: actionDir, GITHUB_OUTPUT: out, GITHUB_PATH: pathFile,
    GITHUB_STEP_SUMMARY: summary, RUNNER_TEMP: temp, RUNNER_TOOL_CACHE: toolCache,
    PATH: [...extraPath, process.env.PATH].join(':'),
  });
  const cwd = step['working-directory'] ? resolve(expr(step['working-directory'])) : process.cwd();
  process.stderr.write(`run-action: ${name}\n`);
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expr(step.run)],
    { cwd, env, stdio: ['ignore', 2, 2] });
  const o = {};
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const j = line.indexOf('=');
    if (j > 0) o[line.slice(0, j)] = line.slice(j + 1);
  }
  if (step.id) steps[step.id] = o;
  for (const p of readFileSync(pathFile, 'utf8').split('\n')) if (p) extraPath.unshift(p);
  if (r.status !== 0) {
    process.stderr.write(`run-action: ${name}: exit ${r.status}\n`);
    failed = true;
    break;
  }
}
const outputs = {};
for (const [k, v] of Object.entries(action.outputs || {})) outputs[k] = expr(v.value);
process.stdout.write(JSON.stringify(outputs) + '\n');
process.exit(failed ? 1 : 0);
