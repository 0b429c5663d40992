// Lets plain `node -r ./tools/register-ts.cjs file.ts` run this workspace's TypeScript sources,
// the way Jest does (swc strips types; @manifold/<pkg> resolves to <pkg>/src/index.ts, and
// @manifold/<pkg>/testing to <pkg>/src/testing/index.ts), so tests
// can run the loader as a real child process and benchmarks need no build step.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../../..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const match = /^@manifold\/([a-z-]+)(\/testing)?$/.exec(request);
  if (match) {
    for (const dir of ['libs', 'services']) {
      const candidate = path.join(root, dir, match[1], 'src', ...(match[2] ? ['testing'] : []), 'index.ts');
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  return resolveFilename.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
