/**
 * Vite pre-bundles this CommonJS package as a module object, so `import Scrollbars from …`
 * inside @grafana/ui yields the object, not the class. Re-export the class itself.
 */
import * as pkg from 'react-custom-scrollbars-2/lib/index.js';

type Mod = { default?: unknown; Scrollbars?: unknown };
const mod = pkg as unknown as Mod;
const inner = (mod.default ?? {}) as Mod;
const cls = typeof mod.Scrollbars === 'function' ? mod.Scrollbars : typeof inner.Scrollbars === 'function' ? inner.Scrollbars : mod.default;

export const Scrollbars = cls as never;
export default Scrollbars;
