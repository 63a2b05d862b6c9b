// The JSON Schema keywords web/metadata.schema.json uses, checked on the page; Python checks the
// same file with jsonschema (runfolder/schema.py), and tests/test_schema.py keeps the file to
// these keywords, so the page and the export refuse the same metadata.

export const KEYWORDS = [
  '$schema', '$id', 'title', '$defs', '$ref', 'allOf', 'if', 'then', 'type', 'enum', 'const',
  'minimum', 'maximum', 'exclusiveMinimum', 'minLength', 'maxLength', 'pattern', 'minItems',
  'maxItems', 'uniqueItems', 'items', 'required', 'properties',
];

// null when `value` fits `schema`; else the first problem found: "field: what is wrong".
export function schemaProblem(value, schema) {
  return problem(value, schema, schema, []);
}

function problem(value, schema, root, path) {
  const at = (message) => `${path.join('.') || 'the whole file'}: ${message}`;
  if (schema.$ref) {
    const found = problem(value, resolve(schema.$ref, root), root, path);
    if (found) return found;
  }
  if (schema.type && ![schema.type].flat().some((type) => isType(value, type))) {
    return at(`${shown(value)} is not of type ${[schema.type].flat().join(' or ')}`);
  }
  if (schema.enum && !schema.enum.some((choice) => choice === value)) {
    return at(`${shown(value)} is not one of ${schema.enum.map(shown).join(', ')}`);
  }
  if ('const' in schema && schema.const !== value) return at(`${shown(schema.const)} was expected`);
  if (typeof value === 'number') {
    if (value < schema.minimum) return at(`${value} is less than the minimum of ${schema.minimum}`);
    if (value > schema.maximum) return at(`${value} is greater than the maximum of ${schema.maximum}`);
    if (value <= schema.exclusiveMinimum) return at(`${value} is not above ${schema.exclusiveMinimum}`);
  }
  if (typeof value === 'string') {
    if (value.length < schema.minLength) return at(`${shown(value)} is too short`);
    if (value.length > schema.maxLength) return at(`${shown(value)} is too long`);
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) {
      return at(`${shown(value)} does not match ${schema.pattern}`);
    }
  }
  if (Array.isArray(value)) {
    if (value.length < schema.minItems) return at(`${value.length} items, fewer than ${schema.minItems}`);
    if (value.length > schema.maxItems) return at(`${value.length} items, more than ${schema.maxItems}`);
    if (schema.uniqueItems) {
      const seen = new Set(value.map((item) => JSON.stringify(item)));
      if (seen.size < value.length) return at('has repeated items');
    }
    for (const [i, item] of schema.items ? value.entries() : []) {
      const found = problem(item, schema.items, root, [...path, i]);
      if (found) return found;
    }
  }
  if (isType(value, 'object')) {
    const missing = (schema.required ?? []).filter((name) => !Object.hasOwn(value, name));
    if (missing.length) return `no ${missing.map((name) => [...path, name].join('.')).join(', ')}`;
    for (const [name, part] of Object.entries(schema.properties ?? {})) {
      if (!Object.hasOwn(value, name)) continue;
      const found = problem(value[name], part, root, [...path, name]);
      if (found) return found;
    }
  }
  // Last: what one field requires of another (a recipe for the input), once each is sound.
  for (const part of schema.allOf ?? []) {
    const found = problem(value, part, root, path);
    if (found) return found;
  }
  if (schema.if && schema.then && !problem(value, schema.if, root, path)) {
    const found = problem(value, schema.then, root, path);
    if (found) return found;
  }
  return null;
}

// '#/$defs/labels' -> that part of the schema (references within the one file only).
function resolve(ref, root) {
  if (!ref.startsWith('#/')) throw new Error(`schema: $ref ${ref} is not within the file`);
  return ref.slice(2).split('/').reduce((part, key) => part[key], root);
}

function isType(value, type) {
  switch (type) {
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'integer': return Number.isInteger(value);
    case 'null': return value === null;
    default: return typeof value === type; // string, number, boolean
  }
}

function shown(value) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
