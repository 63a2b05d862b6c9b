// The drawing pad: strokes kept as points, drawn smooth, with undo, at the screen's pixel density.
// The model reads the points themselves (web/strokes.js), never these pixels.

const PEN_FRACTION = 1 / 20; // the pen's width on screen, as a fraction of the pad's shorter side

export class Pad {
  constructor(canvas) {
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.strokes = [];
    this.current = null;
    this.onStrokeStart = () => {};
    this.onStrokeEnd = () => {};
    canvas.addEventListener('pointerdown', (event) => this.#down(event));
    canvas.addEventListener('pointermove', (event) => this.#move(event));
    canvas.addEventListener('pointerup', () => this.#up());
    canvas.addEventListener('pointercancel', () => this.#up());
    this.fitToScreen();
  }

  // Backing store = displayed size x devicePixelRatio, so lines stay sharp on high-DPI screens.
  fitToScreen() {
    const box = this.canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(box.width * ratio));
    const height = Math.max(1, Math.round(box.height * ratio));
    if (width !== this.canvas.width || height !== this.canvas.height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.redraw();
  }

  // The shorter side, in the canvas's pixels (the unit of inPixels()).
  get side() {
    return Math.min(this.canvas.width, this.canvas.height);
  }

  get lineWidth() {
    return this.side * PEN_FRACTION;
  }

  clear() {
    this.strokes = [];
    this.current = null;
    this.redraw();
  }

  undo() {
    this.strokes.pop();
    this.redraw();
  }

  // Points are stored as fractions of the pad, so a resize or another canvas redraws them exactly.
  redraw(context = this.context, strokes = this.strokes) {
    const { width, height } = context.canvas;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, width, height);
    for (const stroke of strokes) drawStroke(context, stroke, width, height, this.lineWidth);
  }

  // Strokes in the pad's pixels (fractions of its width and height are not the same unit).
  inPixels(strokes = this.strokes) {
    const { width, height } = this.canvas;
    return strokes.map((stroke) => stroke.map(([x, y]) => [x * width, y * height]));
  }

  #point(event) {
    const box = this.canvas.getBoundingClientRect();
    return [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height];
  }

  #down(event) {
    if (event.button > 0) return;
    event.preventDefault();
    this.canvas.setPointerCapture(event.pointerId);
    this.current = [this.#point(event)];
    this.strokes.push(this.current);
    this.onStrokeStart();
    this.#drawTail();
  }

  #move(event) {
    if (!this.current) return;
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const each of events.length ? events : [event]) this.current.push(this.#point(each));
    this.#drawTail();
  }

  #up() {
    if (!this.current) return;
    this.current = null;
    this.onStrokeEnd();
  }

  // Draw only the newest piece of the current stroke: cheap on slow tablets.
  #drawTail() {
    const { width, height } = this.canvas;
    drawStroke(this.context, /** @type {number[][]} */ (this.current).slice(-3), width, height,
      this.lineWidth);
  }
}

// A stroke through its points, smoothed with quadratic curves between midpoints.
function drawStroke(context, stroke, width, height, lineWidth) {
  const points = stroke.map(([x, y]) => [x * width, y * height]);
  context.lineWidth = lineWidth;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.strokeStyle = context.fillStyle = '#000';
  context.beginPath();
  if (points.length === 1) { // a dot: canvases skip zero-length lines
    context.arc(...points[0], lineWidth / 2, 0, 2 * Math.PI);
    context.fill();
    return;
  }
  context.moveTo(...points[0]);
  for (let i = 1; i < points.length - 1; i++) {
    const [x, y] = points[i];
    const [nx, ny] = points[i + 1];
    context.quadraticCurveTo(x, y, (x + nx) / 2, (y + ny) / 2);
  }
  context.lineTo(...points[points.length - 1]);
  context.stroke();
}
