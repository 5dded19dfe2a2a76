/**
 * Decodes Stripe's form encoding: `a=1&b[c]=2&d[0]=x&d[1]=y&e[]=z` → `{a:'1', b:{c:'2'}, d:['x','y'], e:['z']}`.
 * Values stay strings, as on the wire; handlers coerce and validate them.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

export class FormParseError extends Error {}

export function parseStripeForm(body: string): FormObject {
  const root: FormObject = {};
  if (body === '') return root;
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    if (!match) throw new FormParseError(`Invalid parameter name: ${rawKey}`);
    const path = [
      match[1] as string,
      ...[...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] as string),
    ];
    let node: FormObject | FormValue[] = root;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i] as string;
      const last = i === path.length - 1;
      const nextSeg = path[i + 1];
      const wantsArray = nextSeg !== undefined && (nextSeg === '' || /^\d+$/.test(nextSeg));
      if (Array.isArray(node)) {
        const idx = seg === '' ? node.length : Number(seg);
        if (last) {
          node[idx] = value;
        } else {
          node[idx] ??= wantsArray ? [] : {};
          node = node[idx] as FormObject | FormValue[];
        }
      } else {
        if (last) {
          node[seg] = value;
        } else {
          node[seg] ??= wantsArray ? [] : {};
          const child: FormValue = node[seg] as FormValue;
          if (typeof child === 'string') throw new FormParseError(`Invalid parameter name: ${rawKey}`);
          node = child;
        }
      }
    }
  }
  return root;
}
