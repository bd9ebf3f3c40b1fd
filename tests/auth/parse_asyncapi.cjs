// Parse AsyncAPI documents with the official parser (@asyncapi/parser, pinned in the Makefile):
//   node parse_asyncapi.cjs <npm prefix> <document.json>...
// prints one JSON line: for each document, the parser's diagnostics and what it read of servers and security.
const fs = require('fs');
const { Parser } = require(process.argv[2] + '/node_modules/@asyncapi/parser');

async function parseOne(parser, file) {
  const { document, diagnostics } = await parser.parse(fs.readFileSync(file, 'utf8'));
  const out = { file, diagnostics: diagnostics.map(d => ({ code: d.code, severity: d.severity, message: d.message, path: d.path })) };
  if (document) {
    out.servers = document.servers().all().map(s => ({
      id: s.id(), protocol: s.protocol(), host: s.host(),
      security: s.security().map(r => r.all().map(req => req.scheme().type())),
    }));
    out.channels = document.channels().all().map(c => c.address());
    out.messages = document.messages().all().length;
  }
  return out;
}

(async () => {
  const parser = new Parser();
  const results = [];
  for (const file of process.argv.slice(3)) results.push(await parseOne(parser, file));
  console.log(JSON.stringify(results));
})().catch(e => { console.error(e); process.exit(2); });
