/** Colours of the two themes, and the stable colour of each sequence. */

export type ThemeName = 'light' | 'dark';

export interface Theme {
  readonly name: ThemeName;
  readonly background: string;
  readonly text: string;
  readonly muted: string;
  readonly rowEven: string;
  readonly rowOdd: string;
  readonly grid: string;
  readonly tick: string;
  readonly batch: string;
  readonly backlog: string;
  readonly padding: string;
  readonly hatch: string;
  readonly violation: string;
  /** Bar colours: lightness of the sequence hue. */
  readonly barLightness: number;
  readonly labelOnBar: string;
}

export const THEMES: Readonly<Record<ThemeName, Theme>> = {
  light: {
    name: 'light',
    background: '#ffffff',
    text: '#1f2328',
    muted: '#656d76',
    rowEven: '#f6f8fa',
    rowOdd: '#eef1f4',
    grid: '#d8dee4',
    tick: '#1f2328',
    batch: '#3d6fb4',
    backlog: '#c3cad3',
    padding: '#b9c0c8',
    hatch: '#6e7781',
    violation: '#d1242f',
    barLightness: 68,
    labelOnBar: '#111111',
  },
  dark: {
    name: 'dark',
    background: '#0d1117',
    text: '#e6edf3',
    muted: '#8d96a0',
    rowEven: '#161b22',
    rowOdd: '#1c2230',
    grid: '#30363d',
    tick: '#f0f6fc',
    batch: '#79a6dc',
    backlog: '#3d4450',
    padding: '#3d4450',
    hatch: '#8d96a0',
    violation: '#ff6b6b',
    barLightness: 42,
    labelOnBar: '#ffffff',
  },
};

/** FNV-1a over the sequence key, then mixed. */
function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // murmur3's finaliser: neighbouring ids ("1", "2") land far apart.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * 12 hues 30° apart × 2 lightness levels: 24 well-separated colours, picked by the id's hash, so a
 * sequence keeps its colour in every picture (collisions are possible, never close-but-different).
 */
export function sequenceColor(key: string, theme: Theme): string {
  const hash = hash32(key);
  const hue = (hash % 12) * 30 + 8;
  const lightness = theme.barLightness + (Math.floor(hash / 12) % 2 === 0 ? 0 : theme.name === 'light' ? -14 : 14);
  return `hsl(${hue},62%,${lightness}%)`;
}
