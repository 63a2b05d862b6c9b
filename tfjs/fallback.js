// The webgl and cpu backends with all of their kernels, bundled into web/vendor/tf-fallback.js: an
// ES module that tf.js imports when one of them is asked for (see tfjs/tf.js). It takes tfjs-core
// from the global `tf` (tfjs/global-tf.cjs) instead of carrying a second copy, and registers the
// backends' kernels, not the backends: tf.js registered them already.
import '@tensorflow/tfjs-backend-cpu/dist/register_all_kernels';
import '@tensorflow/tfjs-backend-webgl/dist/register_all_kernels';
export { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu/dist/backend_cpu';
export { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl/dist/backend_webgl';
