// Lets a test run a TypeScript command as a process of its own, from the sources and without a build:
//   node -r ./test/support/ts-register.js src/cli/<command>.ts ...
// Each file is transpiled alone (the project compiles with isolatedModules, so that is enough); type errors are
// the type check's business, not this hook's.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const ts = require('typescript');

const configFile = join(__dirname, '..', '..', 'tsconfig.json');
const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, join(__dirname, '..', '..'));
const compilerOptions = { ...options, sourceMap: false, inlineSourceMap: true, declaration: false };

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
