// Colours from the VS Code theme (light, dark, high contrast), read from the CSS variables VS Code
// sets on the webview and read again when the theme changes.

export interface Theme {
  bg: string;
  fg: string;
  dim: string;
  grid: string;
  cursor: string;
  focus: string;
  /** Outline for high-contrast themes ('' otherwise). */
  contrast: string;
  /** Per stage group (catalog order of ids in GROUP_COLOURS). */
  group: (id: string) => string;
  /** Per request stage (five), then "in flight". */
  stage: string[];
  font: string;
}

/** Stage group → chart colour and opacity (six chart colours for ten groups). */
const GROUP_COLOURS: Record<string, [string, number]> = {
  guest: ['purple', 1],
  poll: ['lines', 0.7],
  virtio: ['blue', 1],
  blk: ['green', 1],
  driver: ['green', 0.55],
  laio: ['orange', 1],
  pool: ['yellow', 1],
  completion: ['blue', 0.55],
  error: ['red', 1],
  setup: ['lines', 0.4],
};

const FALLBACK: Record<string, string> = {
  purple: '#b180d7',
  blue: '#3794ff',
  green: '#89d185',
  orange: '#d18616',
  yellow: '#cca700',
  red: '#f14c4c',
  lines: '#808080',
};

function alpha(colour: string, a: number): string {
  if (a >= 1) return colour;
  const m = /^#([0-9a-f]{6})/i.exec(colour.trim());
  if (!m) return colour;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

export function readTheme(): Theme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  const chart = (c: string): string => v(`--vscode-charts-${c}`, FALLBACK[c]);
  const fg = v('--vscode-editor-foreground', '#cccccc');
  return {
    bg: v('--vscode-editor-background', '#1e1e1e'),
    fg,
    dim: v('--vscode-descriptionForeground', fg),
    grid: v('--vscode-editorRuler-foreground', alpha(chart('lines'), 0.35)),
    cursor: v('--vscode-debugIcon-stopForeground', chart('red')),
    focus: v('--vscode-focusBorder', chart('blue')),
    contrast: v('--vscode-contrastBorder', ''),
    group: (id) => {
      const [c, a] = GROUP_COLOURS[id] ?? ['lines', 1];
      return alpha(chart(c), a);
    },
    stage: [
      chart('purple'),
      chart('blue'),
      chart('orange'),
      chart('green'),
      chart('yellow'),
      alpha(chart('lines'), 0.6),
    ],
    font: `11px ${v('--vscode-font-family', 'sans-serif')}`,
  };
}
