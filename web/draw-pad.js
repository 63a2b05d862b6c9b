// <draw-pad model="model/">: a pad that recognises what is drawn on it, for any page.
//
//   <script type="module" src="draw-pad.js"></script>
//   <draw-pad model="model/"></draw-pad>
//   pad.addEventListener('recognized', ({ detail }) => console.log(detail.ranked[0]?.label));
//
// Events: 'ready' once the model is loaded (detail: the Recognizer), 'recognized' after each
// drawing settles (detail: Recognizer.predict()'s answer), 'error' when the model cannot load
// (detail: the Error). clear() empties the pad; `recognizer` is the loaded Recognizer.
import { Pad } from './pad.js';
import { Recognizer } from './recognizer.js';

/** @typedef {import('./recognizer.js').Answer} Answer */
/** @typedef {import('./recognizer.js').Stroke} Stroke */

const SETTLE_MS = 300; // recognise this long after the last stroke ends

const STYLE = `
  :host { display: inline-block; width: 280px; }
  canvas { display: block; width: 100%; aspect-ratio: 1; background: #fff; border: 2px solid #c7c7cc;
           border-radius: 12px; touch-action: none; cursor: crosshair; }`;

export class DrawPad extends HTMLElement {
  /** The loaded model, once 'ready' has fired. @type {Recognizer | null} */
  recognizer = null;
  /** Settles when the model has loaded (or failed to). @type {Promise<Recognizer>} */
  ready;
  #pad = null;
  #settleTimer = null;

  connectedCallback() {
    if (this.#pad) return;
    const root = this.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', this.getAttribute('aria-label') ?? 'Drawing pad');
    root.append(style, canvas);
    this.#pad = new Pad(canvas);
    new ResizeObserver(() => this.#pad.fitToScreen()).observe(canvas);
    this.#pad.onStrokeStart = () => clearTimeout(this.#settleTimer);
    this.#pad.onStrokeEnd = () => {
      clearTimeout(this.#settleTimer);
      this.#settleTimer = setTimeout(() => this.recognise(), SETTLE_MS);
    };
    this.ready = Recognizer.load(this.getAttribute('model') ?? 'model/').then((recognizer) => {
      this.recognizer = recognizer;
      this.#emit('ready', recognizer);
      return recognizer;
    }, (error) => {
      this.#emit('error', error);
      throw error;
    });
  }

  disconnectedCallback() {
    this.recognizer?.dispose();
  }

  /** The strokes drawn, in the pad's CSS pixels. @returns {Stroke[]} */
  get strokes() {
    return this.#pad.inPixels();
  }

  /** Empties the pad. @returns {void} */
  clear() {
    this.#pad.clear();
  }

  /** Reads what is drawn now, and fires 'recognized' with the answer. @returns {Promise<Answer>} */
  async recognise() {
    const recognizer = await this.ready;
    const answer = await recognizer.predict(this.strokes, { areaSide: this.#pad.side });
    this.#emit('recognized', answer);
    return answer;
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

customElements.define('draw-pad', DrawPad);
