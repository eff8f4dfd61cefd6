// Runs the `script` of an actions/github-script step of a workflow with a mock GitHub API, for
// the e2e tests:  node run-github-script.mjs WORKFLOW STEP_NAME STATE_JSON
// STATE_JSON: {"env": {...}, "repo": {"owner", "repo"}, "payload": {...},
// "pulls": {"12": {"head": {"sha": "..."}}}, "comments": [{"id", "body"}]}.
// The script sees `github` (rest.pulls.get, rest.issues.listComments/createComment/
// updateComment, paginate), `context` (repo, payload), `core` (setFailed, info) and `require`,
// with STATE.env in process.env. Prints {"calls": [...], "failed": message or null}.
import { parse } from '../../scripts/lint/node_modules/yaml/dist/index.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [wfPath, stepName, statePath] = process.argv.slice(2);
const wf = parse(readFileSync(wfPath, 'utf8'));
const state = JSON.parse(readFileSync(statePath, 'utf8'));
let step;
for (const job of Object.values(wf.jobs)) for (const s of job.steps) if (s.name === stepName) step = s;
if (!step || !/^actions\/github-script@/.test(step.uses)) throw new Error(`no github-script step '${stepName}'`);
Object.assign(process.env, state.env || {});
const calls = [];
let failed = null;
const github = {
  rest: {
    pulls: {
      get: async ({ pull_number }) => {
        calls.push({ call: 'pulls.get', pull_number });
        const pr = state.pulls?.[String(pull_number)];
        if (!pr) throw Object.assign(new Error('Not Found'), { status: 404 });
        return { data: pr };
      },
    },
    issues: {
      listComments: async () => ({ data: state.comments || [] }),
      createComment: async ({ issue_number, body }) => { calls.push({ call: 'createComment', issue_number, body }); },
      updateComment: async ({ comment_id, body }) => { calls.push({ call: 'updateComment', comment_id, body }); },
    },
  },
  paginate: async (fn, args) => (await fn(args)).data,
};
const context = { repo: state.repo || { owner: 'acme', repo: 'agents-config' }, payload: state.payload || {} };
const core = { setFailed: (m) => { failed = String(m); }, info: () => {} };
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
await new AsyncFunction('github', 'context', 'core', 'require', step.with.script)(
  github, context, core, createRequire(import.meta.url));
process.stdout.write(JSON.stringify({ calls, failed }) + '\n');
