// The node scripts' command line: `--name value` pairs into an object.
'use strict';

function args(argv = process.argv.slice(2)) {
  const a = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--')) throw new Error(`unexpected argument ${argv[i]}`);
    a[argv[i].slice(2)] = argv[i + 1];
  }
  return a;
}

module.exports = { args };
