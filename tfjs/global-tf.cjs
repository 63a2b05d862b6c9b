// tfjs-core, as web/vendor/tf.js defined it, for the code bundled into tf-fallback.js.
module.exports = globalThis.tf;
