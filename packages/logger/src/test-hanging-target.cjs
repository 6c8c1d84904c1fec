'use strict';

const { Writable } = require('node:stream');

// A pino transport whose end never completes, standing in for a stuck disk: close() must still
// resolve. CommonJS because pino's worker loads it as it is, without a TypeScript loader.
module.exports = function hangingTarget() {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
    final() {},
  });
};
