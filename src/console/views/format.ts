import { shortTime } from '../../calendar';

/** "2026-11-26 17:30" in the office's zone. */
export function shortAt(tz: string, d: Date | null | undefined): string {
  return d ? shortTime(tz, d) : '';
}

/** JSON for a <script type="application/json"> data block (never executed; "<" escaped). */
export function jsonBlock(id: string, value: unknown): string {
  return `<script type="application/json" id="${id}">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`;
}
