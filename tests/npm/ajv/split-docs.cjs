// Splits YAML (or JSON) manifest files into one JSON file per document, for ajv-cli (which reads
// one document per file): node split-docs.cjs OUTDIR FILE... writes OUTDIR/<n>.json and prints
// "<n>.json <file> <document index>" per document. A file js-yaml cannot parse is printed as
// "- <file> parse-error". Uses YAML 1.2's core schema, as letta-sync does.
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');

const [outdir, ...files] = process.argv.slice(2);
fs.mkdirSync(outdir, { recursive: true });
let n = 0;
for (const file of files) {
  let docs;
  try {
    docs = yaml.loadAll(fs.readFileSync(file, 'utf8'), null, { schema: yaml.CORE_SCHEMA });
  } catch (e) {
    console.log(`- ${file} parse-error`);
    continue;
  }
  docs.forEach((doc, i) => {
    if (doc === null || doc === undefined) return; // an empty document, as letta-sync skips
    const name = `${n++}.json`;
    fs.writeFileSync(path.join(outdir, name), JSON.stringify(doc));
    console.log(`${name} ${file} ${i}`);
  });
}
