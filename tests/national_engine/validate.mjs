// The national placements standard's own engine, as its team runs it: jsonld.js turns
// each JSON-LD file into RDF, rdf-validate-shacl checks that RDF against the SHACL shape.
// The tests use what this prints as the reference verdict (tests/national_engine_support.py).
//
//   node validate.mjs [--base IRI] [--nquads] SHAPE.ttl CONTEXT.jsonld FILE.jsonld...
//
// Prints one JSON document: the engine's package versions and, for each file, whether it
// conforms and every validation result. Exits 0 when every file was checked (whatever the
// verdicts), 2 on bad arguments or a file that cannot be read or converted.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import datasetFactory from '@rdfjs/dataset';
import jsonld from 'jsonld';
import N3 from 'n3';
import SHACLValidator from 'rdf-validate-shacl';

const SH = 'http://www.w3.org/ns/shacl#';
const HERE = path.dirname(fileURLToPath(import.meta.url));

function usage(message) {
  console.error(`${message}\nusage: node validate.mjs [--base IRI] [--nquads] SHAPE CONTEXT FILE...`);
  process.exit(2);
}

const args = process.argv.slice(2);
// No base by default, as the national team runs it. jsonld.js then has nothing to resolve
// a relative IRI against (the values of outOfLAReason, typed "@id" in the context) and
// drops the triple; --base shows what happens when one is given.
let base = null;
let withNquads = false;
while (args.length && args[0].startsWith('--')) {
  const flag = args.shift();
  if (flag === '--base') {
    base = args.shift();
    if (!base) usage('--base needs an IRI');
  } else if (flag === '--nquads') {
    withNquads = true;
  } else {
    usage(`unknown option ${flag}`);
  }
}
const [shapePath, contextPath, ...files] = args;
if (!shapePath || !contextPath || files.length === 0) usage('a shape, a context and at least one file are needed');

const shapes = datasetFactory.dataset(new N3.Parser().parse(fs.readFileSync(shapePath, 'utf8')));
const context = JSON.parse(fs.readFileSync(contextPath, 'utf8'));
// The examples name their context by a relative URL ("../context.jsonld"); whatever URL a
// file gives, it gets the shipped context, so nothing is fetched from the network.
const documentLoader = async (url) => ({ contextUrl: null, documentUrl: url, document: context });

function version(name) {
  const file = path.join(HERE, 'node_modules', ...name.split('/'), 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

// A property shape is a blank node; name it by the node shape that holds it (sh:property).
function namedShape(term) {
  if (!term || term.termType === 'NamedNode') return term?.value ?? null;
  for (const quad of shapes.match(null, N3.DataFactory.namedNode(`${SH}property`), term)) {
    if (quad.subject.termType === 'NamedNode') return quad.subject.value;
  }
  return null;
}

function describe(term) {
  if (!term) return null;
  const out = { termType: term.termType, value: term.value };
  if (term.termType === 'Literal') out.datatype = term.datatype.value;
  return out;
}

const report = {
  engine: Object.fromEntries(
    ['jsonld', 'rdf-validate-shacl', 'n3', '@rdfjs/dataset'].map((name) => [name, version(name)]),
  ),
  base,
  files: [],
};

for (const file of files) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`${file}: ${error.message}`);
    process.exit(2);
  }
  // jsonld.js (not in safe mode) drops what is not valid RDF without a word; the event
  // handler records each drop, so a test can see that a value never reached the shape.
  const dropped = [];
  const eventHandler = ({ event, next }) => {
    dropped.push({ code: event.code, details: event.details ?? null });
    next();
  };
  const options = { documentLoader, eventHandler, format: 'application/n-quads' };
  if (base !== null) options.base = base;
  const nquads = await jsonld.toRDF(doc, options);
  const data = datasetFactory.dataset(new N3.Parser({ format: 'N-Quads' }).parse(nquads));
  // A new validator for each file: it keeps state between validate() calls.
  const validation = await new SHACLValidator(shapes).validate(data);
  const entry = {
    file,
    conforms: validation.conforms,
    dropped,
    results: validation.results.map((result) => ({
      focusNode: describe(result.focusNode),
      path: result.path?.termType === 'NamedNode' ? result.path.value : null,
      value: describe(result.value),
      severity: result.severity?.value ?? null,
      sourceConstraintComponent: result.sourceConstraintComponent?.value ?? null,
      sourceShape: describe(result.sourceShape),
      shape: namedShape(result.sourceShape),
      message: result.message.map((literal) => literal.value),
    })),
  };
  if (withNquads) entry.nquads = nquads;
  report.files.push(entry);
}
console.log(JSON.stringify(report, null, 1));
