// What web/recognizer-worker.js finds in its global scope: TF.js, from vendor/tf.js (a classic
// script it imports; tfjs/tf.js says what it holds), untyped here.
declare const tf: any;
